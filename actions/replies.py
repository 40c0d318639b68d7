"""What the assistant says about licences and quotes: plain functions of domain objects."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from renewals.cases import Case, CaseStatus
from renewals.checklist import DOWNSIZE_RULE, display_phone
from renewals.formatting import format_band, format_date, format_days, format_money
from renewals.licences import Licence, LicenceStatus, LicenceStatusKind
from renewals.notices import NoticeStanding, StandingKind
from renewals.on_file import masked
from renewals.pricelist import Product
from renewals.quotes import Quote

CODE_SHAPE = "XX-XXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX"

ASK_CODE = (
    "Sure. What's your Activation Code? It's on your licence certificate and in the "
    f"product console, and looks like {CODE_SHAPE}."
)
MALFORMED_CODE = (
    "That doesn't look like a complete Activation Code. Codes have 37 characters in the "
    f"form {CODE_SHAPE} (letters and digits; spaces or no dashes are fine). "
    "Could you check it against your licence certificate and send it again?"
)
UNKNOWN_CODE = (
    "I couldn't find a licence with that Activation Code. Please check it against your "
    "licence certificate; I won't guess at similar codes. If it still isn't found, a person "
    "from the support team can help."
)
STILL_NO_CODE = (
    "I still need the Activation Code to look that licence up (for security I can't find it by company "
    "name). "
    "If you don't have it to hand, I can collect your renewal details without it, or tell you where to find "
    "it."
)
QUOTE_NEEDS_CODE_IN_FORM = (
    "I can work out the price once I know the licence: type its Activation Code at any time. "
    "Your reseller will also confirm the price with you. Meanwhile, let's carry on with the details."
)
LOOKUPS_LOCKED = (
    "For security I've stopped looking up Activation Codes in this conversation after "
    "several codes that weren't found. A person from the support team can check your "
    "licence for you."
)


def _users(count: int) -> str:
    return f"{count} user" if count == 1 else f"{count} users"


def licence_summary(licence: Licence, product: Product) -> str:
    return f"{product.name} for {licence.platform}, {_users(licence.users)}"


def expiry_reply(
    licence: Licence, product: Product, status: LicenceStatus, notice: Optional[NoticeStanding] = None
) -> str:
    """`notice`: what the record says about this term's renewal notice, for a licence expiring soon."""
    summary = licence_summary(licence, product)
    expiry = format_date(status.expiry_date)
    kind = status.kind
    if kind is LicenceStatusKind.ACTIVE:
        return (
            f"{summary}. Maintenance is active until {expiry}: {format_days(status.days_until_expiry)} left."
        )
    if kind is LicenceStatusKind.EXPIRING_SOON:
        notice_line = _notice_line(licence, notice)
        return (
            f"{summary}. Maintenance expires on {expiry}, in {format_days(status.days_until_expiry)}. "
            f"{notice_line} Renewing before then keeps your updates and support uninterrupted."
        )
    if kind is LicenceStatusKind.EXPIRES_TODAY:
        return (
            f"{summary}. Maintenance expires today, {expiry}. Renew by tomorrow to avoid "
            "paying for a lapsed period: maintenance has to be continuous."
        )
    return (
        f"{summary}. Maintenance lapsed {format_days(status.days_since_expiry)} ago: it expired on {expiry}. "
        "Maintenance has to be continuous, so renewing now means paying for the lapsed period "
        "as well as the new period. Would you like a quote?"
    )


def _notice_line(licence: Licence, notice: Optional[NoticeStanding]) -> str:
    if notice is not None and notice.kind in (StandingKind.SENT, StandingKind.IMPORTED):
        return f"A renewal notice was sent on {format_date(notice.on)}."
    if notice is not None and notice.kind in (StandingKind.QUEUED, StandingKind.DUE):
        return "A renewal notice is on its way to the registered contact."
    if notice is None and licence.renewal_notice_sent_on:
        return f"A renewal notice was sent on {format_date(licence.renewal_notice_sent_on)}."
    return (
        "A renewal notice goes to the registered contact at least 30 days before expiry; "
        "if you haven't seen it, check your junk mail."
    )


def _money(amount: Decimal, quote: Quote) -> str:
    return format_money(amount, quote.currency)


