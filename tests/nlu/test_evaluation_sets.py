"""The evaluation sets stay apart from the training data and from each other.

A text copied from an evaluation file into data/nlu would make the reported
accuracy a memory test; these checks fail the build when that happens. Short
messages ("yes please", "how do i renew") are said the same way by everybody, so
only messages of seven words or more count as copies.
"""

import re

import pytest
from rasa.shared.core.constants import DEFAULT_INTENTS
from rasa.shared.core.domain import Domain

from scripts.nlu_eval import DEVELOPMENT, HELD_OUT_TEST, ROOT, TRAINING_DIR, labelled_examples

COPY_MIN_WORDS = 7


def long_texts(texts) -> set:
    normalised = {" ".join(re.sub(r"[^\w@.+-]+", " ", text.lower()).split()) for text in texts}
    return {text for text in normalised if len(text.split()) >= COPY_MIN_WORDS}


def training_texts() -> set:
    return long_texts(text for path in TRAINING_DIR.glob("*.yml") for text, _ in labelled_examples(path))


def texts_of(evaluation_set) -> set:
    in_domain, off_topic = evaluation_set.examples()
    return long_texts([text for text, _ in in_domain] + off_topic)


@pytest.mark.parametrize("evaluation_set", [DEVELOPMENT, HELD_OUT_TEST], ids=["development", "held-out test"])
def test_no_evaluation_text_is_a_training_example(evaluation_set):
    assert sorted(texts_of(evaluation_set) & training_texts()) == []


def test_the_development_and_held_out_sets_share_no_text():
    assert sorted(texts_of(DEVELOPMENT) & texts_of(HELD_OUT_TEST)) == []


def test_the_held_out_test_set_has_every_labelled_intent_from_three_writers():
    files = HELD_OUT_TEST.in_domain
    assert len(files) == 3
    faq_topics = {
        label
        for path in TRAINING_DIR.glob("*.yml")
        for _, label in labelled_examples(path)
        if label.startswith("faq/")
    }
    expected = (
        set(Domain.load(str(ROOT / "domain.yml")).intents) - set(DEFAULT_INTENTS) - {"faq"} | faq_topics
    )
    for path in files:
        assert {label for _, label in labelled_examples(path)} == expected, path.name


def test_no_conversation_test_message_is_a_training_example():
    from scripts.dialogues import load_set

    said = long_texts(
        turn.user for name in ("dev", "heldout") for dialogue in load_set(name) for turn in dialogue.turns
    )
    assert sorted(said & training_texts()) == []


def test_the_conversation_sets_share_no_conversation():
    from scripts.dialogues import load_set

    dev, heldout = ({d.turns for d in load_set(name)} for name in ("dev", "heldout"))
    assert not dev & heldout and len(heldout) >= 80
