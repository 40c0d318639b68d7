"""Reports to resellers about their customers' licences, as monospace tables (Slack shows them aligned):
the answer to "which of my customers expire soon?" and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional, Sequence

from renewals.formatting import format_date, format_days, format_short_date, monospace_table
from renewals.licences import Licence, LicenceStatus
from renewals.resellers import Reseller

MAX_TABLE_ROWS = 20
COMPANY_WIDTH = 28
DEFAULT_EXPIRY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class ExpiryRequest:
    days: int = DEFAULT_EXPIRY_WINDOW_DAYS
    expiring: bool = True  # licences expiring within `days` (today included)
    lapsed: bool = True  # licences already lapsed
    lapsed_within: Optional[int] = None  # only those lapsed in the last so many days (None: all)


@dataclass(frozen=True)
class ExpiryReport:
    today: date
    request: ExpiryRequest
    expiring: tuple[tuple[Licence, LicenceStatus], ...]  # soonest first; today's expiries included
    lapsed: tuple[tuple[Licence, LicenceStatus], ...]  # most recently lapsed first


def more_rows(shown: int, total: int) -> str:
    return f"\n…and {total - shown} more." if total > shown else ""


def licences_table(items: Sequence[tuple[Licence, LicenceStatus]], today_column: str = "Left") -> str:
    """Expiry, days left ("Left", negative once lapsed) or days since ("Lapsed"), company, product, users,
    code."""
    rows = []
    for licence, status in items[:MAX_TABLE_ROWS]:
        if today_column == "Lapsed":
            when = f"{status.days_since_expiry}d"
        elif status.days_since_expiry:
            when = f"-{status.days_since_expiry}d"
        else:
            when = f"{status.days_until_expiry}d"
        rows.append(
            (
                format_short_date(licence.expiry_date),
                when,
                licence.company,
                licence.product_code,
                licence.users,
                licence.activation_code,
            )
        )
    table = monospace_table(
        ("Expiry", today_column, "Company", "Product", "Users", "Activation Code"),
        rows,
        right_aligned=(1, 4),
        max_widths={2: COMPANY_WIDTH},
    )
    return table + more_rows(len(rows), len(items))


def expiry_report_reply(reseller: Reseller, report: ExpiryReport) -> str:
    request = report.request
    parts = []
    if request.expiring:
        window = f"in the next {format_days(request.days)}"
        if report.expiring:
            parts.append(
                f"{reseller.name}: {len(report.expiring)} licence(s) expiring {window} "
                f"(today is {format_date(report.today)}):\n" + licences_table(report.expiring, "Left")
            )
        else:
            parts.append(f"None of your customers' licences expire {window}.")
    if request.lapsed:
        since = f" in the last {format_days(request.lapsed_within)}" if request.lapsed_within else ""
        if report.lapsed:
            parts.append(
                f"{len(report.lapsed)} licence(s) already lapsed{since}, most recent first:\n"
                + licences_table(report.lapsed, "Lapsed")
            )
        else:
            parts.append(f"None of your customers' licences have lapsed{since}.")
    parts.append('Ask about one by its Activation Code or company name, or say "quote" with its code.')
    return "\n\n".join(parts)
