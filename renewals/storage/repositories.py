"""Repositories: load and save domain objects within one unit of work's connection."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Iterable, List, Optional, Sequence

from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from renewals.canned_replies import CannedReply
from renewals.cases import Case, CaseEvent, CaseStatus
from renewals.chat_ratings import ChatRating, RatingSummary
from renewals.checklist import CHECKLIST_FIELDS, RenewalChecklist
from renewals.conflicts import AlreadyRecorded
from renewals.licences import Licence
from renewals.notices import NoticeRecord
from renewals.outbox import NOTICE_EMAIL_TOPIC, OutboxMessage
from renewals.pricelist import PriceList, Product, RegionTerms, UserBand
from renewals.resellers import TEAM, USER, Reseller, SlackLink
from renewals.storage.db import (
    agent_api_tokens,
    agent_login_failures,
    agent_sessions,
    agents,
    canned_replies,
    case_events,
    case_reference_counters,
    cases,
    chat_ratings,
    chat_typing,
    job_runs,
    licences,
    outbox,
    price_list_bands,
    price_list_rates,
    price_list_regions,
    price_lists,
    product_platforms,
    products,
    rate_limits,
    renewal_notices,
    resellers,
    slack_links,
)

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

    def id_of(self, activation_code: str) -> Optional[int]:
        return self._connection.execute(
            select(licences.c.id).where(licences.c.activation_code == activation_code)
        ).scalar_one_or_none()

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

    def expiring_between(self, first: date, last: date) -> List[Licence]:
        """Licences whose maintenance expires from `first` to `last`, both included, soonest first."""
        rows = self._connection.execute(
            select(*[licences.c[name] for name in _LICENCE_COLUMNS])
            .where(licences.c.expiry_date >= first, licences.c.expiry_date <= last)
            .order_by(licences.c.expiry_date, licences.c.activation_code)
        )
        return [Licence(**row._mapping) for row in rows]

    def of_reseller(self, reseller_id: str) -> List[Licence]:
        """The reseller's customers' licences, soonest expiry first."""
        rows = self._connection.execute(
            select(*[licences.c[name] for name in _LICENCE_COLUMNS])
            .where(licences.c.reseller_id == reseller_id)
            .order_by(licences.c.expiry_date, licences.c.activation_code)
        )
        return [Licence(**row._mapping) for row in rows]

    def save(self, licence: Licence) -> None:
        """Insert the licence, or update the one with the same Activation Code."""
        values = asdict(licence)
        updated = self._connection.execute(
            update(licences).where(licences.c.activation_code == licence.activation_code).values(**values)
        )
        if updated.rowcount == 0:
            self._connection.execute(insert(licences).values(**values))

    def count_with_contact_email(self, email: str) -> int:
        """How many licences name `email` as their contact, ignoring case."""
        return self._connection.execute(
            select(func.count())
            .select_from(licences)
            .where(func.lower(licences.c.contact_email) == email.strip().lower())
        ).scalar_one()

    def product_codes_in_use(self) -> set[str]:
        return set(self._connection.execute(select(licences.c.product_code).distinct()).scalars())


class ResellerRepository:
    def __init__(self, connection: Connection):
        self._connection = connection

    def get(self, reseller_id: str) -> Optional[Reseller]:
        row = self._connection.execute(
            select(*[resellers.c[name] for name in _RESELLER_COLUMNS]).where(
                resellers.c.reseller_id == reseller_id
            )
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

    def set_slack_channel(self, reseller_id: str, channel_id: Optional[str]) -> bool:
        """Where the reseller's case notifications go in Slack (None: nowhere); False if no such reseller."""
        result = self._connection.execute(
            update(resellers)
            .where(resellers.c.reseller_id == reseller_id)
            .values(slack_channel_id=channel_id)
        )
        return result.rowcount == 1


