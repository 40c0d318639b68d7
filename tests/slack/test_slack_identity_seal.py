"""Only the Slack channel, holding the signing secret, can say who sent a message, and only for the
one message, in the one conversation, it sealed it for, for five minutes."""

from renewals import slack_identity
from renewals.slack_identity import METADATA_KEY, SlackIdentity, conversation_id, sealed_metadata, verify

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ALICE = SlackIdentity(user_id="U01SCIT01", team_id="T01SCIT", channel_id="D0DIRECT1")


CONVERSATION = "slack-0123456789abcdef0123456789abcdef"
SEALED_AT = 1_795_827_600  # 28 November 2026, 01:00 UTC


def metadata(identity=ALICE, text="show my cases", secret=SECRET, conversation=CONVERSATION, at=SEALED_AT):
    return {
        "out_channel": "D0DIRECT1",
        METADATA_KEY: sealed_metadata(secret, identity, text, conversation, at),
    }


def check(meta, text="show my cases", conversation=CONVERSATION, now=SEALED_AT + 2, used=()):
    return verify(SECRET, meta, text, conversation, now, used)


def test_a_sealed_identity_is_verified_for_its_own_text():
    assert check(metadata()) == ALICE
    assert check(metadata(), "  show my cases ") == ALICE  # Rasa strips the text


def test_a_seal_does_not_carry_over_to_other_text_another_user_or_another_secret():
    assert check(metadata(), "mark RN-2026-000001 resolved") is None
    tampered = metadata()
    tampered[METADATA_KEY]["user_id"] = "U02HARB01"
    assert check(tampered) is None
    assert check(metadata(secret="someone-elses-secret")) is None


def test_a_seal_copied_from_a_tracker_is_refused_in_another_conversation_later_or_a_second_time():
    sealed = metadata()
    assert check(sealed, conversation="rest-attacker") is None  # replayed from a new sender
    assert check(sealed, now=SEALED_AT + 301) is None  # more than five minutes later
    assert check(sealed, now=SEALED_AT - 60) is None  # sealed "in the future"
    assert check(sealed, used=[sealed[METADATA_KEY]["seal"]]) is None  # again in the same conversation
    backdated = metadata()
    backdated[METADATA_KEY]["sealed_at"] = SEALED_AT + 200  # moving the time breaks the seal
    assert check(backdated, now=SEALED_AT + 250) is None


def test_metadata_a_client_could_send_is_not_an_identity():
    for forged in (
        None,
        {},
        {METADATA_KEY: "U01SCIT01"},
        {METADATA_KEY: {"user_id": "U01SCIT01", "team_id": "T01SCIT", "channel_id": None}},
        {METADATA_KEY: {"user_id": "U01SCIT01", "team_id": "T01SCIT", "channel_id": None, "seal": "00" * 32}},
        {METADATA_KEY: {"user_id": ["U01SCIT01"], "team_id": None, "channel_id": None, "seal": "x"}},
        {
            METADATA_KEY: {
                "user_id": "U01SCIT01",
                "team_id": "T01SCIT",
                "channel_id": None,
                "sealed_at": SEALED_AT,
                "seal": "é" * 64,
            }
        },  # non-ASCII: refused, not a crash
    ):
        assert check(forged) is None
    assert (
        verify("", metadata(), "show my cases", CONVERSATION, SEALED_AT) is None
    )  # no secret: nobody is verified


def test_conversation_ids_are_stable_distinct_and_reveal_no_slack_id():
    first = conversation_id(SECRET, "T01SCIT", "U01SCIT01")
    assert first == conversation_id(SECRET, "T01SCIT", "U01SCIT01")
    assert first.startswith("slack-") and "U01SCIT01" not in first
    assert (
        len(
            {
                first,
                conversation_id(SECRET, "T02HARB", "U01SCIT01"),
                conversation_id(SECRET, "T01SCIT", "U02HARB01"),
                conversation_id("other-secret", "T01SCIT", "U01SCIT01"),
            }
        )
        == 4
    )
    assert slack_identity.SECRET_VARIABLE == "SLACK_SIGNING_SECRET"


def test_the_same_words_sent_twice_in_one_second_are_two_messages_not_a_replay():
    first = {
        METADATA_KEY: sealed_metadata(SECRET, ALICE, "show my cases", CONVERSATION, SEALED_AT, "1.000100")
    }
    second = {
        METADATA_KEY: sealed_metadata(SECRET, ALICE, "show my cases", CONVERSATION, SEALED_AT, "1.000200")
    }
    assert check(second, used=[first[METADATA_KEY]["seal"]]) == ALICE
    # The Slack message id is sealed too: changing it breaks the seal.
    second[METADATA_KEY]["message_ts"] = "1.000300"
    assert check(second) is None
