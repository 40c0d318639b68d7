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
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any, Callable, List, NamedTuple, Optional, Tuple

from dateutil.relativedelta import relativedelta

from renewals.codes import find_activation_code_span
from renewals.regions import REGIONS

__all__ = [
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
]

#: Longer inputs are not parsed at all (functions return None / []).
MAX_INPUT_LENGTH = 2000
#: Largest term, in years, that `parse_years` accepts.
MAX_YEARS = 99
#: Largest number read as a user count in a message: a longer run of digits is a phone number or a
#: reference. Not the licensing limit, which is `renewals.checklist.MAX_USER_COUNT` and gets its own answer.
MAX_COUNT_READ = 1_000_000


class Span(NamedTuple):
    """A value found in a text, with its character offsets."""

    start: int
    end: int
    value: Any


def _usable(text: Any) -> Optional[str]:
    """`text` if it is a string worth parsing, else None."""
    if not isinstance(text, str) or not text or len(text) > MAX_INPUT_LENGTH:
        return None
    return text


# --------------------------------------------------------------------------
# Numbers: digits ("20", "1,000") and English words ("twenty-five").
# --------------------------------------------------------------------------

_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_VALUES = {**_UNITS, **_TEENS, **_TENS}

_UNIT_RE = "|".join(_UNITS)
_TEEN_RE = "|".join(_TEENS)
_TENS_RE = "|".join(_TENS)
_BELOW_100 = rf"(?:(?:{_TENS_RE})(?:[ \t-]+(?:{_UNIT_RE})\b)?|{_TEEN_RE}|{_UNIT_RE})\b"
_BELOW_1000 = (
    rf"(?:(?:(?:{_UNIT_RE})\b|a|one)[ \t]+hundred\b"
    rf"(?:[ \t]+(?:and[ \t]+)?{_BELOW_100})?|{_BELOW_100})"
)
#: An English number from "one" to "nine hundred and ninety-nine thousand ...".
NUMBER_WORDS_RE = (
    rf"(?:(?:{_BELOW_1000}|a)[ \t]+thousand\b(?:[ \t]+(?:and[ \t]+)?{_BELOW_1000})?"
    rf"|{_BELOW_1000})"
)
#: Digits, optionally with comma thousands separators ("1,000").
DIGITS_RE = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,7})(?![0-9])"


def _words_to_int(words: str) -> Optional[int]:
    """Value of a phrase matched by NUMBER_WORDS_RE ("two hundred and five")."""
    total = 0
    current = 0
    for word in re.split(r"[\s-]+", words.lower()):
        if not word or word == "and":
            continue
        if word in ("a", "an"):
            current += 1
        elif word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


def number_value(raw: str) -> Optional[int]:
    """The number in digits ("1,250") or words ("twenty five"), or None."""
    raw = raw.strip()
    if not raw:
        return None
    if raw[0].isdigit():
        try:
            return int(raw.replace(",", ""))
        except ValueError:
            return None
    lowered = raw.lower()
    if lowered in ("a", "an", "another", "one more", "an extra", "an additional"):
        return 1
    return _words_to_int(lowered)


_POSITIVE_INT_RE = re.compile(rf"\s*(?:{DIGITS_RE}|{NUMBER_WORDS_RE})\s*[.!]?\s*", re.IGNORECASE)


def parse_positive_int(text: Any, max_value: int = MAX_COUNT_READ) -> Optional[int]:
    """The positive integer that is the *whole* of `text`, else None.

    For answers to "how many ...?" prompts: "20", " 20. ", "1,000",
    "twenty", "twenty-five", "one hundred and fifty".  "0", "-3", "2.5",
    "20 users and 3 years" and values above `max_value` give None.
    """
    text = _usable(text)
    if text is None:
        return None
    match = _POSITIVE_INT_RE.fullmatch(text)
    if not match:
        return None
    value = number_value(text.strip().rstrip(".!").strip())
    if value is None or not 1 <= value <= max_value:
        return None
    return value


# --------------------------------------------------------------------------
# Term in years
# --------------------------------------------------------------------------

