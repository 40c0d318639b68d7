"""Renewal notices: who is due one, what it says, and what the record says about it.

The FAQ promises a notice "at least 30 days prior to the maintenance expiration date". A licence gets
one notice per term (its expiry date): the expiry notice once the expiry is 30 days away or closer, or,
if the term has already lapsed with no notice, the lapsed notice (the continuity rule and an offer of a
quote) instead. A licence whose notice was sent before its data was imported (`renewal_notice_sent_on`)
gets none for that term. On request, the notice is sent again, to the registered address only, at most
once a day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from html import escape
from typing import Optional, Sequence
from zoneinfo import ZoneInfo

from renewals.formatting import format_date
from renewals.licences import EXPIRING_SOON_DAYS, Licence
from renewals.time_zones import licence_zone

NOTICE_DAYS = EXPIRING_SOON_DAYS  # the notice goes out this many days before expiry, or fewer
LINK_LIFETIME = timedelta(days=14)  # how long a notice's "Check my renewal" link works


class NoticeKind:
    """Plain strings in the database (renewal_notices.kind)."""

    EXPIRING = "expiring"
    LAPSED = "lapsed"
    RESENT = "resent"


def notice_due(licence: Licence, today: date, noticed_this_term: bool) -> Optional[str]:
    """The kind of notice `licence` is due today (NoticeKind.EXPIRING or LAPSED), or None."""
    if noticed_this_term or licence.renewal_notice_sent_on is not None:
        return None
    days_left = (licence.expiry_date - today).days
    if days_left < 0:
        return NoticeKind.LAPSED
    return NoticeKind.EXPIRING if days_left <= NOTICE_DAYS else None


def first_notice_day(licence: Licence) -> date:
    """The day the expiry notice of the licence's current term becomes due."""
    return licence.expiry_date - timedelta(days=NOTICE_DAYS)


def term_dedupe_key(licence_id: int, term_expiry: date) -> str:
    """One scheduled notice per licence and term, whichever kind it is."""
    return f"term:{licence_id}:{term_expiry.isoformat()}"


def resend_dedupe_key(licence_id: int, day: date) -> str:
    """At most one re-send per licence and day."""
    return f"resent:{licence_id}:{day.isoformat()}"


class DeliveryState(Enum):
    QUEUED = "queued"  # not attempted yet, or being retried after a temporary failure
    SENT = "sent"  # the mail server (or the local outbox folder) took it
    FAILED = "failed"  # refused for good: a bad address, an SMTP 5xx


@dataclass(frozen=True)
class NoticeRecord:
    """One notice as the record shows it: the notice and the delivery of its email."""

    id: int
    kind: str
    term_expiry: date
    recipient: Optional[str] = field(repr=False)  # None once the customer was forgotten
    queued_at: datetime
    link_expires_at: datetime
    link_opened_at: Optional[datetime]
    delivered_at: Optional[datetime]
    gave_up_at: Optional[datetime]
    last_error: Optional[str]  # short, e.g. "SMTP 550"; never the server's text
    attempts: int

    @property
    def state(self) -> DeliveryState:
        if self.delivered_at is not None:
            return DeliveryState.SENT
        if self.gave_up_at is not None:
            return DeliveryState.FAILED
        return DeliveryState.QUEUED


class StandingKind(Enum):
    SENT = "sent"  # a notice for this term went out (on, to)
    IMPORTED = "imported"  # sent before the data was imported: the date only
    FAILED = "failed"  # the last notice was refused by the mail server
    QUEUED = "queued"  # queued, not delivered yet (or being retried)
    NOT_DUE = "not_due"  # more than 30 days to go: due on `due_on`
    DUE = "due"  # due now, not queued yet (the day's job has not run)


@dataclass(frozen=True)
class NoticeStanding:
    """Whether and where a licence's notice for its current term went: what the assistant tells the
    customer who never got it."""

    kind: StandingKind
    on: date  # sent on, failed on, queued on, or due on
    recipient: Optional[str] = field(default=None, repr=False)
    resent_today: bool = False


def notice_standing(licence: Licence, records: Sequence[NoticeRecord], today: date) -> NoticeStanding:
    """What the record says about the notice for the licence's current term; `records` newest first."""
    zone = licence_zone(licence)  # the record's instants are UTC; its days are the licence's, as `today` is
    this_term = [record for record in records if record.term_expiry == licence.expiry_date]
    resent_today = any(
        record.kind == NoticeKind.RESENT and _day(record.queued_at, zone) == today for record in this_term
    )
    if this_term:
        latest = this_term[0]
        sent = next((record for record in this_term if record.state is DeliveryState.SENT), None)
        if latest.state is DeliveryState.FAILED:
            return NoticeStanding(
                StandingKind.FAILED,
                _day(latest.gave_up_at or latest.queued_at, zone),
                latest.recipient,
                resent_today,
            )
        if sent is not None:
            return NoticeStanding(
                StandingKind.SENT,
                _day(sent.queued_at, zone),  # the notice's date, as its Date header says
                sent.recipient,
                resent_today,
            )
        return NoticeStanding(
            StandingKind.QUEUED, _day(latest.queued_at, zone), latest.recipient, resent_today
        )
    if licence.renewal_notice_sent_on is not None:
        return NoticeStanding(StandingKind.IMPORTED, licence.renewal_notice_sent_on)
    if notice_due(licence, today, noticed_this_term=False) is not None:
        return NoticeStanding(StandingKind.DUE, today)
    return NoticeStanding(StandingKind.NOT_DUE, first_notice_day(licence))


