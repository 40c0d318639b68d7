"""The first-response target: how soon a person must answer a customer who asked for one.

The clock starts when the customer asks for a person, or, out of hours, when the team for the
licence's region next opens (renewals.support_hours): a request on Saturday is due on Monday
morning, not overdue all weekend. It stops at the first reply to the customer, or when the case is
handed to the reseller or resolved. Taking the case does not stop it: the customer is still waiting
for an answer. A request that runs past closing time stays due at its first instant (hours that
span a closing are not carried over to the next day).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Mapping, Optional

from renewals.cases import Case, EventKind, requested_since
from renewals.support_hours import earliest

DEFAULT_TARGET = timedelta(minutes=15)
TARGET_VARIABLE = "CONSOLE_FIRST_RESPONSE_MINUTES"


def target_from_env(environ: Mapping[str, str] = os.environ) -> timedelta:
    """The first-reply target: CONSOLE_FIRST_RESPONSE_MINUTES (whole minutes above 0), else 15 minutes."""
    value = environ.get(TARGET_VARIABLE, "").strip()
    if not value:
        return DEFAULT_TARGET
    if not value.isdigit() or int(value) == 0:
        raise ValueError(f"{TARGET_VARIABLE} must be a whole number of minutes above 0, not {value!r}")
    return timedelta(minutes=int(value))


_ANSWERED = frozenset({EventKind.REPLY, EventKind.HANDED_TO_RESELLER, EventKind.RESOLVED})


@dataclass(frozen=True)
class FirstResponse:
    asked_at: datetime  # the latest unanswered request for a person
    due_at: datetime  # UTC

    def overdue(self, now: datetime) -> bool:
        return now >= self.due_at


def unanswered_since(case: Case) -> Optional[datetime]:
    """When the customer asked for a person and has had no answer since; None once answered."""
    return requested_since(case, _ANSWERED)


def first_response(
    case: Case, region: Optional[str], target: timedelta = DEFAULT_TARGET
) -> Optional[FirstResponse]:
    """When the first answer to the customer's request for a person is due, if one is awaited."""
    asked = unanswered_since(case)
    if asked is None:
        return None
    opens = earliest(asked, region).next_open  # the request's own instant when the team is in
    return FirstResponse(asked, opens.astimezone(timezone.utc) + target)
