"""The team's saved replies: placeholders filled per case, typos refused, titles unique."""

import pytest

from renewals.canned_replies import InvalidCannedReply, checked, fill
from renewals.service import Renewals
from tests.support.clocks import ManualClock

GREETING = "Hi {customer_name}, this is {agent_name}. I'm looking at {case_reference} for {company} now."


def test_placeholders_are_filled_with_the_cases_values():
    values = {
        "customer_name": "Mia",
        "agent_name": "Alice",
        "case_reference": "RN-2026-000123",
        "company": "Lyrebird",
    }
    assert fill(GREETING, values) == "Hi Mia, this is Alice. I'm looking at RN-2026-000123 for Lyrebird now."


def test_a_value_the_case_lacks_reads_as_a_neutral_wording():
    assert fill("Hi {customer_name}, {reseller} will call.", {"customer_name": None}) == (
        "Hi there, your reseller will call."
    )


def test_an_unknown_placeholder_is_refused_with_the_ones_allowed():
    with pytest.raises(InvalidCannedReply, match=r"Unknown placeholder \{custmer_name\}.*\{customer_name\}"):
        checked("Greeting", "Hi {custmer_name}")


@pytest.mark.parametrize("title, body", [("", "text"), ("Title", "   "), ("x" * 81, "text")])
def test_a_reply_needs_a_title_and_a_text(title, body):
    with pytest.raises(InvalidCannedReply):
        checked(title, body)


def test_replies_are_added_changed_listed_by_title_and_deleted(engine):
    service = Renewals(engine, ManualClock())
    greeting = service.save_canned_reply(None, "  Greeting ", GREETING, "alice")
    service.save_canned_reply(None, "After hours", "We're closed now, {customer_name}.", "bob")
    assert [r.title for r in service.canned_replies()] == ["After hours", "Greeting"]

    service.save_canned_reply(greeting.reply_id, "Greeting", "Hello {customer_name}!", "bob")
    changed = next(r for r in service.canned_replies() if r.title == "Greeting")
    assert (changed.body, changed.updated_by) == ("Hello {customer_name}!", "bob")

    with pytest.raises(InvalidCannedReply, match="already a saved reply called 'After hours'"):
        service.save_canned_reply(greeting.reply_id, "After hours", "text", "bob")
    assert service.delete_canned_reply(greeting.reply_id) is True
    assert service.delete_canned_reply(greeting.reply_id) is False
    with pytest.raises(InvalidCannedReply, match="deleted meanwhile"):
        service.save_canned_reply(greeting.reply_id, "Greeting", "text", "bob")
