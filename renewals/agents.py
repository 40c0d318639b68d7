"""Support agents: accounts, console sessions, API tokens and sign-in rate limiting.

- Passwords are hashed with scrypt (n=2**14, r=8, p=1, 16-byte random salt) and
  compared in constant time. The stored form is `scrypt$n$r$p$salt_b64$hash_b64`.
- Console sessions and API tokens are 256 random bits; only their SHA-256 is stored,
  so a copy of the database does not let anyone sign in. A session expires after
  IDLE_TIMEOUT without use and, at the latest, MAX_SESSION_AGE after sign-in; each
  carries its own CSRF token.
- Failed sign-ins are stored per username and client address: MAX_FAILURES within
  FAILURE_WINDOW block further attempts for that pair until the window has passed.

Every function takes the clock: nothing here reads the system time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy.engine import Engine

from renewals.clock import Clock
from renewals.conflicts import AlreadyRecorded
from renewals.storage.unit_of_work import UnitOfWork

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
IDLE_TIMEOUT = timedelta(hours=8)
MAX_SESSION_AGE = timedelta(hours=24)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,49}")
API_TOKEN_PREFIX = "rat_"  # recognisable in logs and secret scanners


class AgentError(Exception):
    """An agent account operation that can't be done."""


class WeakPassword(AgentError, ValueError):
    pass


class DuplicateAgent(AgentError):
    pass


class UnknownAgent(AgentError, LookupError):
    pass


class TooManyAttempts(AgentError):
    """Too many failed sign-ins for this username from this client; try again later."""


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    display_name: str
    disabled: bool = False


@dataclass(frozen=True)
class Session:
    agent: Agent
    csrf_token: str
    expires_at: datetime  # whichever comes first: idle or absolute expiry


# --- passwords ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    _check_password(password)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password or "", base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8")[:MAX_PASSWORD_LENGTH],
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=HASH_BYTES,
        maxmem=128 * r * (n + p + 2) + 1024 * 1024,
    )


# A fixed hash to check against when the username is unknown, so the response
# takes as long as for a known one.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_PASSWORD_LENGTH} bytes")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


# --- the accounts service ----------------------------------------------------------------