_NUM_START = r"(?<![\w.,$/-])"  # a number does not start inside a word/number
_QUALIFIER = r"(?:(?:more|additional|extra|further|full|whole)[ \t]+)?"

_YEARS_RE = re.compile(
    _NUM_START + rf"(?:(?P<digits>{DIGITS_RE})[ \t]*-?[ \t]*"
    rf"|(?P<words>{NUMBER_WORDS_RE}|another|an|a)(?:[ \t]*-[ \t]*|[ \t]+))"
    + _QUALIFIER
    + r"(?P<unit>years?|yrs?)\b",
    re.IGNORECASE,
)
_MONTHS_TERM_RE = re.compile(
    _NUM_START + rf"(?:(?P<digits>{DIGITS_RE})[ \t]*-?[ \t]*"
    rf"|(?P<words>{NUMBER_WORDS_RE})(?:[ \t]*-[ \t]*|[ \t]+))"
    + _QUALIFIER
    + r"(?P<unit>months?|mths?|mnths?)\b",
    re.IGNORECASE,
)


def _match_number(match: "re.Match[str]") -> Optional[int]:
    raw = match.group("digits") or match.group("words")
    return number_value(raw) if raw else None


def find_years_spans(text: Any) -> List[Span]:
    """Every licence term in `text` as Span(start, end, years).

    A number only counts when a year word follows it: "2 yrs", "two years",
    "3-year", "a year", "another year", "1yr", "one more year".  Whole
    multiples of 12 months also count ("24 months" -> 2); other month counts
    are ignored.  Terms outside 1..MAX_YEARS are ignored.
    """
    text = _usable(text)
    if text is None:
        return []
    spans: List[Span] = []
    try:
        for match in _YEARS_RE.finditer(text):
            value = _match_number(match)
            if value is not None and 1 <= value <= MAX_YEARS:
                spans.append(Span(match.start(), match.end(), value))
        for match in _MONTHS_TERM_RE.finditer(text):
            months = _match_number(match)
            if months and months % 12 == 0 and 1 <= months // 12 <= MAX_YEARS:
                spans.append(Span(match.start(), match.end(), months // 12))
    except Exception:  # pragma: no cover - defensive: never raise on input
        return []
    return _without_overlaps(spans)


def parse_years(text: Any) -> Optional[int]:
    """The first licence term in `text`, in whole years, else None.

    "renew for 2 yrs" -> 2, "two years" -> 2, "3-year" -> 3, "a year" -> 1,
    "1yr" -> 1, "for three years" -> 3, "24 months" -> 2.  Only a number tied
    to a year word counts: "20 users for 2 years" -> 2, "20" -> None,
    "last year" -> None, "2.5 years" -> None.
    """
    spans = find_years_spans(text)
    return spans[0].value if spans else None


# --------------------------------------------------------------------------
# User counts
# --------------------------------------------------------------------------

_COUNT_NOUNS = (
    r"users?|seats?|licen[cs]es?|endpoints?|devices?|mailbox(?:es)?|machines?"
    r"|computers?|pcs?|laptops?|desktops?|workstations?|agents?|nodes?"
    r"|employees?|staff|people"
)
_USER_COUNT_RE = re.compile(
    _NUM_START + rf"(?:(?P<digits>{DIGITS_RE})[ \t]*-?[ \t]*"
    rf"|(?P<words>{NUMBER_WORDS_RE})(?:[ \t]*-[ \t]*|[ \t]+))"
    + r"(?:(?:more|additional|extra|new|named|total)[ \t]+)?"
    + r"(?:(?:user|seat|device|endpoint)[ \t]*-?[ \t]*)?"
    + rf"(?P<unit>{_COUNT_NOUNS})\b",
    re.IGNORECASE,
)
# "users: 20", "user count 20", "number of seats is 30", "licences = 15"
_COUNT_FIRST_RE = re.compile(
    r"\b(?:number[ \t]+of[ \t]+(?:users|seats|licen[cs]es|endpoints|devices|mailboxes)"
    r"(?:[ \t]*(?::|=|is|will[ \t]+be)[ \t]*|[ \t]+)"
    r"|(?:users?|seats?|licen[cs]es?|endpoints?|devices?)"
    r"(?:[ \t]+(?:count|number|total|qty|quantity)(?:[ \t]*(?::|=|is|of)[ \t]*|[ \t]+)"
    r"|[ \t]*[:=][ \t]*))"
    rf"(?:(?P<digits>{DIGITS_RE})|(?P<words>{NUMBER_WORDS_RE}))"
    r"(?![ \t]*-?[ \t]*(?:years?|yrs?|months?|mths?|days?|weeks?|%))(?!\w|[.,][0-9])",
    re.IGNORECASE,
)


def find_user_count_spans(text: Any) -> List[Span]:
    """Every user count in `text` as Span(start, end, count).

    A number counts when a user-like noun follows it ("20 users", "twenty
    seats", "15 licences", "30 endpoints", "50 devices", "100 mailboxes",
    "20 user", "25 user licences", "5 more seats") or when it is given as
    "users: 20" / "user count of 20" / "number of users is 20".
    Counts outside 1..MAX_COUNT_READ are ignored.
    """
    text = _usable(text)
    if text is None:
        return []
    spans: List[Span] = []
    try:
        for regex in (_USER_COUNT_RE, _COUNT_FIRST_RE):
            for match in regex.finditer(text):
                value = _match_number(match)
                if value is not None and 1 <= value <= MAX_COUNT_READ:
                    spans.append(Span(match.start(), match.end(), value))
    except Exception:  # pragma: no cover - defensive
        return []
    return _without_overlaps(spans)


def parse_user_count(text: Any) -> Optional[int]:
    """The first user count in `text`, else None.

    "20 users" -> 20, "twenty seats" -> 20, "for 30 endpoints" -> 30,
    "1,000 licences" -> 1000.  A bare number ("20") gives None here: use
    `parse_positive_int` for answers to "how many users?".
    """
    spans = find_user_count_spans(text)
    return spans[0].value if spans else None


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_WEEKDAY_ABBREVIATIONS = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "weds": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_WEEKDAY_FULL_RE = "|".join(_WEEKDAYS)
_WEEKDAY_ANY_RE = "|".join(sorted({**_WEEKDAYS, **_WEEKDAY_ABBREVIATIONS}, key=len, reverse=True))

_DATE_START = r"(?<![\w.,/:-])"
# An optional weekday in front of a date ("Friday 27 November", "Fri, 1/3/27")
_WD_PREFIX = rf"(?:(?:{_WEEKDAY_ANY_RE})\b\.?,?[ \t]+)?"
_DATE_END = r"(?![0-9]|[./:-][0-9])"

# 2027-11-27, 2027/11/27 (year first: unambiguous)
_ISO_RE = re.compile(
    _DATE_START + r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})" + _DATE_END
)
# 1/3/2027, 01-03-2027, 1.3.27 (always day first)
_DMY_NUMERIC_RE = re.compile(
    _DATE_START
    + _WD_PREFIX
    + r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4}|[0-9]{2})"
    + _DATE_END,
    re.IGNORECASE,
)
# 27 November 2027, 27th of Nov, 2027, 27-Nov-27, 1 March
_DMY_TEXT_RE = re.compile(
    _DATE_START
    + _WD_PREFIX
    + r"(?P<d>[0-9]{1,2})(?P<ord>st|nd|rd|th)?(?P<of>[ \t]+of)?(?:[ \t]+|[ \t]*-[ \t]*)"
    + rf"(?P<m>{_MONTH_RE})"
    + r"(?:(?:,[ \t]*|[ \t]+|[ \t]*-[ \t]*)(?P<y>[0-9]{4})(?![0-9])|-(?P<y2>[0-9]{2})(?![0-9])"
    + r"|[ \t]+'(?P<y3>[0-9]{2})(?![0-9]))?",
    re.IGNORECASE,
)
# Nov 27 2027, November 27th, 2027, March 1
_MDY_TEXT_RE = re.compile(
    r"(?<![\w])"
    + _WD_PREFIX
    + rf"(?P<m>{_MONTH_RE})[ \t]+(?P<d>[0-9]{{1,2}})(?P<ord>st|nd|rd|th)?(?![0-9])\b"
    + r"(?:(?:,[ \t]*|[ \t]+)(?P<y>[0-9]{4})(?![0-9]))?",
    re.IGNORECASE,
)
_SIMPLE_RELATIVE_RE = re.compile(
    r"\b(?P<word>(?:the[ \t]+)?day[ \t]+after[ \t]+tomorrow|today|tonight|tomorrow|tmrw|yesterday)\b",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(
    rf"\b(?:(?P<prefix>next|this[ \t]+coming|this|coming|last|on)[ \t]+(?P<any>{_WEEKDAY_ANY_RE})\b\.?"
    rf"|(?P<full>{_WEEKDAY_FULL_RE})\b)",
    re.IGNORECASE,
)
_IN_RE = re.compile(
    rf"\bin[ \t]+(?:(?P<digits>[0-9]{{1,3}})(?![0-9])|(?P<words>{NUMBER_WORDS_RE}|an|a))[ \t]+"
    r"(?P<unit>days?|weeks?|fortnights?|months?)\b",
    re.IGNORECASE,
)
_END_OF_RE = re.compile(
    r"\b(?:eom\b|(?:the[ \t]+)?end[ \t]+of[ \t]+(?:(?P<which>the|this|next)[ \t]+)?"
    rf"(?:(?P<period>month|year)\b|(?P<m>{_MONTH_RE})))",
    re.IGNORECASE,
)

_Resolver = Callable[[date], Optional[date]]


def _safe_date(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _month_number(raw: str) -> int:
    return _MONTHS[raw.lower().rstrip(".")[:3]]


def _full_year(raw: str) -> int:
    year = int(raw)
    return 2000 + year if len(raw) == 2 else year


def _absolute(year: int, month: int, day: int) -> _Resolver:
    if not 1900 <= year <= 2199:
        return lambda today: None
    value = _safe_date(year, month, day)
    return lambda today: value


def _next_occurrence(month: int, day: int) -> _Resolver:
    """Day and month without a year: the first such date on or after today."""

    def resolve(today: date) -> Optional[date]:
        for year in range(today.year, today.year + 9):  # 8 covers 29 February
            candidate = _safe_date(year, month, day)
            if candidate is not None and candidate >= today:
                return candidate
        return None

    if _safe_date(2000, month, day) is None:  # 2000 is a leap year
        return lambda today: None
    return resolve


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _date_candidates(text: str) -> List[Tuple[int, int, _Resolver]]:
    found: List[Tuple[int, int, _Resolver]] = []

    for match in _ISO_RE.finditer(text):
        resolver = _absolute(int(match["y"]), int(match["m"]), int(match["d"]))
        found.append((match.start(), match.end(), resolver))

    for match in _DMY_NUMERIC_RE.finditer(text):
        resolver = _absolute(_full_year(match["y"]), int(match["m"]), int(match["d"]))
        found.append((match.start(), match.end(), resolver))

    for match in _DMY_TEXT_RE.finditer(text):
        month_text = match["m"]
        year_raw = match["y"] or match["y2"] or match["y3"]
        if (
            month_text.lower() == "may"
            and month_text != "May"
            and not (year_raw or match["ord"] or match["of"])
        ):
            continue  # "5 may be enough"
        month, day = _month_number(month_text), int(match["d"])
        if year_raw:
            resolver = _absolute(_full_year(year_raw), month, day)
        else:
            resolver = _next_occurrence(month, day)
        found.append((match.start(), match.end(), resolver))

    for match in _MDY_TEXT_RE.finditer(text):
        month_text = match["m"]
        if month_text.lower() == "may" and month_text != "May" and not match["y"]:
            continue  # "we may 2 ..."
        month, day = _month_number(month_text), int(match["d"])
        if match["y"]:
            resolver = _absolute(int(match["y"]), month, day)
        else:
            resolver = _next_occurrence(month, day)
        found.append((match.start(), match.end(), resolver))

    for match in _SIMPLE_RELATIVE_RE.finditer(text):
        word = match["word"].lower()
        if "after" in word:
            days = 2
        elif word in ("today", "tonight"):
            days = 0
        elif word == "yesterday":
            days = -1
        else:
            days = 1
        found.append((match.start(), match.end(), _days_from(days)))

    for match in _WEEKDAY_RE.finditer(text):
        name = (match["any"] or match["full"]).lower().rstrip(".")
        weekday = _WEEKDAYS.get(name, _WEEKDAY_ABBREVIATIONS.get(name))
        if weekday is None:
            continue
        prefix = " ".join((match["prefix"] or "").lower().split())
        found.append((match.start(), match.end(), _weekday_resolver(weekday, prefix)))

    for match in _IN_RE.finditer(text):
        amount = int(match["digits"]) if match["digits"] else number_value(match["words"])
        if not amount:
            continue
        unit = match["unit"].lower().rstrip("s")
        if unit == "day":
            delta: Any = timedelta(days=amount)
        elif unit == "week":
            delta = timedelta(weeks=amount)
        elif unit == "fortnight":
            delta = timedelta(weeks=2 * amount)
        else:
            delta = relativedelta(months=amount)
        found.append((match.start(), match.end(), _offset_resolver(delta)))

    for match in _END_OF_RE.finditer(text):
        found.append((match.start(), match.end(), _end_of_resolver(match)))

    return found


def _offset_resolver(delta: Any) -> _Resolver:
    def resolve(today: date) -> Optional[date]:
        try:
            return today + delta
        except (OverflowError, ValueError):
            return None

    return resolve


def _days_from(days: int) -> _Resolver:
    """A resolver for "tomorrow" (1), "today" (0), "yesterday" (-1)."""
    return lambda today: today + timedelta(days=days)


def _weekday_resolver(weekday: int, prefix: str) -> _Resolver:
    def resolve(today: date) -> Optional[date]:
        ahead = (weekday - today.weekday()) % 7
        if prefix == "next":
            ahead = ahead or 7  # strictly after today
        elif prefix == "last":
            ahead = ahead - 7 if ahead else -7  # strictly before today
        try:
            return today + timedelta(days=ahead)
        except OverflowError:
            return None

    return resolve


def _end_of_resolver(match: "re.Match[str]") -> _Resolver:
    which = (match["which"] or "").lower()
    period = (match["period"] or "").lower()
    month_text = match["m"]

    def resolve(today: date) -> Optional[date]:
        if month_text:  # end of March: the next such month end on/after today
            month = _month_number(month_text)
            year = today.year if _last_day(today.year, month) >= today else today.year + 1
            return _last_day(year, month)
        if period == "year":
            return date(today.year + (1 if which == "next" else 0), 12, 31)
        # "end of (the|this|next) month" and "EOM"
        first = today.replace(day=1)
        if which == "next":
            first = first + relativedelta(months=1)
        return _last_day(first.year, first.month)

    return resolve


def _date_matches(text: str) -> List[Tuple[int, int, _Resolver]]:
    """Date candidates in text order, keeping the longest where two overlap."""
    spans = [Span(start, end, resolver) for start, end, resolver in _date_candidates(text)]
    return [(s.start, s.end, s.value) for s in _without_overlaps(spans)]


def find_date_expressions(text: Any) -> List[Span]:
    """Every date-shaped expression in `text` as Span(start, end, matched text).

    No clock is needed: nothing is resolved, and impossible dates
    ("31/2/2027") are included, so that whoever resolves them later with
    `parse_date` can tell the customer why.  Used by the NLU entity extractor.
    See `parse_date` for the formats.
    """
    text = _usable(text)
    if text is None:
        return []
    try:
        return [Span(start, end, text[start:end]) for start, end, _ in _date_matches(text)]
    except Exception:  # pragma: no cover - defensive
        return []


def find_date_spans(text: Any, today: date, include_invalid: bool = False) -> List[Span]:
    """Every date expression in `text` as Span(start, end, date).

    `value` is the resolved `date` (relative expressions against `today`).
    Date-shaped expressions that are not a real date ("31/2/2027") are left
    out, or kept with value None when `include_invalid` is true.  See
    `parse_date` for the formats.
    """
    text = _usable(text)
    if text is None or not isinstance(today, date):
        return []
    if isinstance(today, datetime):
        today = today.date()
    spans: List[Span] = []
    try:
        for start, end, resolver in _date_matches(text):
            value = resolver(today)
            if value is not None or include_invalid:
                spans.append(Span(start, end, value))
    except Exception:  # pragma: no cover - defensive
        return []
    return spans


def parse_date(text: Any, today: date) -> Optional[date]:
    """The first date in `text`, resolved against `today`, else None.

    Absolute dates (numeric dates are ALWAYS day first, never month first):

    * "1/3/2027", "01-03-2027", "1.3.27" -> 1 March 2027 (two-digit years
      are 20YY);
    * "2027-11-27", "2027/11/27" (ISO, year first);
    * "27 November 2027", "27 Nov 2027", "27th of November, 2027",
      "27-Nov-27", "Nov 27 2027", "November 27th, 2027";
    * without a year ("27 November", "Nov 27", "1st of March"): the first
      such date on or after `today`.

    Relative dates:

    * "today", "tomorrow", "the day after tomorrow", "yesterday";
    * "next Friday": the first Friday strictly after `today` (1 to 7 days
      ahead: on a Thursday it is tomorrow, on a Friday it is a week away);
    * "this Friday", "coming Friday", "on Friday", "Friday": the first
      Friday on or after `today` (0 to 6 days ahead);
    * "last Friday": the last Friday strictly before `today`;
    * "in 3 days", "in 2 weeks", "in a fortnight", "in 6 months" (calendar
      months, clamped to the month end);
    * "end of month" / "end of the month" / "EOM" (last day of this month),
      "end of next month", "end of the year", "end of March" (the next
      31 March on or after `today`).

    Impossible dates ("31/2/2027", "2027-13-01") give None; so does a text
    with no date, junk, or more than MAX_INPUT_LENGTH characters.
    """
    spans = find_date_spans(text, today)
    return spans[0].value if spans else None


# --------------------------------------------------------------------------
# E-mail addresses and phone numbers
# --------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.%+'-])"
    r"(?P<local>[A-Za-z0-9!#$%&'*+=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+=?^_`{|}~-]{1,64}){0,8})"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24})"
    r"(?![\w-]|\.[A-Za-z0-9])"
)


