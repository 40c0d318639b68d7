"""Dates as ANZ customers write them: day first, by name, or relative ("tomorrow", "end of October")."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any, Callable, List, Optional, Tuple

from dateutil.relativedelta import relativedelta

from renewals.parsing.common import Span, usable_text, without_overlaps
from renewals.parsing.numbers import NUMBER_WORDS_RE, number_value

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
    return [(s.start, s.end, s.value) for s in without_overlaps(spans)]


def find_date_expressions(text: Any) -> List[Span]:
    """Every date-shaped expression in `text` as Span(start, end, matched text).

    No clock is needed: nothing is resolved, and impossible dates
    ("31/2/2027") are included, so that whoever resolves them later with
    `parse_date` can tell the customer why.  Used by the NLU entity extractor.
    See `parse_date` for the formats.
    """
    text = usable_text(text)
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
    text = usable_text(text)
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
