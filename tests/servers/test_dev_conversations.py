"""The development conversation set (tests/dialogues/dev/), over REST against the live servers.

Each conversation checks what the customer reads at every turn; a failing conversation fails the
build, except the known failures listed with their reasons in tests/dialogues/known_failures.yml
(expected to fail; the list is what is left to fix, and shrinks as it is fixed). The held-out set
is scored by `make bench` only.
"""

from pathlib import Path

import pytest
import yaml

from scripts.dialogues import load_set, run

DEVELOPMENT = load_set("dev")
KNOWN_FAILURES = yaml.safe_load((Path(__file__).parents[1] / "dialogues" / "known_failures.yml").read_text())


def params():
    for dialogue in DEVELOPMENT:
        reason = KNOWN_FAILURES.get(dialogue.id)
        marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
        yield pytest.param(dialogue, id=dialogue.id, marks=marks)


@pytest.mark.parametrize("dialogue", params())
def test_a_development_conversation_reads_right_at_every_turn(assistant, dialogue):
    outcome = run(dialogue, assistant.send)
    assert outcome.passed, outcome.report()


def test_the_development_set_has_at_least_80_conversations():
    assert len(DEVELOPMENT) >= 80


def test_every_known_failure_names_a_development_conversation():
    assert set(KNOWN_FAILURES) <= {dialogue.id for dialogue in DEVELOPMENT}
