"""Jobs that run once a day with no cron: the retention of chat transcripts and of resolved cases.

`python -m renewals daily-jobs` (started by `make run`) runs every job at start, then checks every few
minutes whether a job is due for the day. Each day's run of a job is claimed in the database first
(table `job_runs`, one row per job and day), so:
* two processes running the jobs, or a restart, run each job once a day;
* a job that fails gives up its claim, and runs again at the next check;
* a job whose process died mid-run (claimed, never finished, for longer than `lease`) is run again.
Every job here is idempotent: running one twice deletes nothing more.

A job returns a one-line summary of counts (never personal data): it is logged and stored with the run.
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, List, Optional, Sequence, Tuple

from sqlalchemy.engine import Engine

from renewals.clock import Clock
from renewals.jobs.health import RoundHealth
from renewals.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_CHECK_INTERVAL = timedelta(minutes=5)
DEFAULT_LEASE = timedelta(hours=1)


@dataclass(frozen=True)
class DailyJob:
    name: str
    run: Callable[[], str]  # does the work; returns its summary


def run_due_jobs(
    engine: Engine, jobs: Sequence[DailyJob], clock: Clock, lease: timedelta = DEFAULT_LEASE
) -> List[Tuple[str, str]]:
    """Runs each job not yet run today (in Sydney); returns (job, summary) for those it ran. A job that
    raises is given up for another try and the others still run; the first error is raised at the end."""
    ran: List[Tuple[str, str]] = []
    first_error: Optional[BaseException] = None
    for job in jobs:
        day, now = clock.today(), clock.now()
        with UnitOfWork(engine, immediate=True) as uow:
            if not uow.job_runs.claim(job.name, day, now, stale_before=now - lease):
                continue
        try:
            summary = job.run()
        except Exception as error:
            with UnitOfWork(engine) as uow:
                uow.job_runs.give_up(job.name, day)
            stack = "".join(traceback.format_tb(error.__traceback__))  # not the message: it might quote data
            log.error(
                "Daily job %s failed (%s); it runs again at the next check\n%s",
                job.name,
                type(error).__name__,
                stack,
            )
            first_error = first_error or error
            continue
        with UnitOfWork(engine) as uow:
            uow.job_runs.finish(job.name, day, clock.now(), summary)
        log.info("Daily job %s: %s", job.name, summary)
        ran.append((job.name, summary))
    if first_error is not None:
        raise first_error
    return ran


def run_daily(
    engine: Engine,
    jobs: Sequence[DailyJob],
    clock: Clock,
    stop_event: threading.Event,
    check_interval: timedelta = DEFAULT_CHECK_INTERVAL,
    health: Optional[RoundHealth] = None,
) -> None:
    """Runs the due jobs now and at every check until `stop_event` is set; survives any exception."""
    log.info("Daily jobs started: %s", ", ".join(job.name for job in jobs))
    while not stop_event.is_set():
        try:
            run_due_jobs(engine, jobs, clock)
            if health is not None:
                health.succeeded()
        except Exception as error:  # logged by run_due_jobs, or the database is down
            if health is not None:
                health.failed(error)
            log.error("Daily jobs round failed (%s)", type(error).__name__)
        stop_event.wait(check_interval.total_seconds())
    log.info("Daily jobs stopped")
