"""The facade the chat actions call: look up licences, their status and renewal quotes.

Calls are synchronous and touch the database; run them off the event loop.
The rules live in licences.py and quotes.py; this only wires storage and the clock to them.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Mapping, Optional

from sqlalchemy.engine import Engine

from renewals.clock import Clock, clock_from_env
from renewals.codes import normalise_activation_code
from renewals.db import database_url_from_env, make_engine
from renewals.licences import Licence, LicenceStatus, licence_status
from renewals.pricelist import PriceList, Product
from renewals.quotes import PriceListUnavailable, Quote, quote_renewal
from renewals.unit_of_work import UnitOfWork


class Renewals:
    def __init__(self, engine: Engine, clock: Clock):
        self._engine = engine
        self._clock = clock

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Renewals:
        """Uses DATABASE_URL (default var/renewals.db) and RENEWALS_TODAY (default: Sydney's date)."""
        return cls(make_engine(database_url_from_env(environ)), clock_from_env(environ))

    def today(self) -> date:
        return self._clock.today()

    def find_licence(self, code: str) -> Optional[Licence]:
        """The licence for an Activation Code typed in any case or spacing; None if malformed or unknown."""
        canonical = normalise_activation_code(code)
        if canonical is None:
            return None
        with UnitOfWork(self._engine) as uow:
            return uow.licences.get(canonical)

    def status(self, licence: Licence) -> LicenceStatus:
        return licence_status(licence, self.today())

    def quote(
        self, licence: Licence, renewal_date: Optional[date] = None, years: int = 1, users: Optional[int] = None
    ) -> Quote:
        """Raises a QuoteError subclass, whose message is for the customer, when no quote can be given."""
        return quote_renewal(
            licence, self._active_price_list(), today=self.today(), renewal_date=renewal_date, years=years, users=users
        )

    def product(self, code: str) -> Product:
        """Raises UnknownProduct when the active price list has no such product."""
        return self._active_price_list().product(code)

    def _active_price_list(self) -> PriceList:
        with UnitOfWork(self._engine) as uow:
            price_list = uow.price_lists.active()
        if price_list is None:
            raise PriceListUnavailable(
                "Prices aren't available right now. Please try again later or ask your reseller for a quote."
            )
        return price_list
