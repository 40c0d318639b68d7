"""The price list: products, user bands, and annual maintenance rates per user.

A rate is ex GST, per user per year, and depends on the product, the region
and the user band the licence's user count falls in. The YAML format is the
one in demo/pricing.yml.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from renewals.money import CENT
from renewals.regions import REGIONS

BRANDS = ("SMB", "Enterprise")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
# The first group of an Activation Code is two letters/digits (see renewals.codes).
_ACTIVATION_CODE_PREFIX_RE = re.compile(r"^[A-Z0-9]{2}$")
_GST_RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    brand: str  # "SMB" or "Enterprise": the console steps after renewal differ
    platforms: tuple[str, ...]
    activation_code_prefix: str

    def platform_named(self, name: str) -> Optional[str]:
        """This product's spelling of platform `name` (any case), or None."""
        wanted = name.strip().casefold()
        return next((p for p in self.platforms if p.casefold() == wanted), None)

    def platform_in(self, answer: str) -> Optional[str]:
        """The platform of this product that a free-text answer names ("it's on windows",
        "exchange"), or None when it names none or more than one."""
        wanted = " ".join(str(answer or "").casefold().split())
        exact = self.platform_named(wanted)
        if exact or len(wanted) < 3:
            return exact
        named = [p for p in self.platforms if p.casefold() in wanted or wanted in p.casefold()]
        return named[0] if len(named) == 1 else None


@dataclass(frozen=True)
class UserBand:
    min_users: int
    max_users: Optional[int]  # None: no upper limit

    def contains(self, users: int) -> bool:
        return users >= self.min_users and (self.max_users is None or users <= self.max_users)


@dataclass(frozen=True)
class RegionTerms:
    currency: str
    gst_rate: Decimal  # 0.10 means 10 %


class PriceLookupError(LookupError):
    """Asked for a product or region the price list does not have."""


class UnknownProduct(PriceLookupError):
    pass


class UnknownRegion(PriceLookupError):
    pass


