"""Free-text parsing for the ANZ renewals assistant.

Pure Python (no Rasa, no spaCy): used by the custom actions, by the NLU entity
extractor (`nlu_components.entities`) and by tests.

Conventions
-----------
* Every public function accepts any object as `text` and never raises on it:
  non-strings, empty strings, junk, emoji, control characters and strings
  longer than `MAX_INPUT_LENGTH` characters all give `None` (or `[]` for the
  `find_*_spans` helpers).  The length guard keeps every regular expression
  fast whatever a customer pastes.
* Numeric dates are always **day first** (ANZ): "1/3/2027" is 1 March 2027.
  A numeric date is never read month first, and an impossible date such as
  "31/2/2027" gives None rather than being "corrected".
* The `find_*_spans` helpers return `Span(start, end, value)` tuples with
  character offsets into the text they were given, in text order and without
  overlaps; the `parse_*`/`find_*` functions return the first value.

Why hand-written, not a library (measured 2026-12-01 on this package's own tests, details in
docs/parsing.md): `dateparser` passed 193 of 224 date tests (no "end of March", "31 February" turned into
a real date, "1/13/2027" read month first) at 5.4 ms p95 against 39 µs; `word2number` and `text2num`
passed 96 and 94 of 99 number tests ("a year" is not 1, "twenty or thirty" is 50) and only turn words into
numbers, while finding the number in a sentence is the hard part; `email-validator` passed 12 of 22 e-mail
tests (it does not find an address in a sentence and accepts "jordan@acme.c"). Each would be worse.
"""

from renewals.parsing.common import (
    MAX_COUNT_READ,
    MAX_INPUT_LENGTH,
    MAX_YEARS,
    Span,
    strip_lead_in,
    text_beside,
)
from renewals.parsing.contacts import find_email, find_email_spans, find_phone, find_phone_spans
from renewals.parsing.dates import find_date_expressions, find_date_spans, parse_date
from renewals.parsing.numbers import (
    DIGITS_RE,
    NUMBER_WORDS_RE,
    find_user_count_spans,
    find_years_spans,
    number_value,
    parse_positive_int,
    parse_user_count,
    parse_years,
)

__all__ = [
    "DIGITS_RE",
    "NUMBER_WORDS_RE",
    "MAX_INPUT_LENGTH",
    "MAX_COUNT_READ",
    "MAX_YEARS",
    "Span",
    "find_date_expressions",
    "find_date_spans",
    "find_email",
    "find_email_spans",
    "find_phone",
    "find_phone_spans",
    "find_user_count_spans",
    "find_years_spans",
    "parse_date",
    "parse_positive_int",
    "parse_user_count",
    "parse_years",
    "number_value",
    "strip_lead_in",
    "text_beside",
]