def reseller_reply(licence: Licence, product: Product, reseller) -> str:
    """Who renews this licence: its reseller on record, or Technical Support when it has none."""
    if reseller is None:
        return (
            f"Your {licence_summary(licence, product)} licence has no reseller on record, so Trend Micro "
            "Technical Support handles its renewal. I can collect your renewal details and open a case with "
            "them."
        )
    return (
        f"Your reseller for the {product.name} licence is {reseller.name} "
        f"({reseller.email}, {display_phone(reseller.phone)}). They handle your renewal, the quote and the "
        "payment."
    )


def quote_reply(quote: Quote, product: Product, platform: str) -> str:
    years = "1 year" if quote.years == 1 else f"{quote.years} years"
    lines = [f"Renewal quote for {product.name} ({platform}), renewing on {format_date(quote.renewal_date)}:"]
    if quote.lapsed_days and quote.lapse_start and quote.lapse_end:
        lines.append(
            f"- Lapsed period {format_date(quote.lapse_start)} to {format_date(quote.lapse_end)} "
            f"({format_days(quote.lapsed_days)}, {_users(quote.previous_users)}): "
            f"{_money(quote.lapse_charge, quote)}"
        )
    lines += [
        f"- New term {format_date(quote.term_start)} to {format_date(quote.term_end)} "
        f"({years}, {_users(quote.users)}): {_money(quote.renewal_charge, quote)} "
        f"({_money(quote.rate_per_user_year, quote)} per user per year, the {format_band(quote.band)} band)",
        f"- Subtotal: {_money(quote.subtotal, quote)}",
        f"- GST ({quote.gst_rate * 100:.0f}%): {_money(quote.gst, quote)}",
        f"Total: {_money(quote.total, quote)} incl. GST",
    ]
    notes = []
    if quote.lapsed_days:
        notes.append(
            f"Maintenance has to be continuous. It expired on {format_date(quote.previous_expiry_date)}, so "
            f"the {format_days(quote.lapsed_days)} after that, up to the day before the new term starts on "
            f"{format_date(quote.term_start)}, are charged at your previous user count."
        )
    if quote.downsized:
        notes.append(f"You're renewing fewer users than before ({quote.previous_users}). {DOWNSIZE_RULE}")
    if quote.additional_users_requested:
        notes.append(
            f"A renewal covers at most your current {_users(quote.previous_users)}; the "
            f"{quote.additional_users_requested} extra are a separate additional user purchase "
            "through your reseller."
        )
    notes.append(
        "Prices are ex GST per user per year from the current price list; your reseller confirms the final "
        "price."
    )
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


NO_CASE_YET = (
    "You haven't opened a case in this chat yet. When I collect your renewal details, I open a case and "
    "give you its reference; your reseller (or Trend Micro Technical Support) then contacts you about the "
    "renewal and the payment, and emails the updated licence certificate once it's processed."
)


def not_this_conversations_case(reference: str) -> str:
    return (
        f"I can only give the status of a case opened in this chat, and {reference} wasn't. For that case, "
        "contact your reseller or Trend Micro Technical Support and quote the reference."
    )


_CASE_STAGE = {
    CaseStatus.OPEN: "it has been passed on and is waiting to be picked up",
    CaseStatus.IN_PROGRESS: "it is being worked on",
    CaseStatus.HANDED_TO_RESELLER: "it has been handed to your reseller",
    CaseStatus.RESOLVED: "it has been resolved",
}


def case_status_reply(case: Case, reseller_name: Optional[str]) -> str:
    """Where a customer's case stands and what happens next, in customer terms."""
    who = reseller_name or "Trend Micro Technical Support"
    text = f"Your case {case.reference}: {_CASE_STAGE[case.status]}."
    if case.status is CaseStatus.RESOLVED:
        return text + " If something is still missing, start a new chat or contact " + who + "."
    return (
        text + f" Next, {who} will contact you about the renewal and the payment. How soon depends on them, "
        "usually within a business day or two. Once the renewal is processed, the updated licence "
        "certificate "
        f"is emailed to the contact on the case. Quote {case.reference} if you get in touch."
    )


