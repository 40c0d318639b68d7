"""The first-response target: 15 minutes after the request in hours, or after opening out of hours."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from renewals.cases import Case, CaseEvent, CaseReason, CaseStatus, EventKind
from renewals.checklist import RenewalChecklist
from renewals.response_times import first_response

SYDNEY = ZoneInfo("Australia/Sydney")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def at(*parts, zone=SYDNEY):
    return datetime(*parts, tzinfo=zone).astimezone(timezone.utc)


def with_history(*events, status=CaseStatus.OPEN):
    created = events[0].at if events else at(2026, 11, 27, 9, 0)
    return Case(
        "RN-2026-000001",
        CaseReason.HANDOFF,
        status,
        RenewalChecklist(),
        "web-1",
        "socketio",
        None,
        "technical-support",
        created,
        created,
        tuple(events),
    )


def asked(when):
    return CaseEvent(at=when, kind=EventKind.HANDOFF_REQUESTED, actor="assistant", note="asked")


def test_a_request_on_friday_morning_is_due_fifteen_minutes_later():
    case = with_history(asked(at(2026, 11, 27, 10, 0)))

    assert first_response(case, "AU").due_at == at(2026, 11, 27, 10, 15)


def test_a_request_on_saturday_is_due_fifteen_minutes_after_monday_opening_in_its_region():
    case = with_history(asked(at(2026, 11, 28, 12, 0)))

    assert first_response(case, "AU").due_at == at(2026, 11, 30, 8, 45)
    assert first_response(case, "NZ").due_at == at(2026, 11, 30, 8, 45, zone=AUCKLAND)


def test_taking_the_case_does_not_stop_the_clock_but_a_reply_does():
    taken = CaseEvent(at=at(2026, 11, 27, 10, 5), kind=EventKind.TAKEN, actor="alice")
    reply = CaseEvent(at=at(2026, 11, 27, 10, 20), kind=EventKind.REPLY, actor="alice", note="Hi")
    request = asked(at(2026, 11, 27, 10, 0))

    due = first_response(with_history(request, taken, status=CaseStatus.IN_PROGRESS), "AU")
    assert due.overdue(at(2026, 11, 27, 10, 15)) and not due.overdue(at(2026, 11, 27, 10, 14))
    assert first_response(with_history(request, taken, reply, status=CaseStatus.IN_PROGRESS), "AU") is None


def test_a_second_request_after_an_answer_starts_the_clock_again():
    reply = CaseEvent(at=at(2026, 11, 27, 10, 20), kind=EventKind.REPLY, actor="alice", note="Hi")
    case = with_history(asked(at(2026, 11, 27, 10, 0)), reply, asked(at(2026, 11, 27, 11, 0)))

    assert first_response(case, "AU").asked_at == at(2026, 11, 27, 11, 0)
    assert first_response(case, "AU", timedelta(minutes=5)).due_at == at(2026, 11, 27, 11, 5)


def test_a_resolved_case_or_one_without_a_request_awaits_nothing():
    assert (
        first_response(with_history(asked(at(2026, 11, 27, 10, 0)), status=CaseStatus.RESOLVED), "AU") is None
    )
    assert first_response(with_history(), None) is None


def test_without_a_region_the_first_team_to_open_sets_the_time():
    # Saturday midday in Sydney: Auckland opens first on Monday (08:30 NZDT is 06:30 AEDT).
    case = with_history(asked(at(2026, 11, 28, 12, 0)))

    assert first_response(case, None).due_at == at(2026, 11, 30, 8, 45, zone=AUCKLAND)
