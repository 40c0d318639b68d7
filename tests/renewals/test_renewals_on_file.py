"""A renewal pre-filled from the licence on file, and what the chat may show of its contact details."""

from __future__ import annotations

from datetime import date

from renewals.on_file import contact_details, masked, prefilled
from tests.support.renewals_data import QUOKKA_TRAVEL


def test_a_licence_fills_all_eight_items_with_its_own_user_count():
    checklist = prefilled(QUOKKA_TRAVEL)
    assert checklist.missing_fields() == ()
    assert (checklist.company_name, checklist.product_code, checklist.platform) == (
        "Quokka Travel",
        "WFBS-STD",
        "Windows",
    )
    assert checklist.user_count == 50 and checklist.licence_expiry == date(2026, 10, 29)


def test_the_user_count_just_quoted_is_kept_but_never_above_the_licences():
    assert prefilled(QUOKKA_TRAVEL, quoted_users=30).user_count == 30
    assert prefilled(QUOKKA_TRAVEL, quoted_users=80).user_count == 50


def test_the_phone_on_file_is_stored_as_the_form_stores_a_checked_one():
    assert prefilled(QUOKKA_TRAVEL).phone == contact_details(QUOKKA_TRAVEL)["phone"]
    assert contact_details(QUOKKA_TRAVEL)["phone"].startswith("+61")
    assert contact_details(None) == {}


def test_details_from_the_record_are_shown_masked():
    assert masked("contact_email", "jordan.quill@acmewidgets.com.au") == "j…@acmewidgets.com.au"
    assert masked("phone", "+61412555987") == "…987"
    assert masked("contact_name", "Jordan Quill") == "J. Q."
    assert masked("address", "12 Harbour Street, Parramatta NSW 2150") == "…, Parramatta NSW 2150"
    assert masked("address", "PO Box 12") == "…"
