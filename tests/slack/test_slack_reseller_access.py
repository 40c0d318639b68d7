"""A reseller sees and changes only their own customers' licences and the cases routed to them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from renewals.cases import CaseStatus, TransitionNotAllowed
from renewals.clock import FixedClock
from renewals.reseller_access import (
    ExpiryRequest,
    NotYourCase,
    NotYourCustomer,
    StatusNotForResellers,
    cases_for,
    expiry_report,
    find_customers,
    licence_for_reseller,
    mark_case,
    parse_case_status,
    parse_expiry_request,
)
from renewals.resellers import TEAM, USER, SlackLink, reseller_id_for_slack
from renewals.service import Renewals
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.checklists import checklist_for

SOUTHERN_CROSS, HARBOUR = "R-AU-001", "R-AU-002"
ACACIA = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"  # Southern Cross's customer
BANKSIA = "WA-ZPDN-QFEFG-ZHA3A-U3ZWL-CQGPP-2438D"  # Harbour Systems' customer
QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # Harbour Systems' customer
UNKNOWN = "WS-AAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF"
TODAY = date(2026, 11, 28)


# --- who is a reseller -----------------------------------------------------------------------


def test_a_user_link_wins_over_the_workspace_link():
    links = [SlackLink(USER, "U1", "R-A"), SlackLink(TEAM, "T1", "R-B")]
    assert reseller_id_for_slack(links, "U1", "T1") == "R-A"
    assert reseller_id_for_slack(links, "U2", "T1") == "R-B"  # any member of the workspace
    assert reseller_id_for_slack(links, "U2", "T2") is None
    assert reseller_id_for_slack(links, "U1", None) == "R-A"
    assert reseller_id_for_slack(links, None, None) is None


def test_the_demo_links_make_the_demo_slack_users_resellers(demo_engine, clock):
    renewals = Renewals(demo_engine, clock)
    assert renewals.reseller_for_slack("U01SCIT01", "T01SCIT").reseller_id == SOUTHERN_CROSS
    assert renewals.reseller_for_slack("U99SOMEONE", "T02HARB").reseller_id == HARBOUR  # a Harbour colleague
    assert renewals.reseller_for_slack("U09CUST01", "T09OTHER") is None


# --- licences --------------------------------------------------------------------------------


def test_a_reseller_gets_their_own_customers_licence_however_the_code_is_typed(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        licence = licence_for_reseller(uow, SOUTHERN_CROSS, ACACIA.lower().replace("-", " "))
    assert licence.company == "Acacia Dental Group"


@pytest.mark.parametrize(
    "code", [BANKSIA, UNKNOWN, "WS-2ZDQ", ""], ids=["other reseller's", "unknown", "malformed", "empty"]
)
def test_anything_but_their_own_customers_licence_is_the_same_refusal(demo_engine, code):
    with UnitOfWork(demo_engine) as uow, pytest.raises(NotYourCustomer) as refusal:
        licence_for_reseller(uow, SOUTHERN_CROSS, code)
    assert str(refusal.value) == "that licence is not one of your customers'"


def test_a_licence_without_a_reseller_is_nobodys_customer(demo_engine):
    with UnitOfWork(demo_engine) as uow, pytest.raises(NotYourCustomer):
        licence_for_reseller(uow, None, "DS-TEB5-6QTU4-WLSYG-N4QJV-MVGTP-6FLYA")


@pytest.mark.parametrize(
    "text, company",
    [
        ("look up my customer Acacia Dental", "Acacia Dental Group"),
        ("acacia dentl group pty ltd", "Acacia Dental Group"),
        ("find gumtree", "Gumtree Medical Centre"),
        ("can you pull up jacaranda schools for me", "Jacaranda Schools Trust"),
        ("what's the licence for Mallee Agricultural", "Mallee Agricultural Supplies"),
    ],
)
def test_a_customer_is_found_by_company_name_despite_typos_and_missing_words(demo_engine, text, company):
    with UnitOfWork(demo_engine) as uow:
        [match] = find_customers(uow, SOUTHERN_CROSS, text)
    assert match.company == company
    assert all(licence.reseller_id == SOUTHERN_CROSS for licence in match.licences)


def test_another_resellers_customer_is_not_found_by_name(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        assert find_customers(uow, SOUTHERN_CROSS, "look up Banksia Logistics") == []
        assert [m.company for m in find_customers(uow, HARBOUR, "look up Banksia Logistics")] == [
            "Banksia Logistics"
        ]


def test_nothing_is_found_in_a_message_without_a_company_name(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        assert find_customers(uow, SOUTHERN_CROSS, "how much to renew for 2 years?") == []
        assert find_customers(uow, SOUTHERN_CROSS, "look up my customer") == []


def test_companies_matching_equally_are_all_offered(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        acacia = uow.licences.get(ACACIA)
        uow.licences.save(
            replace(
                acacia, activation_code="WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM23", company="Acacia Dental Lab"
            )
        )
        matches = find_customers(uow, SOUTHERN_CROSS, "look up acacia")
    assert sorted(m.company for m in matches) == ["Acacia Dental Group", "Acacia Dental Lab"]


# --- expiry lists ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("which of my customers expire in the next 60 days?", ExpiryRequest(60, True, False)),
        ("show lapsed", ExpiryRequest(30, False, True)),
        ("what renewals are due this month", ExpiryRequest(30, True, False)),
        ("customers expiring within a fortnight", ExpiryRequest(14, True, False)),
        ("who is coming up for renewal next quarter", ExpiryRequest(91, True, False)),
        ("customers that lapsed in the last 90 days", ExpiryRequest(30, False, True, lapsed_within=90)),
        ("what's expired or expiring", ExpiryRequest(30, True, True)),
        ("expiry report", ExpiryRequest(30, True, True)),
        ("expiring in the next 900 days", ExpiryRequest(365, True, False)),
    ],
)
def test_expiry_requests_are_read_from_reseller_speak(text, expected):
    assert parse_expiry_request(text) == expected


def test_the_expiry_report_holds_only_the_resellers_licences_in_the_window(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        report = expiry_report(uow, SOUTHERN_CROSS, ExpiryRequest(days=60), FixedClock(TODAY))
    assert [(licence.company, s.days_until_expiry) for licence, s in report.expiring] == [
        ("Mallee Agricultural Supplies", 1),
        ("Jacaranda Schools Trust", 29),
        ("Gumtree Medical Centre", 45),
    ]
    assert [(licence.company, s.days_since_expiry) for licence, s in report.lapsed] == [
        ("Platypus Software", 13),
        ("Saltbush Veterinary Clinic", 90),
    ]


def test_the_default_window_is_30_days_and_lapsed_can_be_limited(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        default = expiry_report(uow, SOUTHERN_CROSS, ExpiryRequest(), FixedClock(TODAY))
        recent = expiry_report(
            uow, SOUTHERN_CROSS, ExpiryRequest(expiring=False, lapsed_within=30), FixedClock(TODAY)
        )
    assert [licence.company for licence, _ in default.expiring] == [
        "Mallee Agricultural Supplies",
        "Jacaranda Schools Trust",
    ]
    assert recent.expiring == () and [licence.company for licence, _ in recent.lapsed] == [
        "Platypus Software"
    ]


# --- cases -----------------------------------------------------------------------------------


def open_case(demo_engine, clock, code: str, conversation: str = "slack-test"):
    renewals = Renewals(demo_engine, clock)
    licence = renewals.find_licence(code)
    return renewals.open_renewal_case(checklist_for(licence), conversation, "slack", licence=licence)


def test_a_reseller_sees_only_the_open_cases_routed_to_them(demo_engine, clock):
    theirs = open_case(demo_engine, clock, QUOKKA)
    open_case(demo_engine, clock, ACACIA)
    with UnitOfWork(demo_engine) as uow:
        assert [c.reference for c in cases_for(uow, HARBOUR)] == [theirs.reference]
        assert cases_for(uow, "R-NZ-001") == []
        assert cases_for(uow, None) == []


def test_a_reseller_marks_their_case_in_progress_then_resolved_and_the_history_says_who(demo_engine, clock):
    case = open_case(demo_engine, clock, QUOKKA)
    actor = "R-AU-002 in Slack (U02HARB01)"
    with UnitOfWork(demo_engine) as uow:
        started = mark_case(uow, HARBOUR, case.reference, CaseStatus.IN_PROGRESS, actor, clock=clock)
        again = mark_case(uow, HARBOUR, case.reference, CaseStatus.IN_PROGRESS, actor, clock=clock)
        resolved = mark_case(uow, HARBOUR, case.reference, CaseStatus.RESOLVED, actor, clock=clock)
    assert started.changed and started.case.status is CaseStatus.IN_PROGRESS
    assert not again.changed
    assert resolved.case.status is CaseStatus.RESOLVED
    assert [(e.status, e.actor) for e in resolved.case.history][1:] == [
        (CaseStatus.IN_PROGRESS, actor),
        (CaseStatus.RESOLVED, actor),
    ]
    with UnitOfWork(demo_engine) as uow:
        assert cases_for(uow, HARBOUR) == []
        assert [c.reference for c in cases_for(uow, HARBOUR, include_resolved=True)] == [case.reference]
        with pytest.raises(TransitionNotAllowed):
            mark_case(uow, HARBOUR, case.reference, CaseStatus.IN_PROGRESS, actor, clock=clock)


def test_a_hand_off_case_shows_the_reseller_their_customers_company_and_licence_from_the_record(
    demo_engine, clock
):
    renewals = Renewals(demo_engine, clock)
    case = renewals.open_handoff_case(
        "web-1", "socketio", "asked for a person", licence=renewals.find_licence(QUOKKA)
    )
    assert case.checklist.company_name is None  # the customer typed nothing

    with UnitOfWork(demo_engine) as uow:
        [listed] = cases_for(uow, HARBOUR)
        marked = mark_case(
            uow, HARBOUR, case.reference, CaseStatus.IN_PROGRESS, "R-AU-002 in Slack", clock=clock
        )
    for seen in (listed.checklist, marked.case.checklist):
        assert (seen.company_name, seen.product_code, seen.user_count) == ("Quokka Travel", "WFBS-STD", 50)
        assert seen.contact_email is None  # contact details stay as the customer gave them: none
    assert renewals.case(case.reference).checklist.company_name is None  # nothing is written back


@pytest.mark.parametrize("reference", ["theirs", "RN-2026-999999"], ids=["another reseller's", "unknown"])
def test_another_resellers_case_or_an_unknown_one_is_the_same_refusal(demo_engine, clock, reference):
    case = open_case(demo_engine, clock, QUOKKA)
    reference = case.reference if reference == "theirs" else reference
    with UnitOfWork(demo_engine) as uow, pytest.raises(NotYourCase):
        mark_case(
            uow, SOUTHERN_CROSS, reference, CaseStatus.RESOLVED, "R-AU-001 in Slack (U01SCIT01)", clock=clock
        )
    with UnitOfWork(demo_engine) as uow:
        assert uow.cases.get(case.reference).status is CaseStatus.OPEN


def test_resellers_only_mark_cases_in_progress_or_resolved(demo_engine, clock):
    case = open_case(demo_engine, clock, QUOKKA)
    with UnitOfWork(demo_engine) as uow, pytest.raises(StatusNotForResellers):
        mark_case(uow, HARBOUR, case.reference, CaseStatus.HANDED_TO_RESELLER, "x", clock=clock)


@pytest.mark.parametrize(
    "text, status",
    [
        ("mark RN-2026-000123 in progress", CaseStatus.IN_PROGRESS),
        ("I'm on it RN-2026-000001", CaseStatus.IN_PROGRESS),
        ("picked up RN-2026-000011", CaseStatus.IN_PROGRESS),
        ("RN-2026-000004 resolved", CaseStatus.RESOLVED),
        ("close off RN-2026-000027 please", CaseStatus.RESOLVED),
        ("RN-2026-000020 renewed, all done", CaseStatus.RESOLVED),
        ("what about RN-2026-000020", None),
        ("started it and it's done", None),
    ],
)
def test_the_status_a_reseller_asks_for_is_read_from_their_words(text, status):
    assert parse_case_status(text) is status