class SlackLinkRepository:
    """Which reseller each linked Slack user or workspace acts for (see renewals.resellers)."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def get(self, kind: str, slack_id: str) -> Optional[SlackLink]:
        row = self._connection.execute(
            select(slack_links.c.kind, slack_links.c.slack_id, slack_links.c.reseller_id).where(
                slack_links.c.kind == kind, slack_links.c.slack_id == slack_id
            )
        ).one_or_none()
        return None if row is None else SlackLink(**row._mapping)

    def matching(self, user_id: Optional[str], team_id: Optional[str]) -> list[SlackLink]:
        """The links of this user and of this workspace (at most one each)."""
        conditions = []
        if user_id:
            conditions.append(and_(slack_links.c.kind == USER, slack_links.c.slack_id == user_id))
        if team_id:
            conditions.append(and_(slack_links.c.kind == TEAM, slack_links.c.slack_id == team_id))
        if not conditions:
            return []
        rows = self._connection.execute(
            select(slack_links.c.kind, slack_links.c.slack_id, slack_links.c.reseller_id).where(
                or_(*conditions)
            )
        )
        return [SlackLink(**row._mapping) for row in rows]

    def list(self, reseller_id: Optional[str] = None) -> list[SlackLink]:
        query = select(slack_links.c.kind, slack_links.c.slack_id, slack_links.c.reseller_id).order_by(
            slack_links.c.reseller_id, slack_links.c.kind, slack_links.c.slack_id
        )
        if reseller_id is not None:
            query = query.where(slack_links.c.reseller_id == reseller_id)
        return [SlackLink(**row._mapping) for row in self._connection.execute(query)]

    def save(self, link: SlackLink) -> None:
        """Insert the link, or point the existing link of this Slack id at `link.reseller_id`."""
        updated = self._connection.execute(
            update(slack_links)
            .where(slack_links.c.kind == link.kind, slack_links.c.slack_id == link.slack_id)
            .values(reseller_id=link.reseller_id)
        )
        if updated.rowcount == 0:
            self._connection.execute(
                insert(slack_links).values(
                    kind=link.kind, slack_id=link.slack_id, reseller_id=link.reseller_id
                )
            )

    def delete(self, kind: str, slack_id: str) -> bool:
        """Remove the link; False if there was none."""
        result = self._connection.execute(
            delete(slack_links).where(slack_links.c.kind == kind, slack_links.c.slack_id == slack_id)
        )
        return result.rowcount == 1


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
                {
                    "price_list_version": version,
                    "region": region,
                    "currency": terms.currency,
                    "gst_rate": terms.gst_rate,
                }
                for region, terms in price_list.regions.items()
            ],
        )
        self._connection.execute(
            insert(price_list_bands),
            [
                {
                    "price_list_version": version,
                    "position": position,
                    "min_users": band.min_users,
                    "max_users": band.max_users,
                }
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
        values = {
            "name": product.name,
            "brand": product.brand,
            "activation_code_prefix": product.activation_code_prefix,
        }
        updated = self._connection.execute(
            update(products).where(products.c.code == product.code).values(**values)
        )
        if updated.rowcount == 0:
            self._connection.execute(insert(products).values(code=product.code, **values))
        self._connection.execute(
            delete(product_platforms).where(product_platforms.c.product_code == product.code)
        )
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
            .order_by(
                price_list_rates.c.product_code, price_list_rates.c.region, price_list_rates.c.band_position
            )
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
            for row in self._connection.execute(
                select(products).where(products.c.code.in_(codes)).order_by(products.c.code)
            )
        }


_LINKED = cases.alias("linked_case")
_WITH_LICENCE_AND_LINK = cases.outerjoin(licences, cases.c.licence_id == licences.c.id).outerjoin(
    _LINKED, cases.c.linked_case_id == _LINKED.c.id
)


class CaseRepository:
    """Cases with their history. The idempotency key and the reference are each unique."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def get(self, reference: str) -> Optional[Case]:
        return self._load(cases.c.reference == reference)

    def get_by_key(self, idempotency_key: str) -> Optional[Case]:
        return self._load(cases.c.idempotency_key == idempotency_key)

    def routed_to(self, target: str, statuses: Optional[Iterable[CaseStatus]] = None) -> list[Case]:
        """Cases routed to `target` (a reseller id), oldest first; only those in `statuses` if given."""
        query = (
            select(cases.c.reference)
            .where(cases.c.routed_to == target)
            .order_by(cases.c.created_at, cases.c.id)
        )
        if statuses is not None:
            query = query.where(cases.c.status.in_([status.value for status in statuses]))
        found = (self.get(reference) for reference in self._connection.execute(query).scalars().all())
        return [case for case in found if case is not None]

    def linked_from(self, reference: str) -> list[str]:
        """The references of the cases linked to this one (hand-offs asked for during its renewal), oldest
        first."""
        rows = self._connection.execute(
            select(cases.c.reference)
            .select_from(cases.join(_LINKED, cases.c.linked_case_id == _LINKED.c.id))
            .where(_LINKED.c.reference == reference)
            .order_by(cases.c.id)
        ).all()
        return [row.reference for row in rows]

    def id_of(self, reference: str) -> Optional[int]:
        return self._connection.execute(
            select(cases.c.id).where(cases.c.reference == reference)
        ).scalar_one_or_none()

    def next_reference_number(self, year: int) -> int:
        """The next number for `year`'s references, counted in this transaction.

        Updating the counter row locks it until commit (PostgreSQL row lock, SQLite
        write lock), so concurrent transactions get consecutive, unique numbers.
        """
        bump = (
            update(case_reference_counters)
            .where(case_reference_counters.c.year == year)
            .values(last_number=case_reference_counters.c.last_number + 1)
        )
        if self._connection.execute(bump).rowcount == 0:
            try:
                with self._connection.begin_nested():
                    self._connection.execute(insert(case_reference_counters).values(year=year, last_number=1))
                return 1
            except IntegrityError:
                # Another transaction created the year's row first; count on from it.
                self._connection.execute(bump)
        return self._connection.execute(
            select(case_reference_counters.c.last_number).where(case_reference_counters.c.year == year)
        ).scalar_one()

    def add(self, case: Case, idempotency_key: str) -> int:
        """Insert the case and its history; returns its row id."""
        licence_id = None
        if case.licence_code is not None:
            licence_id = self._connection.execute(
                select(licences.c.id).where(licences.c.activation_code == case.licence_code)
            ).scalar_one_or_none()
            if licence_id is None:
                raise ValueError(f"case {case.reference} names a licence that is not in the database")
        values = {name: getattr(case.checklist, name) for name in CHECKLIST_FIELDS}
        linked_case_id = self.id_of(case.linked_to) if case.linked_to else None
        case_id = self._connection.execute(
            insert(cases).values(
                reference=case.reference,
                reason=case.reason,
                status=case.status.value,
                idempotency_key=idempotency_key,
                conversation_id=case.conversation_id,
                channel=case.channel,
                licence_id=licence_id,
                routed_to=case.routed_to,
                created_at=case.created_at,
                updated_at=case.updated_at,
                linked_case_id=linked_case_id,
                **values,
            )
        ).inserted_primary_key[0]
        for event in case.history:
            self._insert_event(case_id, event)
        return case_id

    def update_status(self, reference: str, expected: CaseStatus, new: CaseStatus, at: datetime) -> bool:
        """Set the status if it is still `expected`; False if someone changed it first."""
        result = self._connection.execute(
            update(cases)
            .where(cases.c.reference == reference, cases.c.status == expected.value)
            .values(status=new.value, updated_at=at)
        )
        return result.rowcount == 1

    def update_contact_email(self, reference: str, email: str, at: datetime) -> None:
        self._connection.execute(
            update(cases).where(cases.c.reference == reference).values(contact_email=email, updated_at=at)
        )

    def add_event(self, reference: str, event: CaseEvent) -> None:
        case_id = self.id_of(reference)
        if case_id is None:
            raise LookupError(f"no case {reference}")
        self._insert_event(case_id, event)
        self._connection.execute(update(cases).where(cases.c.id == case_id).values(updated_at=event.at))

    def ids_with_contact_email(self, email: str) -> list[tuple[int, Optional[str]]]:
        """(row id, conversation id) of every case whose contact email is `email`, ignoring case."""
        rows = self._connection.execute(
            select(cases.c.id, cases.c.conversation_id)
            .where(func.lower(cases.c.contact_email) == email.strip().lower())
            .order_by(cases.c.id)
        )
        return [(row.id, row.conversation_id) for row in rows]

    def ids_resolved_before(self, cutoff: datetime) -> list[int]:
        """Row ids of resolved cases last changed before `cutoff`."""
        return list(
            self._connection.execute(
                select(cases.c.id)
                .where(cases.c.status == CaseStatus.RESOLVED.value, cases.c.updated_at < cutoff)
                .order_by(cases.c.id)
            ).scalars()
        )

    def delete(self, case_ids: Sequence[int]) -> tuple[int, int]:
        """Delete the cases and their history; returns (cases, history entries) deleted.

        Their outbox messages must be deleted first (OutboxRepository.delete_for_cases).
        """
        if not case_ids:
            return 0, 0
        events = self._connection.execute(
            delete(case_events).where(case_events.c.case_id.in_(case_ids))
        ).rowcount
        deleted = self._connection.execute(delete(cases).where(cases.c.id.in_(case_ids))).rowcount
        return deleted, events

    def count(self) -> int:
        return self._connection.execute(select(func.count()).select_from(cases)).scalar_one()

    def _insert_event(self, case_id: int, event: CaseEvent) -> None:
        self._connection.execute(
            insert(case_events).values(
                case_id=case_id,
                at=event.at,
                kind=event.kind,
                status=event.status.value if event.status is not None else None,
                actor=event.actor,
                note=event.note,
            )
        )

    def _load(self, condition) -> Optional[Case]:
        row = self._connection.execute(
            select(cases, licences.c.activation_code, _LINKED.c.reference.label("linked_reference"))
            .select_from(_WITH_LICENCE_AND_LINK)
            .where(condition)
        ).one_or_none()
        if row is None:
            return None
        history = tuple(
            CaseEvent(
                at=event.at,
                kind=event.kind,
                actor=event.actor,
                status=CaseStatus(event.status) if event.status is not None else None,
                note=event.note,
            )
            for event in self._connection.execute(
                select(case_events).where(case_events.c.case_id == row.id).order_by(case_events.c.id)
            )
        )
        return self._case_from_row(row, history)

    # --- hand-off and the agent console -------------------------------------------------

    def open_case_for_conversation(
        self, conversation_id: str, reason: Optional[str] = None
    ) -> Optional[Case]:
        """The conversation's latest case that is not resolved (and is for `reason`, if given), or None."""
        query = select(cases.c.id).where(
            cases.c.conversation_id == conversation_id, cases.c.status != CaseStatus.RESOLVED.value
        )
        if reason is not None:
            query = query.where(cases.c.reason == reason)
        case_id = self._connection.execute(query.order_by(cases.c.id.desc()).limit(1)).scalar_one_or_none()
        return None if case_id is None else self._load(cases.c.id == case_id)

    def count_for_conversation(self, conversation_id: str) -> int:
        return self._connection.execute(
            select(func.count()).select_from(cases).where(cases.c.conversation_id == conversation_id)
        ).scalar_one()

    def list_for_console(
        self,
        statuses: Optional[Sequence[str]] = None,
        region: Optional[str] = None,
        routed_to: Optional[str] = None,
        limit: Optional[int] = 500,
        with_event: Optional[str] = None,
    ) -> list[tuple[Case, Optional[str]]]:
        """(case, the licence's region or None) for the agents' queue, newest change first, in two queries.
        `with_event`: only cases with a history entry of that kind."""
        query = (
            select(
                cases,
                licences.c.activation_code,
                licences.c.region.label("licence_region"),
                _LINKED.c.reference.label("linked_reference"),
            )
            .select_from(_WITH_LICENCE_AND_LINK)
            .order_by(cases.c.updated_at.desc(), cases.c.id.desc())
            .limit(limit)
        )
        if with_event:
            query = query.where(
                select(case_events.c.id)
                .where(case_events.c.case_id == cases.c.id, case_events.c.kind == with_event)
                .exists()
            )
        if statuses:
            query = query.where(cases.c.status.in_(list(statuses)))
        if region == "unknown":
            query = query.where(licences.c.region.is_(None))
        elif region:
            query = query.where(licences.c.region == region)
        if routed_to:
            query = query.where(cases.c.routed_to == routed_to)
        rows = list(self._connection.execute(query))
        if not rows:
            return []
        history: dict[int, list[CaseEvent]] = defaultdict(list)
        for event in self._connection.execute(
            select(case_events)
            .where(case_events.c.case_id.in_([row.id for row in rows]))
            .order_by(case_events.c.id)
        ):
            history[event.case_id].append(
                CaseEvent(
                    at=event.at,
                    kind=event.kind,
                    actor=event.actor,
                    status=CaseStatus(event.status) if event.status is not None else None,
                    note=event.note,
                )
            )
        return [(self._case_from_row(row, tuple(history[row.id])), row.licence_region) for row in rows]

    def _case_from_row(self, row, history: tuple) -> Case:
        return Case(
            reference=row.reference,
            reason=row.reason,
            status=CaseStatus(row.status),
            checklist=RenewalChecklist(**{name: row._mapping[name] for name in CHECKLIST_FIELDS}),
            conversation_id=row.conversation_id,
            channel=row.channel,
            licence_code=row.activation_code,
            routed_to=row.routed_to,
            created_at=row.created_at,
            updated_at=row.updated_at,
            history=history,
            linked_to=row.linked_reference,
        )


