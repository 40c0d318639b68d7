"""Numbers, terms in years and user counts, in digits ("20", "1,000") or English words ("twenty-five")."""

from __future__ import annotations

import re
from typing import Any, List, Optional

from renewals.parsing.common import (
    MAX_COUNT_READ,
    MAX_YEARS,
    Span,
    usable_text,
    without_overlaps,
)

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
    text = usable_text(text)
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
    text = usable_text(text)
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
    return without_overlaps(spans)


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
_HEADCOUNT_RE = re.compile(r"employees?|staff|people", re.IGNORECASE)
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


# "we only really need 60 now": a count of what is needed, with no noun after it.
_NEEDED_COUNT_RE = re.compile(
    rf"\bneed[ \t]+(?:(?:about|around|roughly)[ \t]+)?(?P<digits>{DIGITS_RE})\b"
    r"(?![ \t]*(?:years?|yrs?|months?|mths?|days?|weeks?|%|\$|dollars?|aud|nzd|more\b|of\b|to\b))"
    r"(?![.,/-][0-9])",
    re.IGNORECASE,
)


def find_user_count_spans(text: Any) -> List[Span]:
    """Every user count in `text` as Span(start, end, count).

    A number counts when a user-like noun follows it ("20 users", "twenty
    seats", "15 licences", "30 endpoints", "50 devices", "100 mailboxes",
    "20 user", "25 user licences", "5 more seats") or when it is given as
    "users: 20" / "user count of 20" / "number of users is 20".
    Counts outside 1..MAX_COUNT_READ are ignored, and so are counts of people ("2 staff have left") beside
    a count of users, seats or devices.
    """
    text = usable_text(text)
    if text is None:
        return []
    spans: List[Span] = []
    headcounts: List[Span] = []  # "2 staff have left", beside "8 users": people, not what is licensed
    try:
        for regex in (_USER_COUNT_RE, _COUNT_FIRST_RE, _NEEDED_COUNT_RE):
            for match in regex.finditer(text):
                value = _match_number(match)
                if value is not None and 1 <= value <= MAX_COUNT_READ:
                    span = Span(match.start(), match.end(), value)
                    unit = (match.groupdict().get("unit") or "").lower()
                    (headcounts if _HEADCOUNT_RE.fullmatch(unit) else spans).append(span)
    except Exception:  # pragma: no cover - defensive
        return []
    return without_overlaps(spans or headcounts)


def parse_user_count(text: Any) -> Optional[int]:
    """The first user count in `text`, else None.

    "20 users" -> 20, "twenty seats" -> 20, "for 30 endpoints" -> 30,
    "1,000 licences" -> 1000.  A bare number ("20") gives None here: use
    `parse_positive_int` for answers to "how many users?".
    """
    spans = find_user_count_spans(text)
    return spans[0].value if spans else None
