"""One database transaction, with the repositories that work inside it."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from renewals.repositories import LicenceRepository, PriceListRepository, ResellerRepository


class UnitOfWork:
    """`with UnitOfWork(engine) as uow:` commits when the block succeeds, rolls back if it raises.

    All repositories share the one transaction, so changes that belong together
    (an import, or later a status change and the message announcing it) land together.
    """

    def __init__(self, engine: Engine):
        self._engine = engine

    def __enter__(self) -> UnitOfWork:
        self._connection = self._engine.connect()
        self._transaction = self._connection.begin()
        self.licences = LicenceRepository(self._connection)
        self.resellers = ResellerRepository(self._connection)
        self.price_lists = PriceListRepository(self._connection)
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if exc_type is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
        finally:
            self._connection.close()
