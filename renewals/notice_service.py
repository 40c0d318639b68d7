"""Renewal notices as use cases: the daily job that queues them, a re-send on request, what the record
says, opening a notice's link, and the resellers' weekly digest. The rules are in renewals.notices.

Exactly once: a notice is claimed by inserting its row under a dedupe key (one per licence and term, or
per licence and day for a re-send) in the same transaction as the outbox messages that deliver it. Two
jobs at once, a crash half-way or a re-run can only find the key taken; the outbox worker then delivers
each message at least once, with a Message-ID the receiver can de-duplicate on.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Mapping, Optional

from sqlalchemy.engine import Engine

from renewals.case_service import open_contact_change_case
from renewals.cases import Case
from renewals.clock import Clock
from renewals.conflicts import AlreadyRecorded
from renewals.delivery.slack_notices import slack_notices_configured
from renewals.licences import Licence
from renewals.notice_links import LinkState, check, issue, link_secret_from_env, link_url
from renewals.notices import (
    LINK_LIFETIME,
    NOTICE_DAYS,
    NoticeKind,
    NoticeStanding,
    Renewer,
    notice_due,
    notice_email,
    notice_standing,
    reseller_notice_text,
    resend_dedupe_key,
    term_dedupe_key,
)
from renewals.outbox import NOTICE_EMAIL_TOPIC, NOTICE_SLACK_TOPIC, encode_payload
from renewals.reseller_access import expiry_report
from renewals.reseller_reports import ExpiryRequest, expiry_report_reply
from renewals.storage.unit_of_work import UnitOfWork
from renewals.time_zones import licence_today, zone_for

log = logging.getLogger(__name__)

TECHNICAL_SUPPORT = Renewer("Trend Micro Technical Support")
DIGEST_DAYS = 30


@dataclass(frozen=True)
class NoticeSettings:
    link_secret: bytes = field(repr=False)
    web_origin: str  # where the "Check my renewal" link points
    slack: bool = False  # queue Slack messages to resellers (SLACK_BOT_TOKEN is set)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> NoticeSettings:
        origin = (environ.get("WEB_ORIGIN") or f"http://localhost:{environ.get('WEB_PORT') or 8080}").split(
            ","
        )
        return cls(
            link_secret=link_secret_from_env(environ),
            web_origin=origin[0].strip().rstrip("/"),
            slack=slack_notices_configured(environ),
        )


@dataclass(frozen=True)
class NoticeRun:
    expiring: int = 0
    lapsed: int = 0
    slack: int = 0

    def summary(self) -> str:
        return (
            f"{self.expiring} expiry notice(s) and {self.lapsed} lapsed notice(s) queued, "
            f"{self.slack} Slack message(s) to resellers"
        )


def send_renewal_notices(engine: Engine, clock: Clock, settings: NoticeSettings) -> NoticeRun:
    """Queues the notice each licence is due today, where the licence is; see renewals.notices."""
    latest_today = clock.today() + timedelta(days=1)  # no time zone of ours is more than a day ahead
    with UnitOfWork(engine) as uow:
        candidates = uow.licences.expiring_between(date.min, latest_today + timedelta(days=NOTICE_DAYS))
    run = NoticeRun()
    for licence in candidates:
        today = licence_today(clock, licence)
        with UnitOfWork(engine, immediate=True) as uow:
            key = term_dedupe_key(_licence_id(uow, licence), licence.expiry_date)
            kind = notice_due(licence, today, noticed_this_term=uow.notices.has(key))
            if kind is None:
                continue
            slack = _queue(uow, licence, kind, key, today, clock, settings)
        if slack is None:
            continue  # queued concurrently by another run
        run = NoticeRun(
            expiring=run.expiring + (kind == NoticeKind.EXPIRING),
            lapsed=run.lapsed + (kind == NoticeKind.LAPSED),
            slack=run.slack + slack,
        )
    log.info("Renewal notices: %s", run.summary())
    return run


def _licence_id(uow, licence: Licence) -> int:
    licence_id = uow.licences.id_of(licence.activation_code)
    if licence_id is None:
        raise LookupError("the licence is no longer in the database")
    return licence_id


def _queue(
    uow, licence: Licence, kind: str, key: str, today: date, clock: Clock, settings: NoticeSettings
) -> Optional[int]:
    """Queues the notice and its messages in a savepoint: how many Slack messages went with it, or None when
    the key was taken meanwhile."""
    price_list = uow.price_lists.active()
    product = price_list.products.get(licence.product_code) if price_list is not None else None
    product_name = product.name if product is not None else licence.product_code
    reseller = uow.resellers.get(licence.reseller_id) if licence.reseller_id else None
    renewer = Renewer(reseller.name, reseller.email, reseller.phone) if reseller else TECHNICAL_SUPPORT
    now = clock.now()
    try:
        with uow.savepoint():
            notice_id = uow.notices.add(
                licence.activation_code,
                kind,
                licence.expiry_date,
                key,
                licence.contact_email,
                queued_at=now,
                link_expires_at=now + LINK_LIFETIME,
            )
            token = issue(settings.link_secret, notice_id, now + LINK_LIFETIME)
            email = notice_email(
                licence, product_name, kind, today, renewer, link_url(settings.web_origin, token)
            )
            document = {
                "to": licence.contact_email,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
            }
            uow.outbox.add(
                topic=NOTICE_EMAIL_TOPIC,
                dedupe_key=f"{NOTICE_EMAIL_TOPIC}:{notice_id}",
                payload=encode_payload(document),
                created_at=now,
                notice_id=notice_id,
            )
            slack = 0
            if settings.slack and reseller is not None and reseller.slack_channel_id:
                text = reseller_notice_text(licence, product_name, kind, today)
                uow.outbox.add(
                    topic=NOTICE_SLACK_TOPIC,
                    dedupe_key=f"{NOTICE_SLACK_TOPIC}:{notice_id}",
                    payload=encode_payload({"reseller_id": reseller.reseller_id, "text": text}),
                    created_at=now,
                    notice_id=notice_id,
                )
                slack = 1
    except AlreadyRecorded:
        return None
    return slack


# --- the record, and what the customer can do about it -------------------------------------------


def standing(engine: Engine, clock: Clock, licence: Licence) -> NoticeStanding:
    """Whether and where the licence's notice for its current term went."""
    with UnitOfWork(engine) as uow:
        records = uow.notices.for_licence(licence.activation_code)
    return notice_standing(licence, records, licence_today(clock, licence))


