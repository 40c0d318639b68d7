"""Web chat session tokens: server-issued, >= 128 random bits, signed, constant-time checked."""

import base64

import pytest

from channels import session_tokens

SECRET = b"s" * 32
OTHER_SECRET = b"t" * 32


def test_a_token_issued_by_the_server_verifies_to_its_session_id():
    token = session_tokens.issue(SECRET)
    session_id, _, _ = token.partition(".")
    assert session_tokens.verify(SECRET, token) == session_id


def test_session_ids_carry_at_least_128_random_bits_and_never_repeat():
    ids = {session_tokens.verify(SECRET, session_tokens.issue(SECRET)) for _ in range(500)}
    assert len(ids) == 500
    for session_id in ids:
        raw = base64.urlsafe_b64decode(session_id + "=" * (-len(session_id) % 4))
        assert len(raw) * 8 >= 128


def test_a_token_signed_with_another_secret_is_refused():
    assert session_tokens.verify(SECRET, session_tokens.issue(OTHER_SECRET)) is None


def test_a_tampered_session_id_or_signature_is_refused():
    token = session_tokens.issue(SECRET)
    session_id, _, signature = token.partition(".")
    flipped = "A" if session_id[0] != "A" else "B"
    assert session_tokens.verify(SECRET, flipped + session_id[1:] + "." + signature) is None
    other = "A" if signature[-2] != "A" else "B"
    assert session_tokens.verify(SECRET, session_id + "." + signature[:-2] + other + signature[-1]) is None


def test_another_sessions_signature_does_not_open_this_session():
    mine, theirs = session_tokens.issue(SECRET), session_tokens.issue(SECRET)
    their_id = theirs.partition(".")[0]
    my_signature = mine.partition(".")[2]
    assert session_tokens.verify(SECRET, f"{their_id}.{my_signature}") is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        ".",
        42,
        ["a.b"],
        "no-signature-here-at-all-xxxxxxxx",
        "short.sig",
        "a" * 300,
        "chosen-by-the-client",
        "x" * 32 + "." + "=" * 43,
    ],
)
def test_junk_is_refused_without_raising(token):
    assert session_tokens.verify(SECRET, token) is None


def test_a_bare_session_id_is_not_a_token():
    session_id = session_tokens.issue(SECRET).partition(".")[0]
    assert session_tokens.verify(SECRET, session_id) is None


def test_the_secret_is_required_and_must_be_long_enough():
    with pytest.raises(session_tokens.SecretMissing):
        session_tokens.secret_from_env({})
    with pytest.raises(session_tokens.SecretMissing):
        session_tokens.secret_from_env({"CHAT_SESSION_SECRET": "short"})
    assert session_tokens.secret_from_env({"CHAT_SESSION_SECRET": "k" * 43}) == b"k" * 43


def test_a_session_id_must_be_long_random_looking_text():
    with pytest.raises(ValueError):
        session_tokens.issue(SECRET, "guessable")
    assert session_tokens.verify(SECRET, session_tokens.issue(SECRET, "A" * 32)) == "A" * 32
