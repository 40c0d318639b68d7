"""The background processes from the command line: their health checks, and the daily retention jobs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

from renewals.cli.main import main
from renewals.storage.db import PROJECT_ROOT
from scripts.live_assistant import http
from tests.support.cases import WEBHOOK_SECRET, WebhookReceiver
from tests.support.tracker_events import event, senders_left, tracker_with
from tests.support.waiting import eventually

HEALTH_LINE = re.compile(r"Health check on (http://127\.0\.0\.1:\d+/health)")


@pytest.fixture
def database(monkeypatch, sqlite_url, tmp_path):
    for variable in (
        "CASE_WEBHOOK_URL",
        "CASE_WEBHOOK_SECRET",
        "SLACK_BOT_TOKEN",
        "RASA_AUTH_TOKEN",
        "TRACKER_DB",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    # The daily jobs send renewal notices too: they need the link secret, and their .eml files go here.
    monkeypatch.setenv("NOTICE_LINK_SECRET", "a-secret-for-the-background-cli-tests")
    monkeypatch.setenv("MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("SMTP_URL", raising=False)
    monkeypatch.setenv("RENEWALS_TODAY", "2026-11-28")
    assert main(["load-demo"]) == 0
    return sqlite_url


def started(command, environment):
    """The process and its health check's URL, read from its log."""
    process = subprocess.Popen(
        [sys.executable, "-m", "renewals", *command, "--health-port", "0"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:
        found = HEALTH_LINE.search(line)
        if found:
            # Keep reading its log, so a full pipe never blocks the process.
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, found.group(1)
    raise AssertionError(f"no health check announced; exit code {process.wait()}")


def stopped(process) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_the_worker_is_healthy_while_it_delivers_red_while_its_database_is_gone_and_green_once_back(
    database, tmp_path
):
    path = database.removeprefix("sqlite:///")
    with WebhookReceiver() as receiver:
        environment = {
            **os.environ,
            "DATABASE_URL": database,
            "CASE_WEBHOOK_URL": receiver.url,
            "CASE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
        worker, url = started(["outbox-worker", "--poll-interval", "0.1"], environment)
        try:
            assert eventually(lambda: http("GET", url)[0] == 200)
            os.rename(path, path + ".away")  # the worker's next round opens an empty file: no tables
            assert eventually(lambda: http("GET", url)[0] == 503)
            status, document = http("GET", url)
            assert document["status"] == "failing" and document["error"] == "OperationalError"
            os.replace(path + ".away", path)
            assert eventually(lambda: http("GET", url)[0] == 200)
        finally:
            assert stopped(worker) == 0


def test_a_worker_with_no_webhook_slack_or_rasa_api_still_writes_renewal_notices_as_eml_files(
    database, tmp_path
):
    outbox = tmp_path / "outbox"
    environment = {
        **os.environ,
        "DATABASE_URL": database,
        "MAIL_OUTBOX_DIR": str(outbox),
    }
    queued = subprocess.run(
        [sys.executable, "-m", "renewals", "send-renewal-notices"],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert queued.stdout.startswith("2 expiry notice(s) and 12 lapsed notice(s) queued")
    worker, url = started(["outbox-worker", "--poll-interval", "0.1"], environment)
    try:
        assert eventually(lambda: len(list(outbox.glob("*.eml"))) == 14)
        status, document = http("GET", url)
        assert status == 200 and document["status"] == "ok"
    finally:
        assert stopped(worker) == 0


def tracker_with_conversations(url: str, idle_days: dict) -> None:
    """One event per conversation, idle for so many days."""
    now = datetime.now(timezone.utc)
    tracker_with(
        url, [event(sender, "user", now - timedelta(days=days)) for sender, days in idle_days.items()]
    )


def test_the_daily_jobs_purge_transcripts_past_retention_once_a_day(database, tmp_path, capsys, monkeypatch):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with_conversations(tracker_url, {"idle-100-days": 100, "yesterday": 1})
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "90")

    assert main(["daily-jobs", "--once", "--tracker-db", tracker_url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "renewal-notices: 2 expiry notice(s) and 12 lapsed notice(s) queued, 0 Slack message(s) to resellers",
        "reseller-digests: SLACK_BOT_TOKEN is not set: no digests to send.",
        "purge-cases: Deleted 0 resolved case(s), 0 case history entries and 0 outbox message(s).",
        "purge-conversations: Deleted 1 conversation(s) idle for more than 90 days (1 event(s)).",
    ]
    assert senders_left(tracker_url) == ["yesterday"]

    tracker_with_conversations(tracker_url, {"came-back-idle": 200})  # the same day: the jobs already ran
    assert main(["daily-jobs", "--once", "--tracker-db", tracker_url]) == 0
    assert capsys.readouterr().out == ""
    assert senders_left(tracker_url) == ["came-back-idle", "yesterday"]


def test_the_daily_jobs_process_runs_the_jobs_at_start_and_reports_healthy(database, tmp_path):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with_conversations(tracker_url, {"idle-100-days": 100, "yesterday": 1})
    environment = {**os.environ, "DATABASE_URL": database, "TRACKER_DB": str(tmp_path / "tracker.db")}
    jobs, url = started(["daily-jobs"], environment)
    try:
        assert eventually(lambda: http("GET", url)[0] == 200)
        assert senders_left(tracker_url) == ["yesterday"]
    finally:
        assert stopped(jobs) == 0


def test_before_rasa_has_stored_a_conversation_there_is_nothing_to_purge(database, tmp_path, capsys):
    assert main(["daily-jobs", "--once", "--tracker-db", f"sqlite:///{tmp_path / 'new-tracker.db'}"]) == 0
    assert "purge-conversations: Deleted 0 conversation(s)" in capsys.readouterr().out
