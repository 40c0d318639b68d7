"""Repositories: load and save domain objects within one unit of work's connection."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, fields
from typing import Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from renewals.db import (
    licences,
    price_list_bands,
    price_list_rates,
    price_list_regions,
    price_lists,
    product_platforms,
    products,
    resellers,
)
from renewals.licences import Licence
from renewals.pricelist import PriceList, Product, RegionTerms, UserBand
from renewals.resellers import Reseller

_LICENCE_COLUMNS = [f.name for f in fields(Licence)]
_RESELLER_COLUMNS = [f.name for f in fields(Reseller)]


class LicenceRepository:
    def __init__(self, connection: Connection):
        self._connection = connection

    def get(self, activation_code: str) -> Optional[Licence]:
        """The licence with this canonical Activation Code (see renewals.codes), or None."""
        row = self._connection.execute(
            select(*[licences.c[name] for name in _LICENCE_COLUMNS]).where(
                licences.c.activation_code == activation_code
            )
        ).one_or_none()
        return None if row is None else Licence(**row._mapping)

    def list(self) -> list[Licence]:
        """All licences, soonest expiry first."""
        rows = self._connection.execute(
            select(*[licences.c[name] for name in _LICENCE_COLUMNS]).order_by(
                licences.c.expiry_date, licences.c.activation_code
            )
        )
        return [Licence(**row._mapping) for row in rows]

    def count(self) -> int:
        return self._connection.execute(select(func.count()).select_from(licences)).scalar_one()

    def save(self, licence: Licence) -> None:
        """Insert the licence, or update the one with the same Activation Code."""
        values = asdict(licence)
        updated = self._connection.execute(
            update(licences).where(licences.c.activation_code == licence.activation_code).values(**values)
        )
        if updated.rowcount == 0:
            self._connection.execute(insert(licences).values(**values))

    def product_codes_in_use(self) -> set[str]:
        return set(self._connection.execute(select(licences.c.product_code).distinct()).scalars())


class ResellerRepository:
    def __init__(self, connection: Connection):
        self._connection = connection

    def get(self, reseller_id: str) -> Optional[Reseller]:
        row = self._connection.execute(
            select(*[resellers.c[name] for name in _RESELLER_COLUMNS]).where(resellers.c.reseller_id == reseller_id)
        ).one_or_none()
        return None if row is None else Reseller(**row._mapping)

    def list(self) -> list[Reseller]:
        rows = self._connection.execute(
            select(*[resellers.c[name] for name in _RESELLER_COLUMNS]).order_by(resellers.c.reseller_id)
        )
        return [Reseller(**row._mapping) for row in rows]

    def ids(self) -> set[str]:
        return set(self._connection.execute(select(resellers.c.reseller_id)).scalars())

    def save(self, reseller: Reseller) -> None:
        """Insert the reseller, or update the one with the same id."""
        values = asdict(reseller)
        updated = self._connection.execute(
            update(resellers).where(resellers.c.reseller_id == reseller.reseller_id).values(**values)
        )
        if updated.rowcount == 0:
            self._connection.execute(insert(resellers).values(**values))


class PriceListRepository:
    """Price lists are never changed in place: each import adds a version, and the highest is active."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def active_version(self) -> Optional[int]:
        return self._connection.execute(select(func.max(price_lists.c.version))).scalar_one()

    def active(self) -> Optional[PriceList]:
        version = self.active_version()
        return None if version is None else self._load(version)

    def replace_active(self, price_list: PriceList) -> int:
        """Make `price_list` the active one and return its version.

        An unchanged price list keeps the active version rather than adding a copy.
        """
        active_version = self.active_version()
        fingerprint = price_list.fingerprint()
        if active_version is not None and self._fingerprint(active_version) == fingerprint:
            return active_version
        version = (active_version or 0) + 1
        for product in price_list.products.values():
            self._save_product(product)
        self._connection.execute(
            insert(price_lists).values(
                version=version, fingerprint=fingerprint, days_per_year=price_list.days_per_year
            )
        )
        self._connection.execute(
            insert(price_list_regions),
            [
                {"price_list_version": version, "region": region, "currency": terms.currency, "gst_rate": terms.gst_rate}
                for region, terms in price_list.regions.items()
            ],
        )
        self._connection.execute(
            insert(price_list_bands),
            [
                {"price_list_version": version, "position": position, "min_users": band.min_users, "max_users": band.max_users}
                for position, band in enumerate(price_list.bands)
            ],
        )
        self._connection.execute(
            insert(price_list_rates),
            [
                {
                    "price_list_version": version,
                    "product_code": product_code,
                    "region": region,
                    "band_position": position,
                    "annual_rate_per_user": rate,
                }
                for (product_code, region), rates in price_list.rates.items()
                for position, rate in enumerate(rates)
            ],
        )
        return version

    def _fingerprint(self, version: int) -> str:
        return self._connection.execute(
            select(price_lists.c.fingerprint).where(price_lists.c.version == version)
        ).scalar_one()

    def _save_product(self, product: Product) -> None:
        values = {"name": product.name, "brand": product.brand, "activation_code_prefix": product.activation_code_prefix}
        updated = self._connection.execute(update(products).where(products.c.code == product.code).values(**values))
        if updated.rowcount == 0:
            self._connection.execute(insert(products).values(code=product.code, **values))
        self._connection.execute(delete(product_platforms).where(product_platforms.c.product_code == product.code))
        self._connection.execute(
            insert(product_platforms),
            [
                {"product_code": product.code, "platform": platform, "position": position}
                for position, platform in enumerate(product.platforms)
            ],
        )

    def _load(self, version: int) -> PriceList:
        connection = self._connection
        days_per_year = connection.execute(
            select(price_lists.c.days_per_year).where(price_lists.c.version == version)
        ).scalar_one()
        regions = {
            row.region: RegionTerms(currency=row.currency, gst_rate=row.gst_rate)
            for row in connection.execute(
                select(price_list_regions).where(price_list_regions.c.price_list_version == version)
            )
        }
        bands = tuple(
            UserBand(min_users=row.min_users, max_users=row.max_users)
            for row in connection.execute(
                select(price_list_bands)
                .where(price_list_bands.c.price_list_version == version)
                .order_by(price_list_bands.c.position)
            )
        )
        rates: dict[tuple[str, str], list] = defaultdict(list)
        for row in connection.execute(
            select(price_list_rates)
            .where(price_list_rates.c.price_list_version == version)
            .order_by(price_list_rates.c.product_code, price_list_rates.c.region, price_list_rates.c.band_position)
        ):
            rates[(row.product_code, row.region)].append(row.annual_rate_per_user)
        product_codes = sorted({product_code for product_code, _ in rates})
        return PriceList(
            regions=regions,
            days_per_year=days_per_year,
            bands=bands,
            products=self._load_products(product_codes),
            rates={key: tuple(values) for key, values in rates.items()},
        )

    def _load_products(self, codes: list[str]) -> dict[str, Product]:
        platforms: dict[str, list[str]] = defaultdict(list)
        for row in self._connection.execute(
            select(product_platforms)
            .where(product_platforms.c.product_code.in_(codes))
            .order_by(product_platforms.c.product_code, product_platforms.c.position)
        ):
            platforms[row.product_code].append(row.platform)
        return {
            row.code: Product(
                code=row.code,
                name=row.name,
                brand=row.brand,
                platforms=tuple(platforms[row.code]),
                activation_code_prefix=row.activation_code_prefix,
            )
            for row in self._connection.execute(select(products).where(products.c.code.in_(codes)).order_by(products.c.code))
        }
