"""Short answers to a yes/no question, as customers in Australia and New Zealand type them."""

import pytest

from renewals.answers import acknowledges_with_thanks, is_closing, is_thanks, opening_yes_or_no, yes_or_no


@pytest.mark.parametrize(
    "reply",
    [
        "yup",
        "Yep!",
        "yes please",
        "sure",
        "ok",
        "righto",
        "too right",
        "sweet as",
        "spot on",
        "all good",
        "yesss",
        "nah yeah",
        "ok cheers",
        "yeah mate",
        "go ahead",
    ],
)
def test_every_common_yes_is_a_yes(reply):
    assert yes_or_no(reply) is True


@pytest.mark.parametrize(
    "reply", ["nah", "no thanks", "nope", "not now", "yeah nah", "nah mate", "no ty", "nooo"]
)
def test_every_common_no_is_a_no(reply):
    assert yes_or_no(reply) is False


@pytest.mark.parametrize(
    "reply",
    [
        "Noah Brown",
        "40",
        "the phone is wrong",
        "chur",
        "no idea what my code is",
        "yes, but what does it cost?",
        "",
    ],
)
def test_anything_more_than_a_yes_or_a_no_is_neither(reply):
    assert yes_or_no(reply) is None


@pytest.mark.parametrize(
    "reply",
    [
        "ok ta",
        "too easy, cheers",
        "chur bro",
        "thanks heaps mate",
        "ty",
        "no worries ta",
        "bloody hell. ok ta",
        "ka pai cheers",
        "lol worth a shot. cheers",
    ],
)
def test_thanks_in_every_common_form_are_thanks(reply):
    assert is_thanks(reply)


@pytest.mark.parametrize("reply", ["thanks, what about 2 years?", "ok", "cheers, and how much is it", ""])
def test_thanks_with_a_question_are_not_just_thanks(reply):
    assert not is_thanks(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "sweet as, that's all",
        "all good, that's it for now thanks",
        "thats all cheers",
        "nah that's everything",
        "ok ta, i'm done",
    ],
)
def test_a_closing_in_every_common_form_is_a_closing(reply):
    assert is_closing(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "that's all the users we have",
        "is that all i need to do?",
        "that's it? how much",
        "that's all wrong",
        "sweet as",
        "",
    ],
)
def test_a_closing_with_more_to_say_is_not_one(reply):
    assert not is_closing(reply)


@pytest.mark.parametrize(
    "reply, thanks_only",
    [
        ("ok ta", True),
        ("righto cheers", True),
        ("great thanks", True),
        ("yes thanks", False),
        ("sure, cheers", False),
        ("yep ta", False),
    ],
)
def test_an_acknowledgement_with_thanks_does_not_take_up_an_offer(reply, thanks_only):
    assert acknowledges_with_thanks(reply) is thanks_only


@pytest.mark.parametrize(
    "text, answer",
    [
        ("oh no. yeah go on then", True),
        ("uh oh, yes please", True),
        ("oh no", False),
        ("oh no thanks", False),
    ],
)
def test_dismay_before_the_answer_is_not_a_no(text, answer):
    assert opening_yes_or_no(text) is answer
