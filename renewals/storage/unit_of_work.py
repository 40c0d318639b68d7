"""One database transaction, with the repositories that work inside it."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from renewals.conflicts import AlreadyRecorded
from renewals.storage.db import SQLITE_IMMEDIATE_OPTION
from renewals.storage.repositories import (
    AgentRepository,
    CannedReplyRepository,
    CaseRepository,
    ChatRatingRepository,
    ChatTypingRepository,
    JobRunRepository,
    LicenceRepository,
    NoticeRepository,
    OutboxRepository,
    PriceListRepository,
    RateLimitRepository,
    ResellerRepository,
    SlackLinkRepository,
)
from renewals.storage.views import DashboardView


class UnitOfWork:
    """`with UnitOfWork(engine) as uow:` commits when the block succeeds, rolls back if it raises.

    All repositories share the one transaction, so changes that belong together
    (an import, or a case and the outbox message announcing it) land together.

    `immediate=True` is for work that reads and then writes what it read
    (opening a case, claiming outbox rows): on SQLite the transaction takes the
    write lock at the start, waiting its turn, instead of failing with "database
    is locked" when two writers meet. PostgreSQL ignores it; there the
    repositories rely on row locks and unique constraints.
    """

    def __init__(self, engine: Engine, *, immediate: bool = False):
        self._engine = engine
        self._immediate = immediate

    def __enter__(self) -> UnitOfWork:
        self._connection = self._engine.connect()
        if self._immediate:
            self._connection.execution_options(**{SQLITE_IMMEDIATE_OPTION: True})
        self._transaction = self._connection.begin()
        self.licences = LicenceRepository(self._connection)
        self.resellers = ResellerRepository(self._connection)
        self.slack_links = SlackLinkRepository(self._connection)
        self.price_lists = PriceListRepository(self._connection)
        self.cases = CaseRepository(self._connection)
        self.outbox = OutboxRepository(self._connection)
        self.notices = NoticeRepository(self._connection)
        self.rate_limits = RateLimitRepository(self._connection)
        self.chat_ratings = ChatRatingRepository(self._connection)
        self.chat_typing = ChatTypingRepository(self._connection)
        self.canned_replies = CannedReplyRepository(self._connection)
        self.job_runs = JobRunRepository(self._connection)
        self.agents = AgentRepository(self._connection)
        self.dashboard = DashboardView(self._connection)
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if exc_type is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self._connection.close()

    @property
    def dialect_name(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._connection.dialect.name

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: if the block raises, only its changes are undone. A unique key that is
        already taken (a concurrent request committed first) raises the domain's AlreadyRecorded."""
        try:
            with self._connection.begin_nested():
                yield
        except IntegrityError as error:
            raise AlreadyRecorded() from error