@dataclass(frozen=True)
class PriceList:
    regions: Mapping[str, RegionTerms]
    days_per_year: int  # denominator when charging lapsed days
    bands: tuple[UserBand, ...]  # contiguous from 1 user, the last open-ended
    products: Mapping[str, Product]
    # (product code, region) -> one annual rate per user for each band, in band order
    rates: Mapping[tuple[str, str], tuple[Decimal, ...]]

    def product(self, code: str) -> Product:
        try:
            return self.products[code]
        except KeyError:
            raise UnknownProduct(f"no product {code!r} in the price list") from None

    def terms(self, region: str) -> RegionTerms:
        try:
            return self.regions[region]
        except KeyError:
            raise UnknownRegion(f"no region {region!r} in the price list") from None

    def band_index(self, users: int) -> int:
        if users < 1:
            raise ValueError("a user count is at least 1")
        # Validation guarantees contiguous bands ending open-ended, so one always matches.
        return next(i for i, band in enumerate(self.bands) if band.contains(users))

    def band(self, users: int) -> UserBand:
        """The user band `users` falls in."""
        return self.bands[self.band_index(users)]

    def rate(self, product_code: str, region: str, users: int) -> Decimal:
        """Annual rate per user, ex GST, for `users` users of the product in the region."""
        self.product(product_code)
        self.terms(region)
        return self.rates[(product_code, region)][self.band_index(users)]

    def band_rates(self, product_code: str, region: str) -> tuple[tuple[UserBand, Decimal], ...]:
        """The product's list prices in the region: (user band, annual rate per user ex GST), smallest band
        first."""
        self.product(product_code)
        self.terms(region)
        return tuple(zip(self.bands, self.rates[(product_code, region)]))

    def fingerprint(self) -> str:
        """SHA-256 of the content, so re-importing an unchanged file changes nothing."""
        content = {
            "regions": {
                r: [t.currency, str(t.gst_rate.normalize())] for r, t in sorted(self.regions.items())
            },
            "days_per_year": self.days_per_year,
            "bands": [[b.min_users, b.max_users] for b in self.bands],
            "products": [
                [p.code, p.name, p.brand, list(p.platforms), p.activation_code_prefix]
                for p in sorted(self.products.values(), key=lambda p: p.code)
            ],
            "rates": [
                [product, region, [str(r.quantize(CENT)) for r in rates]]
                for (product, region), rates in sorted(self.rates.items())
            ],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class PriceListProblem:
    field: str  # where in the file, e.g. "products[2].annual_rate_per_user.NZ[0]"
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class PriceListError(ValueError):
    """The price list is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[PriceListProblem]):
        self.problems = tuple(problems)
        super().__init__("invalid price list: " + "; ".join(str(p) for p in self.problems))


def load_price_list(path: Path) -> PriceList:
    try:
        with open(path, encoding="utf-8") as stream:
            data = yaml.safe_load(stream)
    except (UnicodeDecodeError, yaml.YAMLError):
        raise PriceListError([PriceListProblem("file", "is not a UTF-8 YAML file")]) from None
    return price_list_from_mapping(data)


def price_list_from_mapping(data: Any) -> PriceList:
    """Validate parsed YAML and build the PriceList, reporting every problem at once."""
    parser = _PriceListParser()
    price_list = parser.parse(data)
    if parser.problems:
        raise PriceListError(parser.problems)
    assert price_list is not None
    return price_list


class _PriceListParser:
    def __init__(self) -> None:
        self.problems: list[PriceListProblem] = []

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(PriceListProblem(field, reason))

    def parse(self, data: Any) -> Optional[PriceList]:
        if not isinstance(data, dict):
            self.problem(
                "file", "expected a mapping with currency, gst_rate, days_per_year, user_bands and products"
            )
            return None
        regions = self.parse_regions(data.get("currency"), data.get("gst_rate"))
        days_per_year: Any = data.get("days_per_year")  # YAML: checked below
        if not _is_int(days_per_year) or days_per_year not in (365, 366):
            self.problem("days_per_year", "must be 365 or 366")
        raw_bands = data.get("user_bands")
        bands = self.parse_bands(raw_bands)
        # Count the bands as written, so one bad band is not also reported as a rate problem.
        band_count = len(raw_bands) if isinstance(raw_bands, list) else 0
        products, rates = self.parse_products(data.get("products"), band_count)
        if self.problems:
            return None
        return PriceList(
            regions=regions, days_per_year=days_per_year, bands=bands, products=products, rates=rates
        )

    def parse_regions(self, currencies: Any, gst_rates: Any) -> dict[str, RegionTerms]:
        for name, value in (("currency", currencies), ("gst_rate", gst_rates)):
            if not isinstance(value, dict) or sorted(value) != sorted(REGIONS):
                self.problem(name, f"must give exactly the regions {', '.join(REGIONS)}")
        if self.problems:
            return {}
        regions = {}
        for region in REGIONS:
            currency = currencies[region]
            if not isinstance(currency, str) or not _CURRENCY_RE.match(currency):
                self.problem(f"currency.{region}", "must be a three-letter currency code such as AUD")
            gst_rate = self.decimal(f"gst_rate.{region}", gst_rates[region])
            if gst_rate is not None:
                if not Decimal(0) <= gst_rate < Decimal(1):
                    self.problem(
                        f"gst_rate.{region}", "must be a fraction from 0 up to 1, e.g. '0.10' for 10 %"
                    )
                elif gst_rate != gst_rate.quantize(_GST_RATE_PLACES):
                    self.problem(f"gst_rate.{region}", "must have at most 4 decimal places")
            if gst_rate is not None:  # else a problem is recorded, and no price list is made
                regions[region] = RegionTerms(currency=currency, gst_rate=gst_rate)
        return regions

    def parse_bands(self, raw_bands: Any) -> tuple[UserBand, ...]:
        if not isinstance(raw_bands, list) or not raw_bands:
            self.problem("user_bands", "must be a non-empty list of {min, max} bands")
            return ()
        bands = []
        expected_min = 1
        for index, raw in enumerate(raw_bands):
            field = f"user_bands[{index}]"
            is_last = index == len(raw_bands) - 1
            if not isinstance(raw, dict):
                self.problem(field, "must be a mapping with min and max")
                continue
            low: Any = raw.get("min")  # YAML: checked below
            high: Any = raw.get("max")
            if not _is_int(low) or low != expected_min:
                self.problem(
                    f"{field}.min",
                    f"must be {expected_min}: bands start at 1 and follow on without gaps or overlaps",
                )
            if is_last:
                if high is not None:
                    self.problem(
                        f"{field}.max",
                        "the last band must have no upper limit (max: null) so every user count has a price",
                    )
            elif not _is_int(high) or not _is_int(low) or high < low:
                self.problem(
                    f"{field}.max",
                    "must be a whole number no smaller than min (only the last band may be open-ended)",
                )
            if _is_int(low) and (high is None or _is_int(high)):
                bands.append(UserBand(min_users=low, max_users=high))
            expected_min = high + 1 if _is_int(high) else expected_min
        return tuple(bands)

    def parse_products(self, raw_products: Any, band_count: int):
        products: dict[str, Product] = {}
        rates: dict[tuple[str, str], tuple[Decimal, ...]] = {}
        if not isinstance(raw_products, list) or not raw_products:
            self.problem("products", "must be a non-empty list")
            return products, rates
        prefixes: dict[str, str] = {}
        for index, raw in enumerate(raw_products):
            field = f"products[{index}]"
            if not isinstance(raw, dict):
                self.problem(field, "must be a mapping")
                continue
            code = raw.get("code")
            if not isinstance(code, str) or not code.strip():
                self.problem(f"{field}.code", "is required")
                continue
            if code in products:
                self.problem(f"{field}.code", f"{code} appears more than once")
                continue
            name: Any = raw.get("name")  # YAML: each value is checked before use
            if not isinstance(name, str) or not name.strip():
                self.problem(f"{field}.name", "is required")
            brand: Any = raw.get("brand")
            if brand not in BRANDS:
                self.problem(f"{field}.brand", f"must be one of {', '.join(BRANDS)}")
            platforms = raw.get("platforms")
            if (
                not isinstance(platforms, list)
                or not platforms
                or not all(isinstance(p, str) and p.strip() for p in platforms)
            ):
                self.problem(f"{field}.platforms", "must be a non-empty list of platform names")
                platforms = []
            prefix: Any = raw.get("activation_code_prefix")
            if not isinstance(prefix, str) or not _ACTIVATION_CODE_PREFIX_RE.match(prefix):
                self.problem(f"{field}.activation_code_prefix", "must be two upper-case letters or digits")
            elif prefix in prefixes:
                self.problem(
                    f"{field}.activation_code_prefix", f"{prefix} is already used by {prefixes[prefix]}"
                )
            else:
                prefixes[prefix] = code
            products[code] = Product(
                code=code,
                name=name,
                brand=brand,
                platforms=tuple(platforms),
                activation_code_prefix=prefix,
            )
            for region, region_rates in self.parse_rates(
                f"{field}.annual_rate_per_user", raw.get("annual_rate_per_user"), band_count
            ).items():
                rates[(code, region)] = region_rates
        return products, rates

    def parse_rates(self, field: str, raw: Any, band_count: int) -> dict[str, tuple[Decimal, ...]]:
        if not isinstance(raw, dict) or sorted(raw) != sorted(REGIONS):
            self.problem(field, f"must give rates for exactly the regions {', '.join(REGIONS)}")
            return {}
        rates = {}
        for region in REGIONS:
            raw_rates = raw[region]
            if not isinstance(raw_rates, list) or len(raw_rates) != band_count:
                self.problem(f"{field}.{region}", f"must list one rate per user band ({band_count})")
                continue
            region_rates = []
            for index, raw_rate in enumerate(raw_rates):
                rate_field = f"{field}.{region}[{index}]"
                rate = self.decimal(rate_field, raw_rate)
                if rate is None:
                    continue
                if rate <= 0:
                    self.problem(rate_field, "must be more than zero")
                elif rate != rate.quantize(CENT):
                    self.problem(rate_field, "must be in whole cents")
                region_rates.append(rate.quantize(CENT))
            rates[region] = tuple(region_rates)
        return rates

    def decimal(self, field: str, raw: Any) -> Optional[Decimal]:
        # YAML reads 38.64 as a binary float; quoted strings keep amounts exact.
        if isinstance(raw, float):
            self.problem(field, "write amounts in quotes (e.g. '38.64') so they are read exactly")
            return None
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            self.problem(field, "must be a number in quotes, e.g. '38.64'")
            return None
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            self.problem(field, "must be a number, e.g. '38.64'")
            return None
        if not value.is_finite():
            self.problem(field, "must be a finite number")
            return None
        return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
