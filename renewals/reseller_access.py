"""What a reseller may see and do in the Slack assistant: only their own customers and cases.

The reseller comes from a verified Slack identity (renewals.slack_identity and
the links in renewals.resellers), never from anything typed. Every function
here takes the reseller's id and answers only from that reseller's records:

* a licence belongs to the reseller when `licence.reseller_id` is theirs;
* a case belongs to them when it was routed to them (`case.routed_to`).

A refusal never tells "another reseller's" apart from "no such thing": both are
NotYourCustomer (or NotYourCase), so nobody can probe which codes or cases exist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Optional

from renewals.case_service import transition
from renewals.cases import Case, CaseNotFound, CaseStatus, TransitionNotAllowed
from renewals.clock import Clock
from renewals.codes import normalise_activation_code
from renewals.conversation_messages import reseller_resolved_message
from renewals.licences import Licence, licence_status
from renewals.parsing import DIGITS_RE, NUMBER_WORDS_RE, number_value
from renewals.reseller_reports import DEFAULT_EXPIRY_WINDOW_DAYS, ExpiryReport, ExpiryRequest
from renewals.time_zones import licence_today, zone_for

MAX_EXPIRY_WINDOW_DAYS = 365
# Statuses a reseller may set from Slack.
RESELLER_STATUSES = (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED)
OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.HANDED_TO_RESELLER)


class AccessDenied(Exception):
    """The reseller may not see or change this. Messages never say whether it exists."""


class NotYourCustomer(AccessDenied, LookupError):
    def __init__(self) -> None:
        super().__init__("that licence is not one of your customers'")


class NotYourCase(AccessDenied, LookupError):
    def __init__(self) -> None:
        super().__init__("that case is not routed to you")


class StatusNotForResellers(AccessDenied, ValueError):
    def __init__(self) -> None:
        super().__init__("resellers can mark a case in progress or resolved")


# --- licences -------------------------------------------------------------------------------


def licence_for_reseller(uow, reseller_id: str, code: str) -> Licence:
    """The licence with Activation Code `code` if it is one of the reseller's customers'; else
    NotYourCustomer."""
    canonical = normalise_activation_code(code)
    licence = uow.licences.get(canonical) if canonical else None
    if licence is None or not reseller_id or licence.reseller_id != reseller_id:
        raise NotYourCustomer()
    return licence


# Words that say nothing about which company is meant.
_COMPANY_FILLER = frozenset(
    """pty ltd limited proprietary co company inc incorporated llc plc the and of group trust nz au""".split()
)
_MIN_WORD_LENGTH = 3
_FUZZY_WORD_RATIO = 0.8
MATCH_THRESHOLD = 0.34  # at least one of up to three distinctive words
FIRST_WORD_SCORE = 0.5  # the first distinctive word of a name usually identifies it
AMBIGUITY_MARGIN = 0.15


@dataclass(frozen=True)
class CompanyMatch:
    company: str
    licences: tuple[Licence, ...]  # soonest expiry first
    score: float  # 0..1: how much of the company's name the text holds


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text or "").casefold())


def _word_similarity(company_word: str, text_word: str) -> float:
    if company_word == text_word:
        return 1.0
    if len(text_word) < _MIN_WORD_LENGTH:
        return 0.0
    if len(text_word) >= 4 and company_word.startswith(text_word):
        return 0.9  # "jacar" for "jacaranda"
    if len(text_word) < 4 or len(company_word) < 4:
        return 0.0
    ratio = SequenceMatcher(None, company_word, text_word).ratio()
    return ratio if ratio >= _FUZZY_WORD_RATIO else 0.0


def _company_score(company: str, text_words: list[str]) -> float:
    """How much of the company's name the text holds; its first word alone ("gumtree") counts half."""
    words = [w for w in _words(company) if w not in _COMPANY_FILLER] or _words(company)
    if not words or not text_words:
        return 0.0
    found = [max(_word_similarity(word, t) for t in text_words) for word in words]
    coverage = sum(found) / len(found)
    return max(coverage, FIRST_WORD_SCORE) if found[0] else coverage