class AgentAccounts:
    """Agent accounts, sessions and API tokens in the renewals database."""

    def __init__(self, engine: Engine, clock: Clock):
        self._engine = engine
        self._clock = clock

    # accounts

    def add(self, username: str, display_name: str, password: str) -> Agent:
        username = normalise_username(username)
        if not USERNAME.fullmatch(username):
            raise AgentError("a username is 2-50 characters: letters, digits, dot, dash or underscore")
        display_name = " ".join((display_name or "").split())
        if not display_name or len(display_name) > 100:
            raise AgentError("a display name is 1-100 characters")
        password_hash = hash_password(password)
        try:
            with UnitOfWork(self._engine) as uow:
                agent_id = uow.agents.add(username, display_name, password_hash, self._clock.now())
        except AlreadyRecorded:
            raise DuplicateAgent(f"there is already an agent {username!r}") from None
        return Agent(agent_id, username, display_name)

    def get(self, username: str) -> Optional[Agent]:
        with UnitOfWork(self._engine) as uow:
            row = uow.agents.by_username(normalise_username(username))
        return None if row is None else _agent(row)

    def set_password(self, username: str, password: str) -> None:
        """A new password; every console session of the agent ends."""
        password_hash = hash_password(password)
        with UnitOfWork(self._engine) as uow:
            agent_id = _agent_id(uow, username)
            uow.agents.set_password_hash(agent_id, password_hash)
            uow.agents.end_sessions_of(agent_id)

    def disable(self, username: str) -> None:
        """No more sign-ins; existing sessions and API tokens stop working at once."""
        with UnitOfWork(self._engine) as uow:
            agent_id = _agent_id(uow, username)
            uow.agents.disable(agent_id)
            uow.agents.end_sessions_of(agent_id)

    def list(self) -> list[Agent]:
        with UnitOfWork(self._engine) as uow:
            return [_agent(row) for row in uow.agents.all()]

    # sign-in

    def authenticate(self, username: str, password: str, client: str) -> Optional[Agent]:
        """The agent if the password is right; None otherwise (the failure is counted).

        Raises TooManyAttempts, without checking the password, once MAX_FAILURES
        failures for this username and client fall within FAILURE_WINDOW.
        """
        username = normalise_username(username)[:50]
        client = (client or "unknown")[:64]
        now = self._clock.now()
        # The attempt is counted before the password is checked, in the same transaction as the count,
        # so parallel guesses can't all read the count before any of them adds to it.
        with UnitOfWork(self._engine) as uow:
            uow.agents.serialise_sign_ins(username, client)
            attempt = uow.agents.add_failure(username, client, now)
            recent = uow.agents.failures_since(username, client, now - FAILURE_WINDOW)
            if recent > MAX_FAILURES:
                uow.agents.forget_failure(attempt)
            row = uow.agents.by_username(username)
        if recent > MAX_FAILURES:
            raise TooManyAttempts("too many failed sign-ins; try again in 15 minutes")
        ok = verify_password(password, row.password_hash if row is not None else _dummy_hash())
        with UnitOfWork(self._engine) as uow:
            if row is not None and ok and not row.disabled:
                uow.agents.forget_failures(username, client)
                return _agent(row)
            uow.agents.prune_failures(now - FAILURE_WINDOW * 4)
        return None

    # console sessions

    def start_session(self, agent: Agent) -> tuple[str, Session]:
        """A new session: (the cookie value, shown once, and the session)."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._clock.now()
        expires = now + MAX_SESSION_AGE
        with UnitOfWork(self._engine) as uow:
            uow.agents.add_session(token_digest(token), agent.id, csrf, now, expires)
            uow.agents.prune_sessions(now)
        return token, Session(agent, csrf, min(expires, now + IDLE_TIMEOUT))

    def session(self, token: Optional[str], restart_idle_timer: bool = True) -> Optional[Session]:
        """The live session for a cookie value, or None. The idle timer restarts only when
        `restart_idle_timer`: an agent's own request does, an open tab's background polling doesn't."""
        if not token or len(token) > 200:
            return None
        now = self._clock.now()
        with UnitOfWork(self._engine) as uow:
            row = uow.agents.session_with_agent(token_digest(token))
            if row is None:
                return None
            if row.disabled or now >= row.expires_at or now >= row.last_seen_at + IDLE_TIMEOUT:
                uow.agents.end_session(row.id)
                return None
            seen = now if restart_idle_timer else row.last_seen_at
            if restart_idle_timer:
                uow.agents.touch_session(row.id, now)
        agent = Agent(row.agent_id, row.username, row.display_name, row.disabled)
        return Session(agent, row.csrf_token, min(row.expires_at, seen + IDLE_TIMEOUT))

    def end_session(self, token: Optional[str]) -> None:
        if not token:
            return
        with UnitOfWork(self._engine) as uow:
            uow.agents.end_session_by_hash(token_digest(token))

    # API tokens

    def issue_api_token(self, username: str) -> str:
        """A new API token for the agent; returned once, stored only as its hash."""
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        with UnitOfWork(self._engine) as uow:
            uow.agents.add_api_token(token_digest(token), _agent_id(uow, username), self._clock.now())
        return token

    def revoke_api_tokens(self, username: str) -> int:
        with UnitOfWork(self._engine) as uow:
            return uow.agents.revoke_api_tokens(_agent_id(uow, username), self._clock.now())

    def agent_for_api_token(self, token: Optional[str]) -> Optional[Agent]:
        if not token or len(token) > 200:
            return None
        with UnitOfWork(self._engine) as uow:
            row = uow.agents.agent_for_api_token(token_digest(token))
        if row is None or row.disabled:
            return None
        return _agent(row)


def _agent(row) -> Agent:
    return Agent(row.id, row.username, row.display_name, bool(row.disabled))


def _agent_id(uow: UnitOfWork, username: str) -> int:
    agent_id = uow.agents.id_of(normalise_username(username))
    if agent_id is None:
        raise UnknownAgent(f"no agent {normalise_username(username)!r}")
    return agent_id
