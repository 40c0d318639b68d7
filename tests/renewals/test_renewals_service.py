"""The facade the chat actions call."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from renewals.clock import FixedClock
from renewals.importers import load_demo
from renewals.licences import LicenceStatusKind
from renewals.pricelist import UnknownProduct
from renewals.quotes import InvalidTerm, PriceListUnavailable
from renewals.service import Renewals
from tests.support.renewals_data import DEMO_DIR, QUOKKA_TRAVEL


@pytest.fixture
def renewals(sqlite_engine, sqlite_url):
    load_demo(sqlite_engine, DEMO_DIR)
    return Renewals.from_env({"DATABASE_URL": sqlite_url, "RENEWALS_TODAY": "2026-11-28"})


@pytest.mark.parametrize(
    "typed",
    [
        "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD",
        "ws-zhq7-9wpk9-upnrr-jjjw3-lxph8-s7uhd",
        " WS ZHQ7 9WPK9 UPNRR JJJW3 LXPH8 S7UHD ",
        "WSZHQ79WPK9UPNRRJJJW3LXPH8S7UHD",
    ],
)
def test_find_licence_accepts_the_code_however_it_was_typed(renewals, typed):
    assert renewals.find_licence(typed).company == "Quokka Travel"


@pytest.mark.parametrize(
    "typed",
    [
        "WS-AAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA",
        "not a code",
        "",
        "my code is WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD",
    ],
)
def test_find_licence_gives_none_for_unknown_or_malformed_codes(renewals, typed):
    assert renewals.find_licence(typed) is None


def test_today_comes_from_renewals_today(renewals):
    assert renewals.today() == date(2026, 11, 28)


def test_status_is_as_of_today(renewals):
    status = renewals.status(renewals.find_licence(QUOKKA_TRAVEL.activation_code))

    assert status.kind is LicenceStatusKind.LAPSED
    assert status.days_since_expiry == 30


def test_quote_for_quokka_travel_today_is_aud_2294_05(renewals):
    quote = renewals.quote(renewals.find_licence(QUOKKA_TRAVEL.activation_code))

    assert (quote.currency, quote.total) == ("AUD", Decimal("2294.05"))
    assert quote.term_end == date(2027, 11, 27)


def test_quote_passes_on_the_term_users_and_date(renewals):
    licence = renewals.find_licence(QUOKKA_TRAVEL.activation_code)

    quote = renewals.quote(licence, renewal_date=date(2026, 12, 1), years=2, users=30)

    assert (quote.renewal_date, quote.years, quote.users, quote.lapsed_days) == (date(2026, 12, 1), 2, 30, 32)
    with pytest.raises(InvalidTerm):
        renewals.quote(licence, years=4)


def test_product_comes_from_the_active_price_list(renewals):
    assert renewals.product("APEX-ONE").brand == "Enterprise"
    with pytest.raises(UnknownProduct):
        renewals.product("OFFICESCAN")


def test_quoting_without_a_price_list_says_prices_are_unavailable(sqlite_engine):
    service = Renewals(sqlite_engine, FixedClock(date(2026, 11, 28)))

    with pytest.raises(PriceListUnavailable, match="Prices aren't available right now"):
        service.quote(QUOKKA_TRAVEL)
