"""Agent accounts: password hashing, sessions, rate limiting, API tokens and the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from renewals.agents import (
    IDLE_TIMEOUT,
    MAX_FAILURES,
    AgentAccounts,
    DuplicateAgent,
    TooManyAttempts,
    WeakPassword,
    hash_password,
    token_digest,
    verify_password,
)
from renewals.storage.db import PROJECT_ROOT, agent_api_tokens, agent_sessions, agents
from tests.support.clocks import ManualClock

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def accounts(engine, clock):
    return AgentAccounts(engine, clock)


def test_passwords_are_scrypt_hashed_with_a_salt():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert verify_password(PASSWORD, first) and not verify_password(PASSWORD + "x", first)
    assert not verify_password(PASSWORD, "garbage")
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_an_agent_signs_in_with_the_right_password_only(accounts, engine):
    agent = accounts.add("Alice", "Alice Nguyen", PASSWORD)
    assert agent.username == "alice"
    with pytest.raises(DuplicateAgent):
        accounts.add("alice", "Other", PASSWORD)
    assert accounts.authenticate("ALICE", PASSWORD, "10.0.0.1") == agent
    assert accounts.authenticate("alice", "wrong password!", "10.0.0.1") is None
    assert accounts.authenticate("nobody", PASSWORD, "10.0.0.1") is None
    with engine.connect() as connection:
        stored = connection.execute(select(agents.c.password_hash)).scalar_one()
    assert PASSWORD not in stored


def test_five_failures_block_the_username_from_that_address_for_fifteen_minutes(accounts, clock):
    accounts.add("bob", "Bob", PASSWORD)
    for _ in range(MAX_FAILURES):
        assert accounts.authenticate("bob", "wrong password!", "10.0.0.2") is None
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("bob", PASSWORD, "10.0.0.2")
    assert accounts.authenticate("bob", PASSWORD, "10.0.0.3") is not None  # another address
    clock.advance(minutes=16)
    assert accounts.authenticate("bob", PASSWORD, "10.0.0.2") is not None


def test_sessions_are_stored_hashed_and_expire_when_idle(accounts, clock, engine):
    agent = accounts.add("carol", "Carol", PASSWORD)
    token, session = accounts.start_session(agent)
    assert len(token) >= 43 and session.csrf_token
    with engine.connect() as connection:
        assert connection.execute(select(agent_sessions.c.session_hash)).scalar_one() == token_digest(token)
    assert accounts.session(token).agent == agent
    clock.advance(hours=7)
    assert accounts.session(token) is not None  # use restarts the idle timer
    clock.advance(seconds=IDLE_TIMEOUT.total_seconds() + 1)
    assert accounts.session(token) is None
    assert accounts.session("made-up") is None and accounts.session(None) is None


def test_sessions_end_at_sign_out_and_when_the_agent_is_disabled(accounts):
    agent = accounts.add("dave", "Dave", PASSWORD)
    token, _ = accounts.start_session(agent)
    accounts.end_session(token)
    assert accounts.session(token) is None
    token, _ = accounts.start_session(agent)
    api_token = accounts.issue_api_token("dave")
    accounts.disable("dave")
    assert accounts.session(token) is None and accounts.agent_for_api_token(api_token) is None
    assert accounts.authenticate("dave", PASSWORD, "x") is None


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(accounts, engine):
    accounts.add("erin", "Erin", PASSWORD)
    token = accounts.issue_api_token("erin")
    assert token.startswith("rat_")
    with engine.connect() as connection:
        assert connection.execute(select(agent_api_tokens.c.token_hash)).scalar_one() == token_digest(token)
    assert accounts.agent_for_api_token(token).username == "erin"
    assert accounts.agent_for_api_token(token + "x") is None
    assert accounts.revoke_api_tokens("erin") == 1
    assert accounts.agent_for_api_token(token) is None


def test_cli_adds_an_agent_and_prints_a_token(sqlite_url):
    env = {"DATABASE_URL": sqlite_url, "PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}
    run = lambda *args, stdin=None: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "renewals", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    assert run("migrate").returncode == 0
    added = run("agents", "add", "frank", "--name", "Frank Otieno", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "frank" in added.stdout and PASSWORD not in added.stdout
    weak = run("agents", "add", "gina", "--name", "Gina", "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and "12 characters" in weak.stderr
    token = run("agents", "token", "frank")
    assert token.returncode == 0 and token.stdout.strip().startswith("rat_")
    assert "Frank Otieno" in run("agents", "list").stdout
    assert run("agents", "token", "nobody").returncode == 1


def test_parallel_wrong_passwords_are_each_counted_so_no_more_than_five_are_checked(accounts):
    # The count and the check are one step: twenty guesses at once get five answers and fifteen refusals.
    from concurrent.futures import ThreadPoolExecutor

    accounts.add("erin", "Erin", PASSWORD)

    def guess(_):
        try:
            return accounts.authenticate("erin", "wrong password!", "10.0.0.9")
        except TooManyAttempts:
            return "refused"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(guess, range(20)))
    assert results.count(None) == MAX_FAILURES and results.count("refused") == 20 - MAX_FAILURES


def test_background_polling_does_not_keep_an_idle_session_alive(accounts, clock):
    token, _ = accounts.start_session(accounts.add("fay", "Fay", PASSWORD))
    for _ in range(9):  # an open tab polls for nine hours; the agent does nothing
        clock.advance(minutes=60)
        accounts.session(token, restart_idle_timer=False)
    assert accounts.session(token) is None  # idle for more than eight hours


def test_an_agents_own_request_restarts_the_idle_timer(accounts, clock):
    token, _ = accounts.start_session(accounts.add("gus", "Gus", PASSWORD))
    clock.advance(hours=7)
    assert accounts.session(token) is not None
    clock.advance(hours=7)
    assert accounts.session(token) is not None
