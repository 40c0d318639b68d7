"""What the assistant says to resellers in Slack: plain functions of domain objects.

Tables are monospace code blocks (renewals.formatting.monospace_table), which
Slack shows with aligned columns.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from renewals.cases import Case, CaseStatus
from renewals.formatting import format_short_date, monospace_table
from renewals.licences import Licence, LicenceStatus
from renewals.reseller_access import CompanyMatch
from renewals.reseller_reports import COMPANY_WIDTH, MAX_TABLE_ROWS, licences_table, more_rows
from renewals.resellers import Reseller


def possessive(name: str) -> str:
    """ "Harbour Systems'" / "Kiwi Secure Ltd's"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def not_your_customer(reseller: Reseller) -> str:
    return (
        f"That Activation Code isn't one of {possessive(reseller.name)} customers, so I can't show or quote "
        "it. "
        "If the customer has moved to you, ask your Trend Micro partner contact to update the licence record."
    )


def not_your_case(reseller: Reseller, reference: str) -> str:
    return f'{reference} isn\'t one of the cases routed to {reseller.name}. Say "show my cases" to see yours.'


NO_COMPANY_MATCH = (
    'None of your customers\' company names matches that. Try part of the name (for example "Acacia"), '
    'or give me the Activation Code. Say "which of my customers expire in the next 90 days" for a list.'
)
ASK_CUSTOMER = "Which customer? Give me the licence's Activation Code, or the customer's company name."
ASK_CASE_REFERENCE = 'Which case? Give me its reference, for example "mark RN-2026-000123 in progress".'
STATUS_LABELS = {
    CaseStatus.OPEN: "open",
    CaseStatus.IN_PROGRESS: "in progress",
    CaseStatus.HANDED_TO_RESELLER: "handed to you",
    CaseStatus.RESOLVED: "resolved",
}


def licence_heading(licence: Licence) -> str:
    """`*Acacia Dental Group* (WS-2ZDQ-…)`: which customer a reply is about."""
    return f"*{licence.company}* ({licence.activation_code})"


def company_licences_reply(match: CompanyMatch, statuses: Iterable[LicenceStatus]) -> str:
    items = list(zip(match.licences, statuses))
    return (
        f"*{match.company}* has {len(items)} licences with you:\n"
        + licences_table(items, "Left")
        + "\n\nAsk about one by its Activation Code for the details or a quote."
    )


def which_company_reply(matches: Sequence[CompanyMatch]) -> str:
    names = ", ".join(match.company for match in matches[:5])
    return f"Several of your customers match: {names}. Which one do you mean?"


def cases_reply(reseller: Reseller, cases: Sequence[Case], include_resolved: bool) -> str:
    if not cases:
        which = "" if include_resolved else " open"
        return f"There are no{which} renewal cases routed to {reseller.name}."
    rows = [
        (
            case.reference,
            STATUS_LABELS.get(case.status, case.status.value),
            format_short_date(case.created_at.date()),
            case.checklist.company_name or "-",
            case.checklist.product_code or "-",
            case.checklist.user_count or "-",
            format_short_date(case.checklist.licence_expiry) if case.checklist.licence_expiry else "-",
        )
        for case in cases[:MAX_TABLE_ROWS]
    ]
    which = "" if include_resolved else "open "
    table = monospace_table(
        ("Reference", "Status", "Opened", "Company", "Product", "Users", "Expiry"),
        rows,
        right_aligned=(5,),
        max_widths={3: COMPANY_WIDTH},
    )
    return (
        f"{len(cases)} {which}case(s) routed to {reseller.name}:\n"
        + table
        + more_rows(len(rows), len(cases))
        + '\n\nSay "mark RN-… in progress" when you pick one up, or "mark RN-… resolved" when it\'s done.'
    )


def case_marked_reply(case: Case, changed: bool) -> str:
    label = STATUS_LABELS.get(case.status, case.status.value)
    if not changed:
        return f"{case.reference} is already {label}."
    return f"Done: {case.reference} ({case.checklist.company_name or 'no company given'}) is now {label}."


def case_transition_refused(case_reference: str, current: CaseStatus) -> str:
    if current is CaseStatus.RESOLVED:
        return f"{case_reference} is already resolved, and a resolved case stays closed."
    return f"{case_reference} can't be changed that way from {STATUS_LABELS.get(current, current.value)}."


def ask_case_status(reference: str) -> str:
    return f"Should I mark {reference} in progress or resolved?"
