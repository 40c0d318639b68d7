"""End-of-chat ratings: one answer per conversation, the latest kept, counted for the dashboard."""

from renewals.service import Renewals
from tests.support.clocks import ManualClock


def test_a_rating_is_kept_for_its_conversation(engine):
    service = Renewals(engine, ManualClock())
    service.rate_chat("conversation-1", True)
    rating = service.chat_rating("conversation-1")
    assert (rating.conversation_id, rating.solved) == ("conversation-1", True)
    assert service.chat_rating("conversation-2") is None


def test_answering_again_replaces_the_first_answer(engine):
    clock = ManualClock()
    service = Renewals(engine, clock)
    service.rate_chat("conversation-1", True)
    clock.advance(minutes=2)
    service.rate_chat("conversation-1", False)
    rating = service.chat_rating("conversation-1")
    assert rating.solved is False and rating.rated_at == clock.now()


def test_the_dashboard_counts_the_last_seven_days_answers(engine):
    clock = ManualClock()
    service = Renewals(engine, clock)
    service.rate_chat("old", True)
    clock.advance(days=8)
    for conversation, solved in (("a", True), ("b", True), ("c", False)):
        service.rate_chat(conversation, solved)
    assert service.dashboard()["chat_ratings"] == {"days": 7, "solved": 2, "not_solved": 1}