def find_email_spans(text: Any) -> List[Span]:
    """Every e-mail address in `text` as Span(start, end, address).

    The address keeps the customer's local part and lower-cases the domain.
    """
    text = _usable(text)
    if text is None or "@" not in text:
        return []
    spans = []
    try:
        for match in _EMAIL_RE.finditer(text):
            if len(match["local"]) > 64:
                continue
            value = f"{match['local']}@{match['domain'].lower()}"
            spans.append(Span(match.start(), match.end(), value))
    except Exception:  # pragma: no cover - defensive
        return []
    return spans


def find_email(text: Any) -> Optional[str]:
    """The first e-mail address in `text`, else None."""
    spans = find_email_spans(text)
    return spans[0].value if spans else None


def _mask_activation_codes(text: str) -> str:
    """`text` with every Activation Code blanked out (same length)."""
    masked = text
    offset = 0
    while True:
        span = find_activation_code_span(masked[offset:])
        if span is None:
            return masked
        start, end = offset + span[0], offset + span[1]
        masked = masked[:start] + " " * (end - start) + masked[end:]
        offset = end


# A group of digits, maybe "(02)" or "+61"; groups chain through short runs
# of spaces, hyphens or dots ("0412 345 678", "(02) 9555-0101", "+64 21 ...").
_PHONE_GROUP_RE = re.compile(r"(?<![\w/@])(?:\+[ \t]?|\(0\)[ \t]?|\([ \t]?)?[0-9]{1,12}\)?(?![\w/@])")
_PHONE_GAP_RE = re.compile(r"[ \t.\-]{0,3}")
_PHONE_MAX_GROUPS = 7
_PHONE_MAX_ATTEMPTS = 100


