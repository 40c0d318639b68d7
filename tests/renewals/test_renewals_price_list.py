"""The price list: loading demo/pricing.yml, finding rates, and refusing bad price lists."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from renewals.pricelist import (
    PriceListError,
    UnknownProduct,
    UnknownRegion,
    UserBand,
    price_list_from_mapping,
)
from tests.support.renewals_data import DEMO_DIR

DEMO_DATA = yaml.safe_load((DEMO_DIR / "pricing.yml").read_text())


def demo_data():
    return copy.deepcopy(DEMO_DATA)


def problems_in(data) -> list[str]:
    with pytest.raises(PriceListError) as rejected:
        price_list_from_mapping(data)
    return [str(problem) for problem in rejected.value.problems]


def test_demo_price_list_has_eight_products_six_bands_and_both_regions(demo_price_list):
    assert len(demo_price_list.products) == 8
    assert demo_price_list.bands[0] == UserBand(1, 25)
    assert demo_price_list.bands[-1] == UserBand(1001, None)
    assert demo_price_list.days_per_year == 365
    assert demo_price_list.terms("AU").currency == "AUD"
    assert demo_price_list.terms("NZ").gst_rate == Decimal("0.15")


def test_products_carry_brand_platforms_and_activation_code_prefix(demo_price_list):
    product = demo_price_list.product("WFBS-ADV")

    assert product.name == "Worry-Free Business Security Advanced"
    assert product.brand == "SMB"
    assert product.platforms == ("Windows", "Mac", "Microsoft Exchange")
    assert product.activation_code_prefix == "WA"
    assert product.platform_named("microsoft exchange") == "Microsoft Exchange"
    assert product.platform_named("Linux") is None


@pytest.mark.parametrize(
    "users, rate",
    [
        (1, "42.00"),
        (25, "42.00"),
        (26, "38.64"),
        (50, "38.64"),
        (51, "35.70"),
        (1000, "29.40"),
        (1001, "26.04"),
        (100000, "26.04"),
    ],
)
def test_rate_follows_the_band_the_user_count_falls_in(demo_price_list, users, rate):
    assert demo_price_list.rate("WFBS-STD", "AU", users) == Decimal(rate)


def test_rates_are_per_region(demo_price_list):
    assert demo_price_list.rate("DSEC", "NZ", 50) == Decimal("96.27")


def test_unknown_product_or_region_is_a_lookup_error(demo_price_list):
    with pytest.raises(UnknownProduct):
        demo_price_list.rate("OFFICESCAN", "AU", 10)
    with pytest.raises(UnknownRegion):
        demo_price_list.rate("WFBS-STD", "US", 10)


def test_a_gap_between_bands_is_refused():
    data = demo_data()
    data["user_bands"][1]["min"] = 27

    assert (
        "user_bands[1].min: must be 26: bands start at 1 and follow on without gaps or overlaps"
        in problems_in(data)
    )


def test_overlapping_bands_are_refused():
    data = demo_data()
    data["user_bands"][2]["min"] = 50

    assert any(problem.startswith("user_bands[2].min: must be 51") for problem in problems_in(data))


def test_a_closed_last_band_is_refused_so_every_count_has_a_price():
    data = demo_data()
    data["user_bands"][-1]["max"] = 5000

    assert any(
        problem.startswith("user_bands[5].max: the last band must have no upper limit")
        for problem in problems_in(data)
    )


def test_each_band_needs_exactly_one_rate():
    data = demo_data()
    data["products"][0]["annual_rate_per_user"]["NZ"].pop()

    assert problems_in(data) == ["products[0].annual_rate_per_user.NZ: must list one rate per user band (6)"]


@pytest.mark.parametrize(
    "rate, reason",
    [
        ("0.00", "must be more than zero"),
        ("-1.00", "must be more than zero"),
        ("38.645", "must be in whole cents"),
        (38.64, "write amounts in quotes (e.g. '38.64') so they are read exactly"),
        ("lots", "must be a number, e.g. '38.64'"),
    ],
)
def test_rates_must_be_positive_exact_amounts_in_cents(rate, reason):
    data = demo_data()
    data["products"][2]["annual_rate_per_user"]["AU"][3] = rate

    assert problems_in(data) == [f"products[2].annual_rate_per_user.AU[3]: {reason}"]


def test_every_problem_is_reported_at_once():
    data = demo_data()
    data["gst_rate"]["NZ"] = "1.5"
    data["days_per_year"] = 360
    data["products"][1]["brand"] = "Home"
    data["products"][3]["platforms"] = []
    data["products"][4]["activation_code_prefix"] = "WS"

    assert problems_in(data) == [
        "gst_rate.NZ: must be a fraction from 0 up to 1, e.g. '0.10' for 10 %",
        "days_per_year: must be 365 or 366",
        "products[1].brand: must be one of SMB, Enterprise",
        "products[3].platforms: must be a non-empty list of platform names",
        "products[4].activation_code_prefix: WS is already used by WFBS-STD",
    ]


def test_both_regions_need_a_currency_and_gst_rate():
    data = demo_data()
    del data["currency"]["NZ"]

    assert problems_in(data) == ["currency: must give exactly the regions AU, NZ"]


def test_duplicate_product_codes_are_refused():
    data = demo_data()
    data["products"].append(copy.deepcopy(data["products"][0]))

    assert problems_in(data) == ["products[8].code: WFBS-STD appears more than once"]


def test_a_file_that_is_not_a_price_list_is_refused():
    assert problems_in(["not", "a", "mapping"]) == [
        "file: expected a mapping with currency, gst_rate, days_per_year, user_bands and products"
    ]


def test_fingerprint_changes_with_content_only(demo_price_list):
    same = price_list_from_mapping(demo_data())
    changed_data = demo_data()
    changed_data["products"][0]["annual_rate_per_user"]["AU"][0] = "43.00"

    assert same.fingerprint() == demo_price_list.fingerprint()
    assert price_list_from_mapping(changed_data).fingerprint() != demo_price_list.fingerprint()
