"""Short answers to a yes/no question, as customers in Australia and New Zealand type them."""
import pytest

from renewals.answers import is_thanks, yes_or_no


@pytest.mark.parametrize(
    "reply", ["yup", "Yep!", "yes please", "sure", "ok", "righto", "too right", "sweet as", "spot on", "all good",
              "yesss", "nah yeah", "ok cheers", "yeah mate", "go ahead"],
)
def test_every_common_yes_is_a_yes(reply):
    assert yes_or_no(reply) is True


@pytest.mark.parametrize("reply", ["nah", "no thanks", "nope", "not now", "yeah nah", "nah mate", "no ty", "nooo"])
def test_every_common_no_is_a_no(reply):
    assert yes_or_no(reply) is False


@pytest.mark.parametrize(
    "reply", ["Noah Brown", "40", "the phone is wrong", "chur", "no idea what my code is", "yes, but what does it cost?", ""],
)
def test_anything_more_than_a_yes_or_a_no_is_neither(reply):
    assert yes_or_no(reply) is None


@pytest.mark.parametrize(
    "reply", ["ok ta", "too easy, cheers", "chur bro", "thanks heaps mate", "ty", "no worries ta", "bloody hell. ok ta"]
)
def test_thanks_in_every_common_form_are_thanks(reply):
    assert is_thanks(reply)


@pytest.mark.parametrize("reply", ["thanks, what about 2 years?", "ok", "cheers, and how much is it", ""])
def test_thanks_with_a_question_are_not_just_thanks(reply):
    assert not is_thanks(reply)
