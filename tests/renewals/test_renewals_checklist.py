"""The renewal checklist and the checks the chat form runs on each answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from renewals.checklist import (
    CHECKLIST_FIELDS,
    FIELD_LABELS,
    IncompleteChecklist,
    InvalidChecklist,
    RenewalChecklist,
    attempts_item,
    company_named_in_request,
    display_phone,
    item_named,
    looks_like_address,
    stated_value,
    validate_address,
    validate_company_name,
    validate_contact_name,
    validate_email,
    validate_expiry,
    validate_phone,
    validate_user_count,
)
from renewals.clock import FixedClock
from tests.support.cases import ACME_CHECKLIST, ACME_PERSONAL_DATA
from tests.support.renewals_data import DEMO_TODAY

CLOCK = FixedClock(DEMO_TODAY)  # Saturday 28 November 2026


# --- email ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("jordan.quill@acmewidgets.com.au", "jordan.quill@acmewidgets.com.au"),
        ("  Jordan.Quill@AcmeWidgets.COM.AU  ", "Jordan.Quill@acmewidgets.com.au"),
        ("it's jo+renewals@kiwi-dental.co.nz thanks", "jo+renewals@kiwi-dental.co.nz"),
        ("<accounts@harbour.io>", "accounts@harbour.io"),
        ("Email: it.team@acme.org.au.", "it.team@acme.org.au"),
        ("same@acme.com.au or SAME@ACME.COM.AU", "same@acme.com.au"),
    ],
)
def test_a_valid_email_is_accepted_with_its_domain_lower_cased(typed, expected):
    check = validate_email(typed)

    assert check.ok and check.value == expected


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("", "Please type the contact's email address"),
        ("jordan at acme dot com", "needs an @"),
        ("jordan @ acme.com.au", "can't contain spaces"),
        ("jordan@acme", "domain such as company.com.au"),
        ("jordan@acme.c", "domain ending such as .com"),
        ("jordan@acme.c0m", "domain ending such as .com"),
        ("jordan@example.com", "example address"),
        ("jordan@acme.example", "example address"),
        ("jordan@server.localhost", "example address"),
        ("jordan@shop.test", "example address"),
        ("one@acme.com.au, two@acme.com.au", "more than one email address"),
        (None, "Please type the contact's email address"),
    ],
)
def test_an_invalid_email_gets_a_specific_reason(typed, reason_mentions):
    check = validate_email(typed)

    assert not check.ok and check.value is None
    assert reason_mentions in check.reason


# --- phone ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, region, expected",
    [
        ("0412 345 678", "AU", "+61412345678"),  # AU mobile
        ("0412345678", "AU", "+61412345678"),
        ("04 1234 5678", "AU", "+61412345678"),
        ("+61 412 345 678", "AU", "+61412345678"),
        ("61412345678", "AU", "+61412345678"),
        ("(02) 9555 0101", "AU", "+61295550101"),  # AU landline
        ("02-9555-0101", "AU", "+61295550101"),
        ("+61 2 9555 0101", "NZ", "+61295550101"),  # a country code beats the default region
        ("1300 123 456", "AU", "+611300123456"),
        ("021 123 4567", "NZ", "+64211234567"),  # NZ mobile
        ("+64 21 123 4567", "AU", "+64211234567"),
        ("09 555 0404", "NZ", "+6495550404"),  # NZ landline (Auckland)
        ("+64 9 555 0404", "AU", "+6495550404"),
        ("call me on 0412 345 678 after 3pm", "AU", "+61412345678"),
    ],
)
def test_au_and_nz_numbers_in_any_common_format_become_e164(typed, region, expected):
    check = validate_phone(typed, default_region=region)

    assert check.ok and check.value == expected


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("", "Please type a phone number"),
        ("no phone sorry", "doesn't look like a phone number"),
        ("12345", "too short"),
        ("0412 345 678 or (02) 9555 0101", "more than one phone number"),
        ("+44 20 7946 0958", "Australian or New Zealand"),
        ("+1 415 555 2671", "Australian or New Zealand"),
        ("0000 000 000", "couldn't recognise"),
        ("1234567890123456789", "too long"),
    ],
)
def test_a_number_that_is_not_a_valid_au_or_nz_phone_is_refused_with_a_reason(typed, reason_mentions):
    check = validate_phone(typed)

    assert not check.ok
    assert reason_mentions in check.reason


# --- names and address ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Acme Widgets Pty Ltd", "Acme Widgets Pty Ltd"),
        ("  3M   Australia ", "3M Australia"),
        ("Te Whare Ōrite", "Te Whare Ōrite"),
    ],
)
def test_a_company_name_is_accepted_with_spacing_tidied(typed, expected):
    assert validate_company_name(typed).value == expected


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("", "company's name"),
        ("A", "too short"),
        ("!!!", "letters or digits"),
        ("x" * 201, "longer than 200"),
        ("jo@acme.com.au", "email address"),
    ],
)
def test_an_unusable_company_name_is_refused(typed, reason_mentions):
    assert reason_mentions in validate_company_name(typed).reason


@pytest.mark.parametrize("typed", ["Jordan Quill", "Mary-Jane O'Neil", "Tāne Mahuta", "Dr. J. Quill", "Siân"])
def test_a_contact_name_is_accepted(typed):
    assert validate_contact_name(typed).value == typed


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("", "name of the person"),
        ("J", "too short"),
        ("Jordan 2", "shouldn't contain digits"),
        ("jordan@acme.com.au", "email address"),
        ("Jordan <Quill>", "only letters"),
        ("J" * 101, "longer than 100"),
    ],
)
def test_an_unusable_contact_name_is_refused(typed, reason_mentions):
    assert reason_mentions in validate_contact_name(typed).reason


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("12 Harbour Street, Parramatta NSW 2150", "12 Harbour Street, Parramatta NSW 2150"),
        ("Level 3,  88 Queen St\nAuckland 1010,", "Level 3, 88 Queen St Auckland 1010"),
        ("Unit 4 Kākāpō Lane Wānaka", "Unit 4 Kākāpō Lane Wānaka"),
        ("Rural Delivery Road Gisborne", "Rural Delivery Road Gisborne"),  # no digit needed
    ],
)
def test_an_address_is_accepted_with_spacing_tidied(typed, expected):
    assert validate_address(typed).value == expected


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("", "street address"),
        ("1 A St", "too short"),
        ("12345678", "street name"),
        ("a" * 201, "longer than 200"),
        ("jo@acme.com.au", "email address"),
    ],
)
def test_an_unusable_address_is_refused(typed, reason_mentions):
    assert reason_mentions in validate_address(typed).reason


# --- user count ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("50", 50),
        (" 1,000 ", 1000),
        ("twenty five", 25),
        ("60 users", 60),
        ("we have 75 seats", 75),
        (40, 40),
        ("100000", 100000),
    ],
)
def test_a_user_count_is_read_from_digits_or_words(typed, expected):
    check = validate_user_count(typed)

    assert check.ok and check.value == expected and check.notice is None


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("0", "at least 1 user"),
        (0, "at least 1 user"),
        ("-5", "can't be negative"),
        ("2.5", "whole number"),
        ("100001", "more than 100,000"),
        ("lots", "couldn't read a number"),
        ("", "how many users"),
        (True, "whole number"),
    ],
)
def test_an_impossible_user_count_is_refused(typed, reason_mentions):
    check = validate_user_count(typed)

    assert not check.ok
    assert reason_mentions in check.reason


def test_fewer_users_than_the_current_licence_is_reported_as_a_downsize():
    check = validate_user_count("30", previous=50)

    assert check.ok and check.value == 30
    assert check.notice == (
        "That's 20 fewer than the 50 users on your current licence, so the renewal would cover only 30. "
        "A downsize must be confirmed to your reseller in writing, and a later increase would need an "
        "additional "
        "user purchase. Is that right?"
    )


@pytest.mark.parametrize("typed", ["50", "80"])
def test_the_same_or_more_users_than_before_needs_no_notice(typed):
    assert validate_user_count(typed, previous=50).notice is None


# --- expiry date ---------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("29/10/2026", date(2026, 10, 29)),  # day first, already lapsed: fine
        ("1/3/27", date(2027, 3, 1)),
        ("27 November 2027", date(2027, 11, 27)),
        ("2027-11-27", date(2027, 11, 27)),
        ("it expires on the 5th of Jan 2027", date(2027, 1, 5)),
        ("tomorrow", date(2026, 11, 29)),
        (date(2027, 2, 1), date(2027, 2, 1)),
    ],
)
def test_an_expiry_date_is_read_day_first_against_the_clock(typed, expected):
    assert validate_expiry(typed, CLOCK).value == expected


@pytest.mark.parametrize(
    "typed, reason_mentions",
    [
        ("31/2/2027", "doesn't exist"),
        ("soon", "couldn't read that as a date"),
        ("", "expiry date"),
        ("1/1/2010", "more than ten years ago"),
        ("1/1/2040", "more than ten years away"),
    ],
)
def test_an_unreadable_or_implausible_expiry_date_is_refused(typed, reason_mentions):
    assert reason_mentions in validate_expiry(typed, CLOCK).reason


# --- the checklist as a whole -----------------------------------------------


def test_the_checklist_lists_what_is_still_missing_in_order():
    partial = RenewalChecklist(company_name="Acme Widgets Pty Ltd", user_count=50)

    assert partial.missing_fields() == (
        "address",
        "phone",
        "contact_name",
        "contact_email",
        "product_code",
        "platform",
        "licence_expiry",
    )
    assert not partial.is_complete
    assert ACME_CHECKLIST.is_complete
    assert set(FIELD_LABELS) == set(CHECKLIST_FIELDS)


def test_an_incomplete_checklist_cannot_be_validated_for_renewal():
    with pytest.raises(IncompleteChecklist) as raised:
        replace(ACME_CHECKLIST, phone=None, contact_email="").validated(DEMO_TODAY)

    assert raised.value.missing == ("phone", "contact_email")


def test_validation_normalises_every_field(demo_price_list):
    typed = replace(
        ACME_CHECKLIST,
        company_name="  Acme   Widgets Pty Ltd ",
        phone="0412 345 678",
        contact_email="jordan.quill@ACMEWIDGETS.com.au",
        platform="windows",
    )

    assert typed.validated(DEMO_TODAY, demo_price_list) == ACME_CHECKLIST


def test_validating_a_valid_checklist_changes_nothing(demo_price_list):
    assert ACME_CHECKLIST.validated(DEMO_TODAY, demo_price_list) == ACME_CHECKLIST


def test_validation_reports_every_invalid_field_without_repeating_values(demo_price_list):
    bad = replace(
        ACME_CHECKLIST, phone="+44 20 7946 0958", contact_email="jordan.quill@example.com", platform="Linux"
    )

    with pytest.raises(InvalidChecklist) as raised:
        bad.validated(DEMO_TODAY, demo_price_list)

    assert [problem.field for problem in raised.value.problems] == ["phone", "contact_email", "platform"]
    assert "Worry-Free Business Security Standard is sold for Windows and Mac only." in str(raised.value)
    assert not any(value in str(raised.value) for value in ("7946", "jordan.quill"))


def test_an_unknown_product_is_refused(demo_price_list):
    with pytest.raises(InvalidChecklist, match="product_code: That product isn't on the current price list"):
        replace(ACME_CHECKLIST, product_code="OFFICESCAN").validated(DEMO_TODAY, demo_price_list)


def test_repr_leaves_out_contact_details():
    shown = repr(ACME_CHECKLIST)

    assert "Acme Widgets Pty Ltd" in shown and "WFBS-STD" in shown
    assert not [value for value in ACME_PERSONAL_DATA if value in shown]


def test_checklist_items_are_recognised_by_the_words_customers_use():
    assert item_named("change the contact email") == "contact_email"
    assert item_named("wrong mobile") == "phone"
    assert item_named("the company name is misspelt") == "company_name"
    assert item_named("users") == "renewal_user_count"


@pytest.mark.parametrize(
    "text, item, value",
    [
        ("change the company name to Acme Pty Ltd", "company_name", "Acme Pty Ltd"),
        ("the phone is wrong, it's 0412 555 987", "phone", "0412 555 987"),
        ("change the users to 40", "renewal_user_count", "40"),
        ("the address should be 5 George St, Sydney NSW 2000", "address", "5 George St, Sydney NSW 2000"),
        ("I need to change the phone number", "phone", None),
        ("the email is wrong", "contact_email", None),
    ],
)
def test_a_correction_gives_its_new_value_or_none(text, item, value):
    assert item_named(text) == item
    assert stated_value(text, item) == value


def test_phone_numbers_are_shown_in_national_format():
    assert display_phone("+61412555987") == "0412 555 987"
    assert display_phone("+6494636708") == "09 463 6708"


def test_a_phone_number_on_the_licence_record_is_accepted_as_recorded():
    # The demo's NZ numbers are not allocated by the numbering plan, but they are what the record says.
    checklist = replace(ACME_CHECKLIST, phone="+6476262357")
    with pytest.raises(InvalidChecklist):
        checklist.validated(DEMO_TODAY)
    assert checklist.validated(DEMO_TODAY, recorded_phone="+64 7 626 2357").phone == "+6476262357"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("it expired on 29 October", date(2026, 10, 29)),  # "expired": the last 29 October, not next year's
        ("29 October", date(2026, 10, 29)),  # the nearest 29 October to 28 November 2026
        ("expires 3 Jan", date(2027, 1, 3)),  # the nearest is next January
        ("lapsed on 15th of November", date(2026, 11, 15)),
        ("it runs out on 20 November", date(2026, 11, 20)),  # nearest
    ],
)
def test_an_expiry_date_without_a_year_is_the_nearest_one_and_expired_points_to_the_past(typed, expected):
    result = validate_expiry(typed, FixedClock(DEMO_TODAY))
    assert result.value == expected
    assert result.notice == f"I've taken that as {expected.day} {expected:%B} {expected.year}."


def test_an_expiry_date_with_a_year_is_not_said_back():
    assert validate_expiry("29/10/2026", FixedClock(DEMO_TODAY)).notice is None


def test_a_corrected_value_has_no_stray_whitespace_before_its_full_stop():
    # Found by tests/security/test_fuzz_free_text.py.
    from renewals.checklist import stated_value

    assert stated_value("change the phone to 0412 345 678 \r.", "phone") == "0412 345 678"


@pytest.mark.parametrize(
    "item, typed",
    [
        ("contact_email", "becATcoastlinerealty.com.au"),
        ("contact_email", "bec at coastline realty"),
        ("contact_email", "jo@acme"),
        ("phone", "0412 555 98"),
        ("address", "PO Box 12, Feilding"),
        ("address", "5 Trade St, Capalaba QLD 4157"),
        ("company_name", "Ryan's Plumbing"),
        ("contact_name", "Noah Brown"),
    ],
)
def test_a_mangled_or_valid_answer_is_an_attempt_at_its_item(item, typed):
    assert attempts_item(item, typed)


@pytest.mark.parametrize(
    "item, typed",
    [
        ("contact_email", "who won the footy last night"),
        ("phone", "what's the time in Perth"),
        ("address", "hang on whats the weather doing in brissy this arvo"),
        ("company_name", "can you tell me a joke about accountants please?"),
        ("contact_name", "is it going to rain?"),
    ],
)
def test_an_unrelated_message_is_no_attempt_at_the_item(item, typed):
    assert not attempts_item(item, typed)


def test_phone_examples_fit_the_customers_country():
    from renewals.checklist import phone_examples

    assert phone_examples("AU") == "02 9555 0101 or 0412 345 678"
    assert phone_examples("NZ") == "09 555 0188 or 021 555 0188"
    assert (
        phone_examples(None) == "02 9555 0101 or 0412 345 678, or in New Zealand 09 555 0188 or 021 555 0188"
    )


def test_a_new_zealand_mobile_is_read_as_one_for_a_new_zealand_customer():
    from renewals.checklist import validate_phone

    # "021 555 0188" is also a valid Sydney number: the customer's region decides.
    assert validate_phone("021 555 0188", "NZ").value == "+64215550188"
    assert validate_phone("021 555 0188", "AU").value == "+61215550188"
    assert "like 09 555 0188" in validate_phone("555 01", "NZ").reason


@pytest.mark.parametrize(
    "address, region",
    [
        ("Level 2, 10 Queen Street, Auckland 1010", "NZ"),
        ("14 Tasman Quay, Nelson 7010, New Zealand", "NZ"),
        ("45 Pitt Street, Sydney NSW 2000", "AU"),
        ("3 Collins St, Melbourne VIC 3000", "AU"),
        ("12 Hamilton Rd, Hamilton QLD 4007", "AU"),  # a city name both countries use, with a state
        ("PO Box 112, Taupo 3330", "NZ"),
        ("Unit 4, 17 Hargrave Street", None),
    ],
)
def test_an_address_tells_its_country_when_it_names_a_state_or_a_city(address, region):
    from renewals.regions import region_of_address

    assert region_of_address(address) == region


@pytest.mark.parametrize(
    "said, company",
    [
        ("Need to lodge a renewal for Waratah Civil Pty Ltd please", "Waratah Civil Pty Ltd"),
        ("we need to renew our maintenance. company is Kea Freight Ltd", "Kea Freight Ltd"),
        (
            "I want to renew our Trend Micro for the Karori Rugby Football Club, can you do that",
            "Karori Rugby Football Club",
        ),
        ("lodge a renewal for us please", None),
        ("renew for 2 years", None),
        ("I want to renew for Apex One", None),
        ("our company is small, can we renew?", None),
    ],
)
def test_a_renewal_request_that_names_the_company_answers_the_first_item(said, company):
    assert company_named_in_request(said) == company


@pytest.mark.parametrize(
    "text, is_address",
    [
        ("Level 3, 50 Pitt Street, Sydney NSW 2000", True),
        ("Unit 4, 22 Sawyers Arms Rd, Christchurch 8053", True),
        ("PO Box 44, Nelson 7040", True),
        ("Waratah Civil Pty Ltd", False),
        ("42 Below Ltd", False),
        ("3M Australia", False),
    ],
)
def test_an_address_is_told_apart_from_a_company_name(text, is_address):
    assert looks_like_address(text) is is_address