def find_customers(uow, reseller_id: str, text: str) -> list[CompanyMatch]:
    """The reseller's customers whose company name the text mentions, best first.

    Tolerates typos, a missing "Pty Ltd" and partial names ("acacia" for Acacia
    Dental Group). Only the reseller's own customers are searched. When the
    best match is clear, the list holds it alone; when two or more companies
    match about equally, it holds all of them, for the reseller to choose.
    """
    text_words = [w for w in _words(text) if w not in _COMPANY_FILLER]
    by_company: dict[str, list[Licence]] = {}
    for licence in uow.licences.of_reseller(reseller_id):
        by_company.setdefault(licence.company, []).append(licence)
    matches = sorted(
        (
            CompanyMatch(company, tuple(licences), round(_company_score(company, text_words), 3))
            for company, licences in by_company.items()
        ),
        key=lambda match: (-match.score, match.company),
    )
    matches = [match for match in matches if match.score >= MATCH_THRESHOLD]
    if len(matches) > 1 and matches[0].score - matches[1].score >= AMBIGUITY_MARGIN:
        return matches[:1]
    return [match for match in matches if matches[0].score - match.score < AMBIGUITY_MARGIN]


# --- expiry report --------------------------------------------------------------------------


_NUMBER = rf"(?P<number>{DIGITS_RE}|{NUMBER_WORDS_RE}|a|an|one)"
_UNIT_DAYS = {
    "day": 1,
    "week": 7,
    "wk": 7,
    "fortnight": 14,
    "month": 30,
    "mth": 30,
    "quarter": 91,
    "year": 365,
}
_UNIT = r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|mths?|quarters?|years?)"
_BACK = r"(?P<back>last|past|previous)"
_WINDOW_RE = re.compile(rf"(?:\b{_BACK}\s+)?\b{_NUMBER}[\s-]*{_UNIT}\b", re.IGNORECASE)
# "next month", "this week", "the last quarter": one of the unit.
_NAMED_WINDOW_RE = re.compile(rf"\b(?:{_BACK}|this|next|coming)\s+{_UNIT}\b", re.IGNORECASE)
_LAPSED_RE = re.compile(
    r"\b(?:lapsed|expired|overdue|past due|past expiry|ran out|out of maint(?:enance)?|"
    r"no longer covered|elapsed)\b",
    re.IGNORECASE,
)
_EXPIRING_RE = re.compile(
    r"\b(?:expir(?:e|es|ing)|due|coming up|upcoming|running out|run out|soon|ending|ends?)\b", re.IGNORECASE
)


def _window(text: str) -> tuple[Optional[int], bool]:
    """(days, looking back) of the first time window in the text, or (None, False)."""
    match = _WINDOW_RE.search(text)
    number = number_value(match.group("number")) if match else None
    if not match or not number:
        match, number = _NAMED_WINDOW_RE.search(text), 1
    if not match:
        return None, False
    unit = match.group("unit").lower().rstrip("s")
    return number * _UNIT_DAYS[unit], bool(match.group("back"))


def parse_expiry_request(text: str) -> ExpiryRequest:
    """What "which of my customers expire in the next 60 days" or "show lapsed" asks for.

    A window ("60 days", "2 weeks", "next month") sets the days (default 30, at
    most 365); looking back ("lapsed in the last 90 days") it limits the lapsed
    ones instead. Words of lapsing ("lapsed", "expired", "overdue") ask for
    lapsed licences, words of expiring ("expiring", "due", "coming up") or a
    forward window for those expiring; both or neither: both.
    """
    text = text or ""
    days, back = _window(text)
    if days is not None:
        days = min(max(days, 1), MAX_EXPIRY_WINDOW_DAYS)
    lapsed = bool(_LAPSED_RE.search(text)) or back
    expiring = bool(_EXPIRING_RE.search(_LAPSED_RE.sub(" ", text))) or (days is not None and not back)
    if not lapsed and not expiring:
        lapsed = expiring = True
    return ExpiryRequest(
        days=days if days is not None and not back else DEFAULT_EXPIRY_WINDOW_DAYS,
        expiring=expiring,
        lapsed=lapsed,
        lapsed_within=days if back else None,
    )


def expiry_report(uow, reseller_id: str, request: ExpiryRequest, clock: Clock) -> ExpiryReport:
    """Each licence is counted against today where it is; the report is headed with the reseller's today."""
    reseller = uow.resellers.get(reseller_id)
    today = clock.today(zone_for(reseller.region)) if reseller is not None else clock.today()
    expiring, lapsed = [], []
    for licence in uow.licences.of_reseller(reseller_id):
        licence_date = licence_today(clock, licence)
        days_left = (licence.expiry_date - licence_date).days
        status = licence_status(licence, licence_date)
        if days_left < 0:
            if request.lapsed_within is None or -days_left <= request.lapsed_within:
                lapsed.append((licence, status))
        elif days_left <= request.days:
            expiring.append((licence, status))
    lapsed.sort(key=lambda item: (-item[0].expiry_date.toordinal(), item[0].company))
    return ExpiryReport(
        today=today,
        request=request,
        expiring=tuple(expiring) if request.expiring else (),
        lapsed=tuple(lapsed) if request.lapsed else (),
    )


