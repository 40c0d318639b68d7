"""Tests for renewals.parsing: free-text parsing for the ANZ market."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renewals.parsing import (
    MAX_INPUT_LENGTH,
    find_date_expressions,
    find_date_spans,
    find_email,
    find_email_spans,
    find_phone,
    find_phone_spans,
    find_user_count_spans,
    find_years_spans,
    parse_date,
    parse_positive_int,
    parse_user_count,
    parse_years,
    text_beside,
)

# Thursday 26 November 2026
TODAY = date(2026, 11, 26)
assert TODAY.weekday() == 3


# --------------------------------------------------------------------- years


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2 yrs", 2),
        ("2 yr", 2),
        ("two years", 2),
        ("Two Years", 2),
        ("3-year", 3),
        ("a 3-year renewal", 3),
        ("3 - year", 3),
        ("a year", 1),
        ("an additional year", 1),
        ("another year", 1),
        ("1 more year", 1),
        ("1yr", 1),
        ("5yrs", 5),
        ("for three years", 3),
        ("renew for five years please", 5),
        ("twenty years", 20),
        ("twenty-five years", 25),
        ("24 months", 2),
        ("twelve months", 1),
        ("36-month term", 3),
        ("20 users for 2 years", 2),
        ("2 years for 20 users", 2),
        ("WFBS Advanced, 15 seats, 3 years", 3),
    ],
)
def test_parse_years(text, expected):
    assert parse_years(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20",
        "20 users",
        "last year",
        "this year",
        "next year",
        "per year",
        "yearly",
        "2.5 years",
        "0 years",
        "2027 year",
        "100 years",
        "18 months",
        "a month",
        "years",
        "ayear",
        "",
    ],
)
def test_parse_years_none(text):
    assert parse_years(text) is None


def test_years_spans_point_at_the_term():
    text = "renew 20 users for two years"
    (span,) = find_years_spans(text)
    assert text[span.start : span.end] == "two years"
    assert span.value == 2


# --------------------------------------------------------------- user counts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20 users", 20),
        ("20 user", 20),
        ("20users", 20),
        ("20-user licence", 20),
        ("twenty seats", 20),
        ("twenty-five seats", 25),
        ("one hundred and fifty seats", 150),
        ("a hundred users", 100),
        ("15 licences", 15),
        ("15 licenses", 15),
        ("1 licence", 1),
        ("for 30 endpoints", 30),
        ("50 devices", 50),
        ("100 mailboxes", 100),
        ("12 machines", 12),
        ("40 PCs", 40),
        ("8 staff", 8),
        ("25 user licences", 25),
        ("5 more seats", 5),
        ("1,000 users", 1000),
        ("USERS: 20", 20),
        ("users: 20.", 20),
        ("user count of 20", 20),
        ("user count 35", 35),
        ("number of users is 20", 20),
        ("number of seats: 45", 45),
        ("seats = 12", 12),
        ("renew for 2 years, 20 users", 20),
        ("WFBS Advanced for 20 users on Windows", 20),
    ],
)
def test_parse_user_count(text, expected):
    assert parse_user_count(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20",
        "twenty",
        "2 years",
        "0 users",
        "a user",
        "users",
        "1.5 users",
        "2,000,000 users",
        "users: 3 years",
        "the user count is unknown",
        "I'm a new user",
        "",
    ],
)
def test_parse_user_count_none(text):
    assert parse_user_count(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20", 20),
        (" 20 ", 20),
        ("20.", 20),
        ("1,000", 1000),
        ("twenty", 20),
        ("Twenty-Five", 25),
        ("two hundred and fifty", 250),
        ("a thousand", 1000),
        ("0", None),
        ("-3", None),
        ("2.5", None),
        ("20 users", None),
        ("20 or 30", None),
        ("abc", None),
        ("", None),
        ("99999999", None),
    ],
)
def test_parse_positive_int(text, expected):
    assert parse_positive_int(text) == expected


def test_parse_positive_int_max_value():
    assert parse_positive_int("150", max_value=100) is None
    assert parse_positive_int("100", max_value=100) == 100


# --------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, expected",
    [
        # numeric: always day first
        ("1/3/2027", date(2027, 3, 1)),
        ("01/03/2027", date(2027, 3, 1)),
        ("01-03-2027", date(2027, 3, 1)),
        ("1.3.27", date(2027, 3, 1)),
        ("1/3/27", date(2027, 3, 1)),
        ("12/1/2027", date(2027, 1, 12)),
        ("13/1/2027", date(2027, 1, 13)),
        ("31/12/2027", date(2027, 12, 31)),
        ("29/2/2028", date(2028, 2, 29)),
        ("renew on 1/3/2027 please", date(2027, 3, 1)),
        ("expires 27/11/2027.", date(2027, 11, 27)),
        # ISO
        ("2027-11-27", date(2027, 11, 27)),
        ("2027/11/27", date(2027, 11, 27)),
        # words
        ("27 November 2027", date(2027, 11, 27)),
        ("27 Nov 2027", date(2027, 11, 27)),
        ("27 nov. 2027", date(2027, 11, 27)),
        ("27th of November, 2027", date(2027, 11, 27)),
        ("27-Nov-27", date(2027, 11, 27)),
        ("27 Nov '27", date(2027, 11, 27)),
        ("Nov 27 2027", date(2027, 11, 27)),
        ("November 27th, 2027", date(2027, 11, 27)),
        ("Sept 3 2027", date(2027, 9, 3)),
        ("Friday 27 November 2027", date(2027, 11, 27)),
        ("on Fri, 1/3/27", date(2027, 3, 1)),
        ("1 May 2027", date(2027, 5, 1)),
        ("5th may", date(2027, 5, 5)),
        # no year: the next such date on or after today
        ("27 November", date(2026, 11, 27)),
        ("26 November", date(2026, 11, 26)),
        ("1st of March", date(2027, 3, 1)),
        ("Nov 20", date(2027, 11, 20)),
        ("29 Feb", date(2028, 2, 29)),
        # relative
        ("today", TODAY),
        ("Tonight", TODAY),
        ("tomorrow", date(2026, 11, 27)),
        ("the day after tomorrow", date(2026, 11, 28)),
        ("yesterday", date(2026, 11, 25)),
        ("in 3 days", date(2026, 11, 29)),
        ("in 2 weeks", date(2026, 12, 10)),
        ("in two weeks", date(2026, 12, 10)),
        ("in a week", date(2026, 12, 3)),
        ("in a fortnight", date(2026, 12, 10)),
        ("in 3 months", date(2027, 2, 26)),
        ("end of month", date(2026, 11, 30)),
        ("by the end of the month", date(2026, 11, 30)),
        ("EOM", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("end of the year", date(2026, 12, 31)),
        ("end of March", date(2027, 3, 31)),
        ("end of February", date(2027, 2, 28)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/2/2027",
        "29/2/2027",
        "32/1/2027",
        "1/13/2027",  # would be 13 January if read month first: never
        "0/1/2027",
        "2027-02-31",
        "2027-13-01",
        "31 February 2027",
        "Feb 30 2027",
        "31/12/1800",
        "version 1.3.27.4",
        "v1.3.27",
        "10.1.3.27",
        "1/3",
        "20 users",
        "2 years",
        "5 may be enough",
        "we may 2 weeks",  # "in" is missing: not a date
        "monthly",
        "",
    ],
)
def test_parse_date_none(text):
    assert parse_date(text, TODAY) is None


def test_numeric_dates_are_never_month_first():
    for day in range(1, 13):
        for month in range(1, 13):
            assert parse_date(f"{day}/{month}/2027", TODAY) == date(2027, month, day)


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("weekday", range(7))
def test_next_weekday_is_first_such_day_strictly_after_today(offset, weekday):
    today = date(2026, 11, 23) + timedelta(days=offset)  # Monday + offset
    result = parse_date(f"next {WEEKDAYS[weekday]}", today)
    assert result.weekday() == weekday
    assert 1 <= (result - today).days <= 7


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("weekday", range(7))
def test_this_weekday_is_first_such_day_on_or_after_today(offset, weekday):
    today = date(2026, 11, 23) + timedelta(days=offset)
    for text in (f"this {WEEKDAYS[weekday]}", f"on {WEEKDAYS[weekday]}", WEEKDAYS[weekday]):
        result = parse_date(text, today)
        assert result.weekday() == weekday
        assert 0 <= (result - today).days <= 6


def test_weekday_examples():
    assert parse_date("next Friday", TODAY) == date(2026, 11, 27)  # Thursday -> tomorrow
    assert parse_date("next Thursday", TODAY) == date(2026, 12, 3)
    assert parse_date("this Thursday", TODAY) == TODAY
    assert parse_date("next fri", TODAY) == date(2026, 11, 27)
    assert parse_date("this coming Monday", TODAY) == date(2026, 11, 30)
    assert parse_date("last Friday", TODAY) == date(2026, 11, 20)
    assert parse_date("Fridays", TODAY) is None


def test_end_of_month_in_a_leap_february():
    assert parse_date("end of month", date(2028, 2, 10)) == date(2028, 2, 29)
    assert parse_date("in 1 month", date(2027, 1, 31)) == date(2027, 2, 28)


def test_first_valid_date_wins():
    assert parse_date("27/11/2027 or 1/12/2027", TODAY) == date(2027, 11, 27)
    assert parse_date("31/2/2027, I mean 28/2/2027", TODAY) == date(2027, 2, 28)


def test_date_spans_and_invalid_dates():
    text = "either next Friday or 31/2/2027"
    spans = find_date_spans(text, TODAY)
    assert [text[s.start : s.end] for s in spans] == ["next Friday"]
    spans = find_date_spans(text, TODAY, include_invalid=True)
    assert [(text[s.start : s.end], s.value) for s in spans] == [
        ("next Friday", date(2026, 11, 27)),
        ("31/2/2027", None),
    ]


def test_date_expressions_need_no_clock():
    text = "Friday 27 November 2027, next Friday or 31/2/2027; not 20 users"
    assert [s.value for s in find_date_expressions(text)] == [
        "Friday 27 November 2027",
        "next Friday",
        "31/2/2027",
    ]
    assert all(text[s.start : s.end] == s.value for s in find_date_expressions(text))


def test_parse_date_today_argument():
    assert parse_date("tomorrow", None) is None  # type: ignore[arg-type]
    assert parse_date("tomorrow", "2026-11-26") is None  # type: ignore[arg-type]
    assert parse_date("tomorrow", datetime(2026, 11, 26, 23, 59)) == date(2026, 11, 27)


# ----------------------------------------------------------- e-mail, phones


@pytest.mark.parametrize(
    "text, expected",
    [
        ("jane.citizen@example.com.au", "jane.citizen@example.com.au"),
        ("email me at Jane.Citizen+renewals@Example.CO.NZ.", "Jane.Citizen+renewals@example.co.nz"),
        ("<ops@acme-it.com.au>", "ops@acme-it.com.au"),
        ("a@b.io, c@d.io", "a@b.io"),
        ("not an email: jane@", None),
        ("@example.com", None),
        ("jane@localhost", None),
        ("jane@@example.com", None),
        ("", None),
    ],
)
def test_find_email(text, expected):
    assert find_email(text) == expected


def test_email_spans():
    text = "write to a@b.io or c@d.io"
    assert [(text[s.start : s.end], s.value) for s in find_email_spans(text)] == [
        ("a@b.io", "a@b.io"),
        ("c@d.io", "c@d.io"),
    ]


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("0412 345 678", "AU", "+61412345678"),
        ("0412345678", "AU", "+61412345678"),
        ("0412-345-678", "AU", "+61412345678"),
        ("my mobile is 0412 345 678, thanks", "AU", "+61412345678"),
        ("(02) 9555 0101", "AU", "+61295550101"),
        ("02 9555 0101", "AU", "+61295550101"),
        ("+61 2 9555 0101", "AU", "+61295550101"),
        ("+61 (0)2 9555 0101", "AU", "+61295550101"),
        ("+61412345678", "AU", "+61412345678"),
        ("61 412 345 678", "AU", "+61412345678"),
        ("1300 123 456", "AU", "+611300123456"),
        ("+64 21 123 4567", "AU", "+64211234567"),
        ("+64 21 123 4567", "NZ", "+64211234567"),
        ("021 123 4567", "NZ", "+64211234567"),
        ("(09) 555 0101", "NZ", "+6495550101"),
        ("09 555 0101", "AU", "+6495550101"),  # not valid in AU: NZ tried next
        ("0412 345 678", "NZ", "+61412345678"),  # not valid in NZ: AU tried next
        ("call 0412 345 678 2 years", "AU", "+61412345678"),
        ("0412 345 678 20 users", "AU", "+61412345678"),
        ("tel:+61412345678", "AU", "+61412345678"),
    ],
)
def test_find_phone(text, region, expected):
    assert find_phone(text, default_region=region) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12345",
        "20 users",
        "1/3/2027",
        "01-03-2027",
        "01.03.2027",
        "ABN 51 824 753 556",
        "order 412345678",
        "0412 345",
        "WA-2ZDQ-12345-67890-12345-67890-BKM22",
        "call me",
        "",
    ],
)
def test_find_phone_none(text):
    assert find_phone(text) is None


def test_phone_spans():
    text = "office (02) 9555 0101, mobile 0412 345 678"
    spans = find_phone_spans(text)
    assert [(text[s.start : s.end], s.value) for s in spans] == [
        ("(02) 9555 0101", "+61295550101"),
        ("0412 345 678", "+61412345678"),
    ]


# --------------------------------------------------------------- robustness

ALL_PARSERS = [
    parse_years,
    parse_user_count,
    parse_positive_int,
    lambda text: parse_date(text, TODAY),
    find_email,
    find_phone,
    lambda text: find_phone(text, "NZ"),
]
JUNK = [
    None,
    42,
    b"20 users",
    ["20 users"],
    "",
    "   ",
    "😀🎉🔥 20 🙃",
    "\x00\x01\x02\x1b[31m\x7f",
    "'; DROP TABLE licences; --",
    "1 OR 1=1; SELECT * FROM users WHERE id = '20'",
    "\ud800\udfff",
    "🙂" * 10_000,
    "20 users " * 1_200,
    "x" * 10_000,
]


@pytest.mark.parametrize("parser", ALL_PARSERS)
@pytest.mark.parametrize("junk", JUNK)
def test_junk_gives_none(parser, junk):
    assert parser(junk) is None


def test_over_long_input_is_not_parsed():
    padded = "20 users for 2 years, 0412 345 678, a@b.io, 1/3/2027 " + " " * MAX_INPUT_LENGTH
    assert parse_user_count(padded) is None
    assert parse_years(padded) is None
    assert find_phone(padded) is None
    assert find_email(padded) is None
    assert parse_date(padded, TODAY) is None
    assert parse_user_count(padded[:MAX_INPUT_LENGTH]) == 20


PATHOLOGICAL = [
    "1" * MAX_INPUT_LENGTH,
    "1/" * (MAX_INPUT_LENGTH // 2),
    "1." * (MAX_INPUT_LENGTH // 2),
    "-1" * (MAX_INPUT_LENGTH // 2),
    "1 " * (MAX_INPUT_LENGTH // 2),
    "a@" * (MAX_INPUT_LENGTH // 2),
    "a." * (MAX_INPUT_LENGTH // 2 - 1) + "@",
    "!" * (MAX_INPUT_LENGTH - 1) + "@",
    "twenty " * (MAX_INPUT_LENGTH // 7),
    "one hundred and " * (MAX_INPUT_LENGTH // 16),
    "27 Nov " * (MAX_INPUT_LENGTH // 7),
    "next " * (MAX_INPUT_LENGTH // 5),
    "0412 345 678 " * (MAX_INPUT_LENGTH // 13),
    "WA-2ZDQ-" * (MAX_INPUT_LENGTH // 8),
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_pathological_inputs_stay_fast(text):
    # Typically a few milliseconds; the bound only catches runaway regexes
    # (quadratic or worse), with room for a busy machine.
    find_phone("warm up 0412 345 678")
    started = time.perf_counter()
    for parser in ALL_PARSERS:
        parser(text)
    assert time.perf_counter() - started < 2.0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text):
    for parser in ALL_PARSERS:
        parser(text)


DATEISH = st.text(alphabet="0123456789/-.: +()abcdefmnorstuvwy@NovFriday", max_size=60)


@settings(max_examples=300, deadline=None)
@given(DATEISH)
def test_spans_are_within_the_text_and_ordered(text):
    for spans in (
        find_years_spans(text),
        find_user_count_spans(text),
        find_date_spans(text, TODAY, include_invalid=True),
        find_date_expressions(text),
        find_email_spans(text),
        find_phone_spans(text),
    ):
        previous_end = 0
        for span in spans:
            assert previous_end <= span.start < span.end <= len(text)
            previous_end = span.end
    parse_date(text, TODAY)
    parse_positive_int(text)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2199, 12, 31)), st.sampled_from("/-."))
def test_numeric_dates_round_trip(day, sep):
    text = f"{day.day}{sep}{day.month}{sep}{day.year}"
    assert parse_date(text, TODAY) == day
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(f"{day.day} {day:%B %Y}", TODAY) == day
    assert parse_date(f"{day:%b} {day.day} {day.year}", TODAY) == day


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=2_000_000))
def test_counts_round_trip(count):
    assert parse_user_count(f"{count} users") == (count if count <= 1_000_000 else None)
    assert parse_positive_int(str(count)) == (count if count <= 1_000_000 else None)


def test_a_count_of_people_beside_a_count_of_users_is_not_the_user_count():
    assert [span.value for span in find_user_count_spans("and only 8 users, 2 staff have left")] == [8]
    assert [span.value for span in find_user_count_spans("we have 50 staff but need 40 seats")] == [40]
    assert [span.value for span in find_user_count_spans("we have 50 staff")] == [50]


@pytest.mark.parametrize(
    "text, value, rest",
    [
        ("Sam Patel, sam.patel@waratahcivil.com.au", "sam.patel@waratahcivil.com.au", "Sam Patel"),
        (
            "Beverley Hanlon, and the email is office@standrews.org.au",
            "office@standrews.org.au",
            "Beverley Hanlon",
        ),
        ("the email is kim@acacia.com.au", "kim@acacia.com.au", None),
    ],
)
def test_the_words_beside_a_value_are_what_answers_the_question_asked(text, value, rest):
    start = text.index(value)
    assert text_beside(text, [(start, start + len(value))]) == rest
