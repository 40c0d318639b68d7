"""Value tokens reach the featurizers as placeholders, but keep their text."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu_components.tokenizer import ValuePlaceholderTokenizer


def lemmas(text: str):
    tokenizer = ValuePlaceholderTokenizer(ValuePlaceholderTokenizer.get_default_config())
    message = Message.build(text=text)
    return [(t.text, t.lemma) for t in tokenizer.tokenize(message, "text")]


def test_a_code_is_one_token_however_it_is_typed():
    spaced = lemmas("code is wa zpdn qfefg zha3a u3zwl cqgpp 2438d thanks")
    hyphenated = lemmas("code is WA-ZPDN-QFEFG-ZHA3A-U3ZWL-CQGPP-2438D thanks")
    assert (
        [lemma for _, lemma in spaced]
        == [lemma for _, lemma in hyphenated]
        == ["code", "is", "__code__", "thanks"]
    )
    assert spaced[2][0] == "wa zpdn qfefg zha3a u3zwl cqgpp 2438d"  # the text is as typed


def test_email_phone_date_and_numbers_get_placeholders():
    result = dict(lemmas("email tom@kiwifreight.co.nz call 0412 345 678 on 1/3/2027 for 45 seats"))
    assert result["tom@kiwifreight.co.nz"] == "__email__"
    assert result["0412 345 678"] == "__phone__"
    assert result["1/3/2027"] == "__date__"
    assert result["45"] == "__number__"
    assert result["seats"] == "seats"


def test_ordinary_words_are_left_alone():
    assert all(text == lemma for text, lemma in lemmas("how do I renew my licence"))


def test_a_case_reference_is_one_token_however_it_is_typed():
    hyphenated = lemmas("mark RN-2026-000123 in progress")
    spaced = lemmas("mark rn 2026 000123 in progress")
    assert (
        [lemma for _, lemma in hyphenated]
        == [lemma for _, lemma in spaced]
        == ["mark", "__case__", "in", "progress"]
    )
    assert spaced[1][0] == "rn 2026 000123"


def test_a_licensing_question_among_chat_is_read_alone():
    said = (
        "Hello, I work on the front desk at the shire council library and Darren left for the city. "
        "What information do you need to do a renewal?"
    )
    assert [text for text, _ in lemmas(said)] == "What information do you need to do a renewal".split()


def test_the_sentence_with_the_code_stays_with_the_question():
    said = "Found it on the sticker: WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22. When does the licence expire?"
    assert "__code__" in [lemma for _, lemma in lemmas(said)]
    assert [text for text, _ in lemmas(said)][:2] == ["Found", "it"]


@pytest.mark.parametrize(
    "said",
    [
        "My licence lapsed. What now?",  # the question has no licensing word: the statement is the request
        "I want to renew our maintenance please",  # one sentence
        "we renew every year. the boss likes it",  # no question
    ],
)
def test_without_a_licensing_question_the_whole_message_is_read(said):
    assert [text for text, _ in lemmas(said)] == said.replace(".", "").replace("?", "").split()