class OutboxRepository:
    """Outbox messages: added with the change they announce, claimed and settled by delivery workers."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def add(
        self,
        topic: str,
        dedupe_key: str,
        payload: str,
        created_at: datetime,
        case_id: Optional[int] = None,
        notice_id: Optional[int] = None,
    ) -> int:
        return self._connection.execute(
            insert(outbox).values(
                topic=topic,
                dedupe_key=dedupe_key,
                delivery_id=str(uuid.uuid4()),
                case_id=case_id,
                notice_id=notice_id,
                payload=payload,
                created_at=created_at,
                attempts=0,
                flagged=False,
            )
        ).inserted_primary_key[0]

    def claim(
        self,
        topics: Iterable[str],
        now: datetime,
        worker_id: str,
        lease_until: datetime,
        limit: int,
        skip_locked: bool = False,
    ) -> list[OutboxMessage]:
        """Lease up to `limit` due, undelivered messages to `worker_id` until `lease_until`.

        A message is due when its next attempt time has come, no other worker
        holds an unexpired lease on it, and no older message of the same topic
        and case is still undelivered: a case's messages arrive in the order they
        were written (a chat's replies most of all). `skip_locked` (PostgreSQL) lets
        concurrent workers pass over rows another is claiming instead of waiting;
        the conditional update re-checks the lease either way.
        """
        earlier = outbox.alias("earlier")
        waits_behind_earlier = (
            select(earlier.c.id)
            .where(
                earlier.c.topic == outbox.c.topic,
                earlier.c.case_id == outbox.c.case_id,
                earlier.c.id < outbox.c.id,
                earlier.c.delivered_at.is_(None),
                earlier.c.gave_up_at.is_(None),  # one refused for good holds nothing back
            )
            .exists()
        )
        due = and_(
            outbox.c.delivered_at.is_(None),
            outbox.c.gave_up_at.is_(None),
            outbox.c.topic.in_(list(topics)),
            or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
            or_(outbox.c.locked_until.is_(None), outbox.c.locked_until <= now),
            ~waits_behind_earlier,
        )
        candidates = select(outbox.c.id).where(due).order_by(outbox.c.id).limit(limit)
        if skip_locked:
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = []
        for message_id in list(self._connection.execute(candidates).scalars()):
            leased = self._connection.execute(
                update(outbox)
                .where(outbox.c.id == message_id, due)
                .values(locked_until=lease_until, locked_by=worker_id)
            )
            if leased.rowcount == 1:
                claimed.append(message_id)
        return self._messages(outbox.c.id.in_(claimed)) if claimed else []

    def mark_delivered(self, message_id: int, worker_id: str, at: datetime) -> bool:
        """Record a delivery and clear the payload; False if the worker no longer held the lease."""
        return self._settle(
            message_id,
            worker_id,
            attempts=outbox.c.attempts + 1,
            last_attempt_at=at,
            delivered_at=at,
            payload=None,
            last_error=None,
            flagged=False,
            next_attempt_at=None,
        )

    def mark_failed(
        self,
        message_id: int,
        worker_id: str,
        at: datetime,
        error: str,
        next_attempt_at: datetime,
        flagged: bool,
        permanent: bool = False,
    ) -> bool:
        """Record a failed attempt and when to try again, or, when `permanent`, that it is never tried
        again (and flagged); False if the worker no longer held the lease."""
        return self._settle(
            message_id,
            worker_id,
            attempts=outbox.c.attempts + 1,
            last_attempt_at=at,
            last_error=error[:500],
            flagged=flagged or permanent,
            next_attempt_at=None if permanent else next_attempt_at,
            gave_up_at=at if permanent else None,
        )

    def get(self, message_id: int) -> Optional[OutboxMessage]:
        messages = self._messages(outbox.c.id == message_id)
        return messages[0] if messages else None

    def undelivered(self) -> list[OutboxMessage]:
        """Every message not delivered yet, oldest first, without payloads."""
        return self._messages(outbox.c.delivered_at.is_(None), with_payload=False)

    def for_case(self, reference: str) -> list[OutboxMessage]:
        return self._messages(cases.c.reference == reference, with_payload=False)

    def delete_for_cases(self, case_ids: Sequence[int]) -> int:
        if not case_ids:
            return 0
        return self._connection.execute(delete(outbox).where(outbox.c.case_id.in_(case_ids))).rowcount

    def _settle(self, message_id: int, worker_id: str, **values) -> bool:
        result = self._connection.execute(
            update(outbox)
            .where(
                outbox.c.id == message_id, outbox.c.locked_by == worker_id, outbox.c.delivered_at.is_(None)
            )
            .values(locked_until=None, locked_by=None, **values)
        )
        return result.rowcount == 1

    def _messages(self, condition, with_payload: bool = True) -> list[OutboxMessage]:
        rows = self._connection.execute(
            select(outbox, cases.c.reference)
            .select_from(outbox.outerjoin(cases, outbox.c.case_id == cases.c.id))
            .where(condition)
            .order_by(outbox.c.id)
        )
        return [
            OutboxMessage(
                id=row.id,
                delivery_id=row.delivery_id,
                topic=row.topic,
                case_reference=row.reference,
                payload=row.payload if with_payload else None,
                created_at=row.created_at,
                attempts=row.attempts,
                next_attempt_at=row.next_attempt_at,
                last_attempt_at=row.last_attempt_at,
                last_error=row.last_error,
                flagged=row.flagged,
                delivered_at=row.delivered_at,
                locked_until=row.locked_until,
            )
            for row in rows
        ]


class NoticeRepository:
    """Renewal notices, read together with the delivery of their emails."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def _licence_id(self, activation_code: str):
        return select(licences.c.id).where(licences.c.activation_code == activation_code).scalar_subquery()

    def has(self, dedupe_key: str) -> bool:
        return (
            self._connection.execute(
                select(renewal_notices.c.id).where(renewal_notices.c.dedupe_key == dedupe_key)
            ).first()
            is not None
        )

    def add(
        self,
        activation_code: str,
        kind: str,
        term_expiry: date,
        dedupe_key: str,
        recipient: str,
        queued_at: datetime,
        link_expires_at: datetime,
    ) -> int:
        """The new notice's id; a dedupe key already used raises IntegrityError (use a savepoint)."""
        return self._connection.execute(
            insert(renewal_notices).values(
                licence_id=self._licence_id(activation_code),
                kind=kind,
                term_expiry=term_expiry,
                dedupe_key=dedupe_key,
                recipient=recipient,
                queued_at=queued_at,
                link_expires_at=link_expires_at,
            )
        ).inserted_primary_key[0]

    def for_licence(self, activation_code: str) -> list[NoticeRecord]:
        """The licence's notices, newest first."""
        return self._records(renewal_notices.c.licence_id == self._licence_id(activation_code))

    def get(self, notice_id: int) -> Optional[tuple[NoticeRecord, str]]:
        """The notice and its licence's Activation Code, or None."""
        records = self._records(renewal_notices.c.id == notice_id)
        if not records:
            return None
        code = self._connection.execute(
            select(licences.c.activation_code)
            .select_from(renewal_notices.join(licences, renewal_notices.c.licence_id == licences.c.id))
            .where(renewal_notices.c.id == notice_id)
        ).scalar_one()
        return records[0], code

    def mark_link_opened(self, notice_id: int, at: datetime) -> None:
        """Records the first opening of the notice's link; later ones change nothing."""
        self._connection.execute(
            update(renewal_notices)
            .where(renewal_notices.c.id == notice_id, renewal_notices.c.link_opened_at.is_(None))
            .values(link_opened_at=at)
        )

    def forget_recipient(self, email: str) -> int:
        """Clears `email` (any letter case) from the notices sent to it; the notices stay, so none is sent
        twice. Returns how many."""
        return self._connection.execute(
            update(renewal_notices)
            .where(func.lower(renewal_notices.c.recipient) == email.strip().lower())
            .values(recipient=None)
        ).rowcount

    def _records(self, condition) -> list[NoticeRecord]:
        email = outbox.alias("email")
        rows = self._connection.execute(
            select(
                renewal_notices,
                email.c.delivered_at,
                email.c.gave_up_at,
                email.c.last_error,
                email.c.attempts,
            )
            .select_from(
                renewal_notices.outerjoin(
                    email,
                    and_(email.c.notice_id == renewal_notices.c.id, email.c.topic == NOTICE_EMAIL_TOPIC),
                )
            )
            .where(condition)
            .order_by(renewal_notices.c.queued_at.desc(), renewal_notices.c.id.desc())
        )
        return [
            NoticeRecord(
                id=row.id,
                kind=row.kind,
                term_expiry=row.term_expiry,
                recipient=row.recipient,
                queued_at=row.queued_at,
                link_expires_at=row.link_expires_at,
                link_opened_at=row.link_opened_at,
                delivered_at=row.delivered_at,
                gave_up_at=row.gave_up_at,
                last_error=row.last_error,
                attempts=row.attempts or 0,
            )
            for row in rows
        ]


class CannedReplyRepository:
    """The team's saved replies, by title; a title is unique."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def all(self) -> list[CannedReply]:
        rows = self._connection.execute(select(canned_replies).order_by(canned_replies.c.title)).all()
        return [CannedReply(r.id, r.title, r.body, r.updated_by, r.updated_at) for r in rows]

    def save(self, reply: CannedReply) -> int:
        """Add it (no id) or change it; AlreadyRecorded when another reply has the title, LookupError when
        the one to change is gone."""
        values = {
            "title": reply.title,
            "body": reply.body,
            "updated_by": reply.updated_by,
            "updated_at": reply.updated_at,
        }
        try:
            with self._connection.begin_nested():
                if reply.reply_id is None:
                    return self._connection.execute(
                        insert(canned_replies).values(**values)
                    ).inserted_primary_key[0]
                changed = self._connection.execute(
                    update(canned_replies).where(canned_replies.c.id == reply.reply_id).values(**values)
                )
        except IntegrityError as error:
            raise AlreadyRecorded() from error
        if changed.rowcount != 1:
            raise LookupError(reply.reply_id)
        return reply.reply_id

    def delete(self, reply_id: int) -> bool:
        return (
            self._connection.execute(delete(canned_replies).where(canned_replies.c.id == reply_id)).rowcount
            == 1
        )


def _set_on_conversation_row(connection: Connection, table, conversation_id: str, values: dict) -> None:
    """Set `values` on the table's row for the conversation (keyed by conversation_id), adding the row if
    there is none. Two first writes at once: the one that loses the insert updates the winner's row."""
    where = table.c.conversation_id == conversation_id
    if connection.execute(update(table).where(where).values(**values)).rowcount == 1:
        return
    try:
        with connection.begin_nested():
            connection.execute(insert(table).values(conversation_id=conversation_id, **values))
    except IntegrityError:
        connection.execute(update(table).where(where).values(**values))


class ChatTypingRepository:
    """The last typing report of each side of a conversation."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def report(self, conversation_id: str, values: dict) -> None:
        """Set `values` (customer_at, or agent_at and agent_name) on the conversation's row, adding it."""
        _set_on_conversation_row(self._connection, chat_typing, conversation_id, values)

    def get(self, conversation_id: str):
        """(customer_at, agent_at, agent_name), or Nones when nobody reported."""
        row = self._connection.execute(
            select(chat_typing.c.customer_at, chat_typing.c.agent_at, chat_typing.c.agent_name).where(
                chat_typing.c.conversation_id == conversation_id
            )
        ).first()
        return tuple(row) if row else (None, None, None)


class ChatRatingRepository:
    """One rating per conversation; a second answer replaces the first."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def record(self, rating: ChatRating) -> None:
        values = {"solved": rating.solved, "rated_at": rating.rated_at}
        _set_on_conversation_row(self._connection, chat_ratings, rating.conversation_id, values)

    def get(self, conversation_id: str) -> Optional[ChatRating]:
        row = self._connection.execute(
            select(chat_ratings).where(chat_ratings.c.conversation_id == conversation_id)
        ).first()
        return ChatRating(row.conversation_id, bool(row.solved), row.rated_at) if row else None

    def delete_for_conversations(self, conversation_ids: Iterable[str]) -> int:
        ids = list(conversation_ids)
        if not ids:
            return 0
        return self._connection.execute(
            delete(chat_ratings).where(chat_ratings.c.conversation_id.in_(ids))
        ).rowcount

    def summary_since(self, since: datetime) -> RatingSummary:
        rows = self._connection.execute(
            select(chat_ratings.c.solved, func.count())
            .where(chat_ratings.c.rated_at >= since)
            .group_by(chat_ratings.c.solved)
        ).all()
        counts = {bool(solved): count for solved, count in rows}
        return RatingSummary(solved=counts.get(True, 0), not_solved=counts.get(False, 0))


class RateLimitRepository:
    """Uses per (subject key, window): taken one at a time, atomically, up to a limit."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def take(self, subject_key: str, window_start: datetime, limit: int) -> bool:
        """Count one use if fewer than `limit` were counted in this window; False when at the limit."""
        counted = self._connection.execute(
            update(rate_limits)
            .where(
                rate_limits.c.subject_key == subject_key,
                rate_limits.c.window_start == window_start,
                rate_limits.c.used < limit,
            )
            .values(used=rate_limits.c.used + 1)
        )
        if counted.rowcount == 1:
            return True
        exists = self._connection.execute(
            select(rate_limits.c.id).where(
                rate_limits.c.subject_key == subject_key, rate_limits.c.window_start == window_start
            )
        ).first()
        if exists is not None or limit < 1:
            return False
        try:
            with self._connection.begin_nested():
                self._connection.execute(
                    insert(rate_limits).values(subject_key=subject_key, window_start=window_start, used=1)
                )
        except IntegrityError:  # a concurrent first use made the row: count against it
            return self.take(subject_key, window_start, limit)
        return True

    def prune(self, before: datetime) -> int:
        return self._connection.execute(
            delete(rate_limits).where(rate_limits.c.window_start < before)
        ).rowcount


class JobRunRepository:
    """Each day's run of each daily job: claimed once, then finished, or given up so it runs again."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def claim(self, job: str, day: date, now: datetime, stale_before: datetime) -> bool:
        """Claim `job` for `day`. False when it already ran that day, or is running in a process that claimed
        it since `stale_before`; a claim older than that, never finished, belonged to a process that died."""
        try:
            with self._connection.begin_nested():
                self._connection.execute(insert(job_runs).values(job=job, run_on=day, claimed_at=now))
            return True
        except IntegrityError:
            taken_over = self._connection.execute(
                update(job_runs)
                .where(
                    job_runs.c.job == job,
                    job_runs.c.run_on == day,
                    job_runs.c.finished_at.is_(None),
                    job_runs.c.claimed_at < stale_before,
                )
                .values(claimed_at=now)
            )
            return taken_over.rowcount == 1

    def finish(self, job: str, day: date, now: datetime, summary: str) -> None:
        self._connection.execute(
            update(job_runs)
            .where(job_runs.c.job == job, job_runs.c.run_on == day)
            .values(finished_at=now, summary=summary[:500])
        )

    def give_up(self, job: str, day: date) -> None:
        """Forget an unfinished claim, so the next check runs the job again."""
        self._connection.execute(
            delete(job_runs).where(
                job_runs.c.job == job, job_runs.c.run_on == day, job_runs.c.finished_at.is_(None)
            )
        )

    def latest(self, job: str) -> Optional[dict]:
        row = (
            self._connection.execute(
                select(job_runs).where(job_runs.c.job == job).order_by(job_runs.c.run_on.desc()).limit(1)
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None


class AgentRepository:
    """Agent accounts, their console sessions, API tokens and failed sign-ins (renewals.agents).
    Rows come back as read-only mappings; secrets only ever as their hashes."""

    def __init__(self, connection: Connection):
        self._connection = connection

    # accounts

    def add(self, username: str, display_name: str, password_hash: str, now: datetime) -> int:
        """The new agent's id; raises AlreadyRecorded when the username is taken."""
        try:
            with self._connection.begin_nested():
                return self._insert_agent(username, display_name, password_hash, now)
        except IntegrityError as error:
            raise AlreadyRecorded() from error

    def _insert_agent(self, username: str, display_name: str, password_hash: str, now: datetime) -> int:
        row = {"username": username, "display_name": display_name, "password_hash": password_hash}
        return self._connection.execute(
            insert(agents).values(**row, disabled=False, created_at=now)
        ).inserted_primary_key[0]

    def by_username(self, username: str):
        return self._connection.execute(select(agents).where(agents.c.username == username)).one_or_none()

    def id_of(self, username: str) -> Optional[int]:
        return self._connection.execute(
            select(agents.c.id).where(agents.c.username == username)
        ).scalar_one_or_none()

    def all(self) -> list:
        return list(self._connection.execute(select(agents).order_by(agents.c.username)))

    def set_password_hash(self, agent_id: int, password_hash: str) -> None:
        self._connection.execute(
            update(agents).where(agents.c.id == agent_id).values(password_hash=password_hash)
        )

    def disable(self, agent_id: int) -> None:
        self._connection.execute(update(agents).where(agents.c.id == agent_id).values(disabled=True))

    # failed sign-ins, per username and client

    def serialise_sign_ins(self, username: str, client: str) -> None:
        """On PostgreSQL, one sign-in at a time per (username, client) until the transaction ends: parallel
        guesses can't all read the failure count before any adds to it. SQLite serialises writers anyway."""
        if self._connection.dialect.name == "postgresql":
            self._connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:pair))"), {"pair": f"{username} {client}"}
            )

    def add_failure(self, username: str, client: str, at: datetime) -> int:
        return self._connection.execute(
            insert(agent_login_failures).values(username=username, client=client, at=at)
        ).inserted_primary_key[0]

    def failures_since(self, username: str, client: str, since: datetime) -> int:
        return self._connection.execute(
            select(func.count())
            .select_from(agent_login_failures)
            .where(
                agent_login_failures.c.username == username,
                agent_login_failures.c.client == client,
                agent_login_failures.c.at > since,
            )
        ).scalar_one()

    def forget_failure(self, failure_id: int) -> None:
        self._connection.execute(delete(agent_login_failures).where(agent_login_failures.c.id == failure_id))

    def forget_failures(self, username: str, client: str) -> None:
        self._connection.execute(
            delete(agent_login_failures).where(
                agent_login_failures.c.username == username, agent_login_failures.c.client == client
            )
        )

    def prune_failures(self, before: datetime) -> None:
        self._connection.execute(delete(agent_login_failures).where(agent_login_failures.c.at < before))

    # console sessions

    def add_session(
        self, session_hash: str, agent_id: int, csrf_token: str, now: datetime, expires: datetime
    ) -> None:
        self._connection.execute(
            insert(agent_sessions).values(
                session_hash=session_hash, agent_id=agent_id, csrf_token=csrf_token, created_at=now,
                last_seen_at=now, expires_at=expires,
            )
        )  # fmt: skip

    def session_with_agent(self, session_hash: str):
        return self._connection.execute(
            select(agent_sessions, agents.c.username, agents.c.display_name, agents.c.disabled)
            .select_from(agent_sessions.join(agents, agents.c.id == agent_sessions.c.agent_id))
            .where(agent_sessions.c.session_hash == session_hash)
        ).one_or_none()

    def touch_session(self, session_id: int, now: datetime) -> None:
        self._connection.execute(
            update(agent_sessions).where(agent_sessions.c.id == session_id).values(last_seen_at=now)
        )

    def end_session(self, session_id: int) -> None:
        self._connection.execute(delete(agent_sessions).where(agent_sessions.c.id == session_id))

    def end_session_by_hash(self, session_hash: str) -> None:
        self._connection.execute(delete(agent_sessions).where(agent_sessions.c.session_hash == session_hash))

    def end_sessions_of(self, agent_id: int) -> None:
        self._connection.execute(delete(agent_sessions).where(agent_sessions.c.agent_id == agent_id))

    def prune_sessions(self, now: datetime) -> None:
        self._connection.execute(delete(agent_sessions).where(agent_sessions.c.expires_at < now))

    # API tokens

    def add_api_token(self, token_hash: str, agent_id: int, now: datetime) -> None:
        self._connection.execute(
            insert(agent_api_tokens).values(token_hash=token_hash, agent_id=agent_id, created_at=now)
        )

    def revoke_api_tokens(self, agent_id: int, now: datetime) -> int:
        return self._connection.execute(
            update(agent_api_tokens)
            .where(agent_api_tokens.c.agent_id == agent_id, agent_api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount

    def agent_for_api_token(self, token_hash: str):
        return self._connection.execute(
            select(agents)
            .select_from(agent_api_tokens.join(agents, agents.c.id == agent_api_tokens.c.agent_id))
            .where(agent_api_tokens.c.token_hash == token_hash, agent_api_tokens.c.revoked_at.is_(None))
        ).one_or_none()