def list_prices_reply(product: Product, region: str, terms, rates) -> str:
    country = "New Zealand" if region == "NZ" else "Australia"
    lines = [f"List prices for {product.name} in {country}, per user per year, ex GST:"]
    for band, rate in rates:
        lines.append(f"- {format_band(band)}: {format_money(rate, terms.currency)}")
    other = "Australia" if region == "NZ" else "New Zealand"
    lines.append(
        f"\nGST is {terms.gst_rate * 100:.0f}% on top. The rate depends on the band your user count falls "
        "in, and "
        "a renewal after a lapse also pays for the lapsed days. For your own licence's exact price, give me "
        "its "
        f"Activation Code; your reseller confirms the final price. (Ask for the {other} prices if you need "
        "those.)"
    )
    return "\n".join(lines)


# --- renewal notices ------------------------------------------------------------------------


def _masked_email(email: Optional[str]) -> str:
    return masked("contact_email", email) if email else "the registered contact"


def notice_standing_reply(standing: NoticeStanding, licence: Licence) -> str:
    """Whether and where the notice for the licence's current term went, from the record."""
    to = _masked_email(standing.recipient or licence.contact_email)
    kind = standing.kind
    if kind is StandingKind.SENT:
        return (
            f"Your renewal notice was emailed on {format_date(standing.on)} to {to}, the contact registered "
            "with your licence. If it isn't in your inbox, check your junk or spam folder."
        )
    if kind is StandingKind.IMPORTED:
        return (
            f"Your renewal notice was sent on {format_date(standing.on)} to the contact registered with your "
            f"licence ({to}). If it isn't in your inbox, check your junk or spam folder."
        )
    if kind is StandingKind.FAILED:
        return (
            f"We tried to email your renewal notice on {format_date(standing.on)} to {to}, but that "
            "address's mail server refused it, so the address on file is probably out of date."
        )
    if kind is StandingKind.QUEUED:
        return (
            f"Your renewal notice is on its way to {to}, the contact registered with your licence: it was "
            f"queued on {format_date(standing.on)}."
        )
    if kind is StandingKind.DUE:
        return f"Your renewal notice is due now and goes out today to {to}."
    return (
        f"No notice is due yet: maintenance runs until {format_date(licence.expiry_date)}, and the notice "
        f"goes out on {format_date(standing.on)}, 30 days before, to {to}."
    )


def renewer_sentence(reseller) -> str:
    """Who renews the licence, for a customer worried about a missing notice."""
    if reseller is None:
        return "Your licence has no reseller on record, so Trend Micro Technical Support handles its renewal."
    return f"Your reseller, {reseller.name}, handles the renewal and can confirm your expiry date."


def offer_resend(licence: Licence) -> str:
    return f"Would you like me to send it again to {_masked_email(licence.contact_email)}?"


def offer_contact_change(licence: Licence) -> str:
    return (
        f"If {_masked_email(licence.contact_email)} is no longer the right address, I can open a case to "
        "change the registered contact. Would you like that?"
    )


def resent_reply(resend, licence: Licence) -> str:
    to = _masked_email(resend.recipient)
    if not resend.sent:
        return (
            f"I've already sent it again today to {to}: I can send it once a day. It can take a few minutes "
            "to arrive; please check your junk folder too."
        )
    return f"Done: I've sent your renewal notice again to {to}. It should arrive within a few minutes."


NOTICE_NEEDS_CODE = (
    "Or give me your Activation Code, and I'll check whether your notice was sent, when and to which address."
)
ONLY_REGISTERED_ADDRESS = (
    "I can only send the notice to the address registered with your licence, never to one typed in the chat."
)


def contact_change_reply(case: Case, reseller) -> str:
    renewer_name = reseller.name if reseller is not None else "Trend Micro Technical Support"
    return (
        f"I've opened case {case.reference} for {renewer_name} to change the registered contact. They'll "
        "confirm the new contact with you before changing it, and notices then go to the new address."
    )


def notice_link_greeting(licence: Licence) -> str:
    first_name = licence.contact_name.split()[0] if licence.contact_name.strip() else ""
    hello = f"Hello {first_name}! " if first_name else "Hello! "
    return f"{hello}You've opened the renewal link from your notice for {licence.company}'s licence."


LINK_EXPIRED = (
    "That renewal link has expired: the links in renewal notices work for 14 days. I can still help: "
    "give me your Activation Code and I'll check your licence, or choose below."
)
LINK_INVALID = (
    "That renewal link isn't valid: it may have been cut short when it was copied. I can still help: give "
    "me your Activation Code and I'll check your licence, or choose below."
)