@dataclass(frozen=True)
class Resend:
    sent: bool  # False: it was already sent again today
    recipient: str = field(repr=False)


def resend_notice(engine: Engine, clock: Clock, settings: NoticeSettings, licence: Licence) -> Resend:
    """Sends the notice again to the registered contact, at most once a day (where the licence is)."""
    today = licence_today(clock, licence)
    with UnitOfWork(engine, immediate=True) as uow:
        key = resend_dedupe_key(_licence_id(uow, licence), today)
        sent = not uow.notices.has(key)
        if sent:
            sent = _queue(uow, licence, NoticeKind.RESENT, key, today, clock, settings) is not None
    return Resend(sent=sent, recipient=licence.contact_email)


def request_contact_change(
    engine: Engine, clock: Clock, licence: Licence, conversation_id: str, channel: Optional[str], topics
) -> Case:
    """A case for the team to change the licence's registered contact (one per conversation)."""
    with UnitOfWork(engine, immediate=True) as uow:
        return open_contact_change_case(
            uow, licence, conversation_id, channel, clock=clock, delivery_topics=topics
        )


@dataclass(frozen=True)
class LinkOpening:
    state: LinkState
    licence: Optional[Licence] = None  # for a valid link


def open_link(engine: Engine, clock: Clock, settings: NoticeSettings, token: Optional[str]) -> LinkOpening:
    """The licence a notice's link is about, recording the first opening; an expired or forged link, or
    one whose notice no longer exists, names no licence."""
    link = check(settings.link_secret, token, clock.now())
    if link.state is not LinkState.VALID or link.notice_id is None:
        return LinkOpening(link.state)
    with UnitOfWork(engine) as uow:
        found = uow.notices.get(link.notice_id)
        if found is None:
            return LinkOpening(LinkState.INVALID)
        uow.notices.mark_link_opened(link.notice_id, clock.now())
        licence = uow.licences.get(found[1])
    return LinkOpening(LinkState.VALID, licence) if licence else LinkOpening(LinkState.INVALID)


# --- resellers' weekly digest -----------------------------------------------------------------


def send_reseller_digests(engine: Engine, clock: Clock, settings: NoticeSettings) -> int:
    """Queues, once a week per reseller with a Slack channel, the table of their customers expiring in the
    next 30 days and of those lapsed. Returns how many were queued (none without Slack)."""
    if not settings.slack:
        return 0
    with UnitOfWork(engine) as uow:
        resellers = [reseller for reseller in uow.resellers.list() if reseller.slack_channel_id]
    queued = 0
    for reseller in resellers:
        week = clock.today(zone_for(reseller.region)).isocalendar()
        key = f"{NOTICE_SLACK_TOPIC}:digest:{reseller.reseller_id}:{week[0]}-W{week[1]:02d}"
        with UnitOfWork(engine, immediate=True) as uow:
            report = expiry_report(uow, reseller.reseller_id, ExpiryRequest(days=DIGEST_DAYS), clock)
            text = "Weekly renewals digest. " + expiry_report_reply(reseller, report)
            try:
                with uow.savepoint():
                    uow.outbox.add(
                        topic=NOTICE_SLACK_TOPIC,
                        dedupe_key=key,
                        payload=encode_payload({"reseller_id": reseller.reseller_id, "text": text}),
                        created_at=clock.now(),
                    )
                    queued += 1
            except AlreadyRecorded:
                continue
    log.info("Reseller digests: %d queued", queued)
    return queued
