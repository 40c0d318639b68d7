"""Only the Slack channel, holding the signing secret, can say who sent a message."""
from renewals import slack_identity
from renewals.slack_identity import METADATA_KEY, SlackIdentity, conversation_id, sealed_metadata, verify

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ALICE = SlackIdentity(user_id="U01SCIT01", team_id="T01SCIT", channel_id="D0DIRECT1")


def metadata(identity=ALICE, text="show my cases", secret=SECRET):
    return {"out_channel": "D0DIRECT1", METADATA_KEY: sealed_metadata(secret, identity, text)}


def test_a_sealed_identity_is_verified_for_its_own_text():
    assert verify(SECRET, metadata(), "show my cases") == ALICE
    assert verify(SECRET, metadata(), "  show my cases ") == ALICE  # Rasa strips the text


def test_a_seal_does_not_carry_over_to_other_text_another_user_or_another_secret():
    assert verify(SECRET, metadata(), "mark RN-2026-000001 resolved") is None
    tampered = metadata()
    tampered[METADATA_KEY]["user_id"] = "U02HARB01"
    assert verify(SECRET, tampered, "show my cases") is None
    assert verify(SECRET, metadata(secret="someone-elses-secret"), "show my cases") is None


def test_metadata_a_client_could_send_is_not_an_identity():
    for forged in (
        None,
        {},
        {METADATA_KEY: "U01SCIT01"},
        {METADATA_KEY: {"user_id": "U01SCIT01", "team_id": "T01SCIT", "channel_id": None}},
        {METADATA_KEY: {"user_id": "U01SCIT01", "team_id": "T01SCIT", "channel_id": None, "seal": "00" * 32}},
        {METADATA_KEY: {"user_id": ["U01SCIT01"], "team_id": None, "channel_id": None, "seal": "x"}},
    ):
        assert verify(SECRET, forged, "show my cases") is None
    assert verify("", metadata(), "show my cases") is None  # no secret: nobody is verified


def test_conversation_ids_are_stable_distinct_and_reveal_no_slack_id():
    first = conversation_id(SECRET, "T01SCIT", "U01SCIT01")
    assert first == conversation_id(SECRET, "T01SCIT", "U01SCIT01")
    assert first.startswith("slack-") and "U01SCIT01" not in first
    assert len({first, conversation_id(SECRET, "T02HARB", "U01SCIT01"), conversation_id(SECRET, "T01SCIT", "U02HARB01"),
                conversation_id("other-secret", "T01SCIT", "U01SCIT01")}) == 4
    assert slack_identity.SECRET_VARIABLE == "SLACK_SIGNING_SECRET"