def _day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


# --- what the notice says -------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Renewer:
    """Who the customer renews with: their reseller, or Trend Micro Technical Support without one."""

    name: str
    email: Optional[str] = None
    phone: Optional[str] = None


# The FAQ's eight items ("What information is required for renewal?"): product and platform are one.
CHECKLIST_LINES = (
    "Company name",
    "Company address",
    "Telephone number",
    "Contact name",
    "Contact email address",
    "Product name, including the platform",
    "Number of users",
    "Licence expiry date",
)


def notice_email(
    licence: Licence,
    product_name: str,
    kind: str,
    today: date,
    renewer: Renewer,
    link_url: str,
) -> NoticeEmail:
    """The email of a notice: plain text and the same in HTML. `kind` RESENT repeats the notice the
    licence's status calls for."""
    lapsed = licence.expiry_date < today
    expiry = format_date(licence.expiry_date)
    if lapsed:
        subject = f"Your {product_name} maintenance lapsed on {expiry}"
        opening = [
            f"The maintenance of your {product_name} licence for {licence.company} lapsed on {expiry}.",
            "Since then your product has had no automatic updates, and Trend Micro Technical Support is "
            "not available for it.",
            "Maintenance has to be continuous: renewing now pays for the time since it lapsed as well as "
            "the period you want to cover. The sooner you renew, the less of a gap you pay for.",
            "Check my renewal gives you the exact figure for your licence, to the cent, in a chat.",
        ]
    else:
        days = (licence.expiry_date - today).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        subject = f"Your {product_name} maintenance expires on {expiry}"
        opening = [
            f"The maintenance of your {product_name} licence for {licence.company} expires on {expiry}, "
            f"{when}.",
            "If it lapses, your product stops receiving automatic updates and Trend Micro Technical "
            "Support is no longer available for it. Renewing later means paying for the gap as well, "
            "because maintenance has to be continuous.",
        ]
    contact = _renewer_line(renewer)
    how = f"To renew, contact {contact} with these details:"
    text_lines = [
        f"Dear {licence.contact_name},",
        "",
        *_paragraphs(opening),
        how,
        *(f"- {line}" for line in CHECKLIST_LINES),
        "",
        f"Your Activation Code starts {licence.activation_code[:7]}.",
        "",
        "Check my renewal (a chat that already knows your licence; the link works for 14 days):",
        link_url,
        "",
        "Trend Micro licensing, Australia and New Zealand",
    ]
    html_parts = [
        f"<p>Dear {escape(licence.contact_name)},</p>",
        *(f"<p>{escape(paragraph)}</p>" for paragraph in opening),
        f"<p>{escape(how)}</p>",
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in CHECKLIST_LINES) + "</ul>",
        f"<p>Your Activation Code starts {escape(licence.activation_code[:7])}.</p>",
        f'<p><a href="{escape(link_url, quote=True)}">Check my renewal</a>: a chat that already knows your '
        "licence. The link works for 14 days.</p>",
        "<p>Trend Micro licensing, Australia and New Zealand</p>",
    ]
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head><body>{''.join(html_parts)}</body></html>"
    )
    return NoticeEmail(subject=subject, text="\n".join(text_lines) + "\n", html=html)


def _paragraphs(paragraphs: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    return lines


def _renewer_line(renewer: Renewer) -> str:
    ways = [value for value in (renewer.email, renewer.phone) if value]
    return f"{renewer.name} ({', '.join(ways)})" if ways else renewer.name


def reseller_notice_text(licence: Licence, product_name: str, kind: str, today: date) -> str:
    """The reseller's Slack message about a notice sent to one of their customers: no contact details."""
    expiry = format_date(licence.expiry_date)
    if licence.expiry_date < today:
        news = f"lapsed on {expiry}; the customer was sent the lapsed-maintenance notice"
    else:
        news = f"expires on {expiry}; the customer was sent the renewal notice"
    again = " again, at their request" if kind == NoticeKind.RESENT else ""
    return (
        f"Renewal notice: {licence.company}'s {product_name} ({licence.users} users, Activation Code "
        f"{licence.activation_code[:7]}…) {news}{again}."
    )
