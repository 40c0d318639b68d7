"""The facade the chat actions call: licences, their status, renewal quotes and support cases.

Calls are synchronous and touch the database; run them off the event loop.
The rules live in licences.py, quotes.py, checklist.py and cases.py; this only
wires storage, the clock and the delivery settings to them.
"""
from __future__ import annotations

import os
from datetime import date
from typing import Any, Mapping, Optional, Sequence

from sqlalchemy.engine import Engine

from renewals.cases import Case, open_renewal_case
from renewals.checklist import FieldCheck, ProductMatch, RenewalChecklist, match_product, rank_products, validate_expiry
from renewals.clock import Clock, clock_from_env
from renewals.codes import normalise_activation_code
from renewals.db import database_url_from_env, make_engine
from renewals.licences import Licence, LicenceStatus, licence_status
from renewals.pricelist import PriceList, Product
from renewals.quotes import PriceListUnavailable, Quote, quote_renewal
from renewals.outbox import CASE_WEBHOOK_TOPIC
from renewals.unit_of_work import UnitOfWork
from renewals.webhook import webhook_configured


class Renewals:
    def __init__(self, engine: Engine, clock: Clock, case_delivery_topics: Sequence[str] = ()):
        """`case_delivery_topics`: outbox topics each new case is queued for (none: cases stay local)."""
        self._engine = engine
        self._clock = clock
        self._case_delivery_topics = tuple(case_delivery_topics)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Renewals:
        """Uses DATABASE_URL (default var/renewals.db), RENEWALS_TODAY (default: Sydney's date)
        and CASE_WEBHOOK_URL (when set, new cases are queued for the webhook)."""
        topics = (CASE_WEBHOOK_TOPIC,) if webhook_configured(environ) else ()
        return cls(make_engine(database_url_from_env(environ)), clock_from_env(environ), topics)

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

    def match_product(self, text: Any) -> Optional[ProductMatch]:
        """The product (and platform) the customer's words most plausibly name, or None; confirm it unless exact.

        Raises PriceListUnavailable when there is no price list.
        """
        return match_product(text, self._active_price_list())

    def product_candidates(self, text: Any, limit: int = 3) -> list[ProductMatch]:
        """Products to offer when match_product finds none or several, best first."""
        return rank_products(text, self._active_price_list())[:limit]

    def validate_expiry(self, text: Any) -> FieldCheck[date]:
        """The licence expiry date the customer typed (day first), read against today."""
        return validate_expiry(text, self._clock)

    def open_renewal_case(
        self,
        checklist: RenewalChecklist,
        conversation_id: str,
        channel: Optional[str],
        licence: Optional[Licence] = None,
    ) -> Case:
        """Open the case for a confirmed checklist, or return the one these details already opened.

        Raises IncompleteChecklist or InvalidChecklist (renewals.checklist), whose
        messages name fields only. Safe to call again after a timeout or retry.
        """
        with UnitOfWork(self._engine, immediate=True) as uow:
            return open_renewal_case(
                uow, checklist, conversation_id, channel, licence,
                clock=self._clock, delivery_topics=self._case_delivery_topics,
            )

    def reseller_name(self, reseller_id: str) -> Optional[str]:
        """The reseller's business name (e.g. for "Harbour Systems will contact you"), or None if unknown."""
        with UnitOfWork(self._engine) as uow:
            reseller = uow.resellers.get(reseller_id)
        return reseller.name if reseller is not None else None

    def case(self, reference: str) -> Optional[Case]:
        with UnitOfWork(self._engine) as uow:
            return uow.cases.get(reference.strip().upper())

    def _active_price_list(self) -> PriceList:
        with UnitOfWork(self._engine) as uow:
            price_list = uow.price_lists.active()
        if price_list is None:
            raise PriceListUnavailable(
                "Prices aren't available right now. Please try again later or ask your reseller for a quote."
            )
        return price_list
