"""The development conversation set (tests/dialogues/dev/), over REST against the live servers.

Each conversation checks what the customer reads at every turn; one failing conversation fails the
build. The held-out set is scored by `make bench` only.
"""

import pytest

from scripts.dialogues import load_set, run

DEVELOPMENT = load_set("dev")


@pytest.mark.parametrize("dialogue", [pytest.param(d, id=d.id) for d in DEVELOPMENT])
def test_a_development_conversation_reads_right_at_every_turn(assistant, dialogue):
    outcome = run(dialogue, assistant.send)
    assert outcome.passed, outcome.report()


def test_the_development_set_has_at_least_80_conversations():
    assert len(DEVELOPMENT) >= 80
