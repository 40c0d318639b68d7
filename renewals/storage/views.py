"""Read models: the figures the console's dashboard shows, counted by SQL, never by loading rows."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from renewals.cases import CaseStatus
from renewals.storage.db import case_events, cases, licences


class DashboardView:
    def __init__(self, connection: Connection):
        self._connection = connection

    def unresolved_counts(self) -> list[tuple[str, Optional[str], int]]:
        """(status, the licence's region or None, how many) for the cases not resolved."""
        rows = self._connection.execute(
            select(cases.c.status, licences.c.region, func.count())
            .select_from(cases.outerjoin(licences, cases.c.licence_id == licences.c.id))
            .where(cases.c.status != CaseStatus.RESOLVED.value)
            .group_by(cases.c.status, licences.c.region)
        )
        return [(status, region, count) for status, region, count in rows]

    def conversations_with_event_since(self, kind: str, since: datetime) -> set[str]:
        """Conversation ids of cases with a history entry of `kind` at or after `since`."""
        return set(
            self._connection.execute(
                select(cases.c.conversation_id)
                .select_from(case_events.join(cases, cases.c.id == case_events.c.case_id))
                .where(
                    case_events.c.kind == kind,
                    case_events.c.at >= since,
                    cases.c.conversation_id.is_not(None),
                )
                .distinct()
            ).scalars()
        )
