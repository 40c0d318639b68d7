"""Properties every renewal quote keeps, whatever the licence and dates."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from renewals.money import CENT
from renewals.pricelist import load_price_list
from renewals.quotes import quote_renewal
from tests.support.renewals_data import DEMO_DIR, make_licence

# Loaded here rather than from a fixture: hypothesis strategies are built at import time.
PRICE_LIST = load_price_list(DEMO_DIR / "pricing.yml")


@st.composite
def licences(draw):
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    return make_licence(
        region=draw(st.sampled_from(sorted(PRICE_LIST.regions))),
        product_code=draw(st.sampled_from(sorted(PRICE_LIST.products))),
        users=draw(st.integers(min_value=1, max_value=3000)),
        start_date=start,
        expiry_date=start + timedelta(days=draw(st.integers(min_value=1, max_value=3 * 366))),
    )


@st.composite
def renewals(draw):
    """(licence, renewal date, years, users): renewing on the day it is quoted."""
    licence = draw(licences())
    renewal_date = licence.start_date + timedelta(days=draw(st.integers(min_value=0, max_value=6 * 366)))
    years = draw(st.sampled_from([1, 2, 3]))
    users = draw(st.integers(min_value=1, max_value=3000))
    return licence, renewal_date, years, users


def quote(licence, renewal_date, years=1, users=None):
    return quote_renewal(
        licence, PRICE_LIST, today=renewal_date, renewal_date=renewal_date, years=years, users=users
    )


@given(renewals())
def test_total_is_subtotal_plus_gst_and_subtotal_is_renewal_plus_lapse(renewal):
    q = quote(*renewal)

    assert q.subtotal == q.renewal_charge + q.lapse_charge
    assert q.total == q.subtotal + q.gst


@given(renewals())
def test_every_amount_is_in_whole_cents(renewal):
    q = quote(*renewal)

    for amount in (q.renewal_charge, q.lapse_charge, q.subtotal, q.gst, q.total):
        assert amount == amount.quantize(CENT)
        assert amount.as_tuple().exponent == -2


@given(licences(), st.integers(min_value=0, max_value=400))
def test_nothing_lapses_when_renewing_by_the_day_after_expiry(licence, days_before_deadline):
    renewal_date = max(licence.start_date, licence.expiry_date + timedelta(days=1 - days_before_deadline))

    q = quote(licence, renewal_date)

    assert q.lapsed_days == 0
    assert q.lapse_charge == 0
    assert q.term_start == licence.expiry_date + timedelta(days=1)


@given(renewals(), st.integers(min_value=0, max_value=365))
def test_total_never_falls_as_the_renewal_date_moves_later(renewal, delay):
    licence, renewal_date, years, users = renewal
    later = renewal_date + timedelta(days=delay)

    sooner_quote = quote_renewal(
        licence, PRICE_LIST, today=renewal_date, renewal_date=renewal_date, years=years, users=users
    )
    later_quote = quote_renewal(
        licence, PRICE_LIST, today=renewal_date, renewal_date=later, years=years, users=users
    )

    assert later_quote.lapsed_days >= sooner_quote.lapsed_days
    assert later_quote.total >= sooner_quote.total


@given(renewals())
def test_cover_is_continuous_from_the_old_expiry(renewal):
    licence, renewal_date, years, users = renewal

    q = quote(licence, renewal_date, years, users)

    covered_from = q.lapse_start if q.lapsed_days else q.term_start
    assert covered_from == licence.expiry_date + timedelta(days=1)
    if q.lapsed_days:
        assert q.lapse_end + timedelta(days=1) == q.term_start == renewal_date
        assert (q.lapse_end - q.lapse_start).days + 1 == q.lapsed_days
    assert q.term_end.year - (q.term_start - timedelta(days=1)).year == years


@given(renewals())
def test_quoted_users_never_exceed_the_current_count(renewal):
    licence, renewal_date, years, users = renewal

    q = quote(licence, renewal_date, years, users)

    assert q.users == min(users, licence.users)
    assert q.additional_users_requested == max(0, users - licence.users)
    assert q.downsized == (users < licence.users)