def _phone_chains(text: str) -> List[List["re.Match[str]"]]:
    """Runs of digit groups that could make up one or more phone numbers."""
    chains: List[List["re.Match[str]"]] = []
    for group in _PHONE_GROUP_RE.finditer(text):
        if chains and _PHONE_GAP_RE.fullmatch(text, chains[-1][-1].end(), group.start()):
            if "+" not in group.group():  # a "+" only starts a number
                chains[-1].append(group)
                continue
        chains.append([group])
    return chains


def find_phone_spans(text: Any, default_region: str = "AU") -> List[Span]:
    """Every valid phone number in `text` as Span(start, end, E.164 string).

    National numbers are read in `default_region` ("AU" or "NZ"); one that is
    not valid there is tried in the other ANZ region ("0412 345 678" read as
    NZ is not valid, so it is taken as AU).  Numbers written with a country
    code ("+64 21 123 4567", "61 412 345 678") are accepted whatever the
    region.  A number must start with "+", "(", "0", "1" (13/1300/1800) or a
    61/64 country code, and is validated with `phonenumbers`; a number run
    into other digits ("0412 345 678 2 years") is still found.  Digits inside
    an Activation Code, a date such as "1/3/2027" or a word are never taken
    for a phone number.
    """
    text = _usable(text)
    if text is None or sum(ch.isdigit() for ch in text) < 6:
        return []
    try:
        import phonenumbers
        from phonenumbers import PhoneNumberFormat

        masked = _mask_activation_codes(text)
        region = (default_region or "AU").upper()
        regions = [region] + [r for r in REGIONS if r != region]
        spans: List[Span] = []
        attempts = 0
        for chain in _phone_chains(masked):
            first = 0
            while first < len(chain) and attempts < _PHONE_MAX_ATTEMPTS:
                found = None
                last_limit = min(len(chain), first + _PHONE_MAX_GROUPS)
                for last in range(last_limit, first, -1):  # longest first
                    start, end = chain[first].start(), chain[last - 1].end()
                    candidate = masked[start:end]
                    digits = sum(ch.isdigit() for ch in candidate)
                    stripped = candidate.lstrip("( \t")
                    if not 6 <= digits <= 15 or stripped[:1] not in ("+", "0", "1", "6"):
                        continue
                    if stripped[0] == "6" and stripped[:2] not in ("61", "64"):
                        continue
                    attempts += 1
                    number = None
                    for current in regions:
                        parsed = phonenumbers.parse(candidate, current)
                        if phonenumbers.is_valid_number(parsed):
                            number = parsed
                            break
                        if candidate.startswith("+"):
                            break
                    if number is not None:
                        value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
                        found = (Span(start, end, value), last)
                        break
                if found is None:
                    first += 1
                else:
                    spans.append(found[0])
                    first = found[1]
        return spans
    except Exception:  # pragma: no cover - defensive: phonenumbers on odd input
        return []