# --- cases ----------------------------------------------------------------------------------


def cases_for(uow, reseller_id: str, include_resolved: bool = False) -> list[Case]:
    """Cases routed to the reseller, oldest first: the open ones, or all with `include_resolved`,
    each as the reseller sees it (`as_reseller_sees_it`)."""
    if not reseller_id:
        return []
    cases = uow.cases.routed_to(reseller_id, None if include_resolved else OPEN_STATUSES)
    return [as_reseller_sees_it(uow, reseller_id, case) for case in cases]


def as_reseller_sees_it(uow, reseller_id: str, case: Case) -> Case:
    """The case with what the customer didn't type (company, product, users, expiry) taken from the
    licence on file, when it is the reseller's own customer's: a hand-off case often has none of it."""
    licence = uow.licences.get(case.licence_code) if case.licence_code else None
    if licence is None or licence.reseller_id != reseller_id:
        return case
    given = case.checklist
    return replace(
        case,
        checklist=replace(
            given,
            company_name=given.company_name or licence.company,
            product_code=given.product_code or licence.product_code,
            platform=given.platform or licence.platform,
            user_count=given.user_count or licence.users,
            licence_expiry=given.licence_expiry or licence.expiry_date,
        ),
    )


_IN_PROGRESS_RE = re.compile(
    r"\b(?:in[\s-]*progress|wip|working on|work on|picked up|pick up|picking up|taking|taken|"
    r"on it|started|start|starting|looking into|looking at|underway|under way|acknowledged?|ack|handling)\b",
    re.IGNORECASE,
)
_RESOLVED_RE = re.compile(
    r"\b(?:resolved?|closed?|closing|done|complete|completed|finished|sorted|renewed|processed|fixed|solved)\b",
    re.IGNORECASE,
)


def parse_case_status(text: str) -> Optional[CaseStatus]:
    """IN_PROGRESS or RESOLVED as a reseller says it ("I'm on it", "close it off"); None if unclear or
    both."""
    in_progress = bool(_IN_PROGRESS_RE.search(text or ""))
    resolved = bool(_RESOLVED_RE.search(text or ""))
    if in_progress == resolved:
        return None
    return CaseStatus.IN_PROGRESS if in_progress else CaseStatus.RESOLVED


@dataclass(frozen=True)
class CaseUpdate:
    case: Case
    changed: bool  # False: the case already had that status


def mark_case(
    uow, reseller_id: str, reference: str, status: CaseStatus, actor: str, *, clock: Clock
) -> CaseUpdate:
    """Set one of the reseller's cases to in progress or resolved, recording `actor` in its history.

    Raises NotYourCase (also for an unknown reference), StatusNotForResellers,
    or TransitionNotAllowed (e.g. the case is already resolved).
    """
    status = CaseStatus(status)
    if status not in RESELLER_STATUSES:
        raise StatusNotForResellers()
    case = uow.cases.get(reference)
    if case is None or not reseller_id or case.routed_to != reseller_id:
        raise NotYourCase()
    if case.status is status:
        return CaseUpdate(as_reseller_sees_it(uow, reseller_id, case), changed=False)
    try:
        reseller = uow.resellers.get(reseller_id)
        closing = reseller_resolved_message(reference, reseller.name) if reseller is not None else None
        updated = transition(uow, reference, status, actor, clock=clock, closing=closing)
    except CaseNotFound:
        raise NotYourCase() from None
    return CaseUpdate(as_reseller_sees_it(uow, reseller_id, updated), changed=True)


__all__ = [
    "AccessDenied",
    "CaseUpdate",
    "CompanyMatch",
    "ExpiryReport",
    "ExpiryRequest",
    "NotYourCase",
    "NotYourCustomer",
    "StatusNotForResellers",
    "TransitionNotAllowed",
    "cases_for",
    "expiry_report",
    "find_customers",
    "licence_for_reseller",
    "mark_case",
    "parse_case_status",
    "parse_expiry_request",
]
