"""Typing indicators: a report from one side shows to the other for a few seconds, then goes by itself."""

from renewals.service import Renewals
from tests.support.clocks import ManualClock


def test_the_customer_typing_shows_to_the_agent_for_six_seconds(engine):
    clock = ManualClock()
    service = Renewals(engine, clock)
    assert service.typing("web-1").customer is False
    service.report_typing("web-1")
    clock.advance(seconds=5)
    assert service.typing("web-1").customer is True and service.typing("web-1").agent is None
    clock.advance(seconds=2)
    assert service.typing("web-1").customer is False


def test_the_agent_typing_shows_to_the_customer_by_name_and_leaves_the_customers_report_alone(engine):
    clock = ManualClock()
    service = Renewals(engine, clock)
    service.report_typing("web-1")
    service.report_typing("web-1", agent_name="Alice Nguyen")
    typing = service.typing("web-1")
    assert (typing.customer, typing.agent) == (True, "Alice Nguyen")
    assert service.typing("web-2").agent is None


def test_a_sent_reply_ends_the_agents_typing(demo_engine):
    service = Renewals(demo_engine, ManualClock())
    case = service.open_handoff_case("web-1", "socketio", "asked for a person")
    service.take_case(case.reference, "alice", "Alice Nguyen")
    service.report_typing("web-1", agent_name="Alice Nguyen")
    service.record_reply(case.reference, "alice", "Hi, Alice here.", "Alice Nguyen (support team)")
    assert service.typing("web-1").agent is None