def find_phone(text: Any, default_region: str = "AU") -> Optional[str]:
    """The first valid phone number in `text` in E.164 form, else None.

    "0412 345 678" -> "+61412345678", "(02) 9555 0101" -> "+61295550101",
    "+64 21 123 4567" -> "+64211234567", and with default_region="NZ"
    "021 123 4567" -> "+64211234567".  See `find_phone_spans`.
    """
    spans = find_phone_spans(text, default_region)
    return spans[0].value if spans else None


# --------------------------------------------------------------------------


def _without_overlaps(spans: List[Span]) -> List[Span]:
    """Spans in text order, keeping the longest where two overlap."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), s.start))
    kept: List[Span] = []
    for span in ordered:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


_LEAD_IN_RE = re.compile(
    r"^\s*(?:(?:sure|ok(?:ay)?|yes|yep|yeah)[,!.]?\s+)?"
    r"(?:(?:it'?s|it is|that'?s|that is|we'?re|we are|i'?m|i am|this is|"
    r"(?:the |our |my )?(?:company(?: name)?|business(?: name)?|address|contact(?: name| person)?|name)"
    r"(?: is|'s|:|\s*-)?)\s+)",
    re.IGNORECASE,
)


def strip_lead_in(text: Any) -> Optional[str]:
    """The answer part of a reply like "it's Acme Pty Ltd" or "the address is 5 George St": "Acme Pty Ltd"."""
    usable = _usable(text)
    if usable is None:
        return None
    stripped = _LEAD_IN_RE.sub("", usable, count=1).strip()
    return stripped or usable.strip()
