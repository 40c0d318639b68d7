"""Daily jobs run once a day, whoever runs them, and a failed or abandoned run is run again."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from renewals.jobs.daily import DailyJob, run_due_jobs
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.clocks import ManualClock

PERSONAL_DATA = "customer " + "jordan.quill" + "@acmewidgets.com.au"


class CountingJob:
    def __init__(self, name: str, fail_times: int = 0):
        self.name, self.runs, self._fail_times = name, 0, fail_times

    def __call__(self) -> str:
        self.runs += 1
        if self.runs <= self._fail_times:
            raise RuntimeError(PERSONAL_DATA)  # a message that must not be logged
        return f"run {self.runs}"

    @property
    def job(self) -> DailyJob:
        return DailyJob(self.name, self)


def test_a_job_runs_once_a_day_however_often_the_jobs_are_checked(engine):
    clock, purge = ManualClock(), CountingJob("purge")

    assert run_due_jobs(engine, [purge.job], clock) == [("purge", "run 1")]
    clock.advance(hours=3)
    assert run_due_jobs(engine, [purge.job], clock) == []
    assert purge.runs == 1


def test_the_next_day_the_job_runs_again(engine):
    clock, purge = ManualClock(), CountingJob("purge")
    run_due_jobs(engine, [purge.job], clock)

    clock.advance(days=1)

    assert run_due_jobs(engine, [purge.job], clock) == [("purge", "run 2")]
    with UnitOfWork(engine) as uow:
        latest = uow.job_runs.latest("purge")
    assert latest["run_on"] == clock.today() and latest["summary"] == "run 2" and latest["finished_at"]


def test_two_processes_checking_at_once_run_the_job_once(engine):
    clock, purge = ManualClock(), CountingJob("purge")
    start = threading.Barrier(4)

    def check():
        start.wait()
        run_due_jobs(engine, [purge.job], clock)

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert purge.runs == 1


def test_a_failed_job_runs_again_at_the_next_check_and_the_others_still_run(engine, caplog):
    clock, flaky, purge = ManualClock(), CountingJob("flaky", fail_times=1), CountingJob("purge")

    with pytest.raises(RuntimeError):
        run_due_jobs(engine, [flaky.job, purge.job], clock)
    assert purge.runs == 1
    assert "jordan.quill" not in caplog.text and "RuntimeError" in caplog.text

    assert run_due_jobs(engine, [flaky.job, purge.job], clock) == [("flaky", "run 2")]


def test_a_run_whose_process_died_is_run_again_once_its_lease_is_over(engine):
    clock, purge = ManualClock(), CountingJob("purge")
    with UnitOfWork(engine) as uow:  # a process claimed today's run, then died
        assert uow.job_runs.claim("purge", clock.today(), clock.now(), stale_before=clock.now())

    assert run_due_jobs(engine, [purge.job], clock, lease=timedelta(hours=1)) == []
    clock.advance(minutes=61)
    assert run_due_jobs(engine, [purge.job], clock, lease=timedelta(hours=1)) == [("purge", "run 1")]
