"""`python -m renewals` for cases: the outbox worker, undelivered cases, one case, and forgetting a
customer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from renewals.case_service import transition
from renewals.cases import CaseStatus
from renewals.cli.main import main
from renewals.clock import FixedClock
from renewals.delivery.webhook import WebhookConfig, WebhookSender
from renewals.delivery.worker import DeliveryWorker
from renewals.outbox import CASE_WEBHOOK_TOPIC, Backoff
from renewals.service import Renewals
from renewals.storage.db import PROJECT_ROOT, make_engine
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.cases import ACME_CHECKLIST, ACME_PERSONAL_DATA, WEBHOOK_SECRET, WebhookReceiver
from tests.support.clocks import ManualClock
from tests.support.renewals_data import DEMO_TODAY
from tests.support.tracker_events import event, senders_left, tracker_with


@pytest.fixture
def database(monkeypatch, sqlite_url):
    for variable in (
        "CASE_WEBHOOK_URL",
        "CASE_WEBHOOK_SECRET",
        "CASE_WEBHOOK_TIMEOUT",
        "SLACK_BOT_TOKEN",
        "RASA_AUTH_TOKEN",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["load-demo"]) == 0
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def queued(database):
    """Two cases queued for the webhook; the first has failed once."""
    clock = ManualClock()
    renewals = Renewals(database, clock, case_delivery_topics=(CASE_WEBHOOK_TOPIC,))
    for conversation in ("conversation-1", "conversation-2"):
        renewals.open_renewal_case(ACME_CHECKLIST, conversation, "web")
    with WebhookReceiver(script=["500"]) as receiver:
        sender = WebhookSender(WebhookConfig(url=receiver.url, secret=WEBHOOK_SECRET))
        DeliveryWorker(database, sender, clock, batch_size=1, backoff=Backoff(random=lambda: 0.0)).run_once()
    return database


def output(capsys) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_undelivered_cases_are_listed_without_personal_data(queued, capsys):
    assert main(["cases", "undelivered"]) == 0

    lines = output(capsys).splitlines()
    assert lines[0].split() == [
        "Reference",
        "Topic",
        "Attempts",
        "Next",
        "attempt",
        "(UTC)",
        "Flagged",
        "Last",
        "error",
    ]
    assert lines[1].split() == [
        "RN-2026-000001",
        "case.webhook",
        "1",
        "2026-11-28",
        "01:00:05",
        "HTTP",
        "500",
    ]
    assert lines[2].split() == ["RN-2026-000002", "case.webhook", "0", "now"]
    assert lines[3] == "2 undelivered message(s)."
    assert not [value for value in ACME_PERSONAL_DATA if value in "\n".join(lines)]


def test_with_everything_delivered_the_list_says_so(database, capsys):
    assert main(["cases", "undelivered"]) == 0

    assert output(capsys) == "Every outbox message has been delivered.\n"


def test_show_prints_a_case_and_its_history_without_contact_details(queued, capsys):
    with UnitOfWork(queued) as uow:
        transition(
            uow,
            "RN-2026-000001",
            CaseStatus.IN_PROGRESS,
            "Sam Agent",
            "Called the reseller",
            clock=ManualClock(),
        )

    assert main(["cases", "show", "rn-2026-000001"]) == 0

    shown = output(capsys)
    for expected in (
        "Reference:      RN-2026-000001",
        "Status:         in_progress",
        "Routed to:      technical-support",
        "Company:        Acme Widgets Pty Ltd",
        "Product:        WFBS-STD / Windows",
        "Users:          50",
        "Licence expiry: 2026-10-29",
        "(Contact details hidden; add --with-contact to show them.)",
        "2026-11-28 01:00:00  open                 by assistant",
        "in_progress          by Sam Agent: Called the reseller",
        "Delivery case.webhook: not delivered yet (1 attempt(s))",
    ):
        assert expected in shown
    assert not [value for value in ACME_PERSONAL_DATA if value in shown]


def test_show_with_contact_prints_the_contact_details(queued, capsys):
    assert main(["cases", "show", "RN-2026-000002", "--with-contact"]) == 0

    shown = output(capsys)
    assert "Email:          jordan.quill@acmewidgets.com.au" in shown
    assert "Phone:          +61412345678" in shown


def test_showing_an_unknown_case_exits_1(database, capsys):
    assert main(["cases", "show", "RN-2026-999999"]) == 1
    assert "No case RN-2026-999999." in output(capsys)


def test_without_a_webhook_url_the_worker_says_cases_stay_local(queued, capsys):
    assert main(["outbox-worker", "--once"]) == 0
    assert "CASE_WEBHOOK_URL is not set: cases stay in the local database" in output(capsys)


def test_without_a_webhook_url_the_worker_runs_until_stopped(database, sqlite_url):
    # It still delivers renewal notices (to .eml files); and running next to the servers (scripts/run.sh)
    # it must not end the others.
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CASE_WEBHOOK_") and k not in ("SLACK_BOT_TOKEN", "RASA_AUTH_TOKEN")
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "renewals", "outbox-worker"],
        cwd=PROJECT_ROOT,
        env={**environment, "DATABASE_URL": sqlite_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            worker.wait(timeout=1.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, log = worker.communicate(timeout=30)

    assert worker.returncode == 0
    assert "cases stay in the local database" in log


def test_the_worker_refuses_a_webhook_without_a_secret(queued, capsys, monkeypatch):
    monkeypatch.setenv("CASE_WEBHOOK_URL", "http://127.0.0.1:9/cases")

    assert main(["outbox-worker", "--once"]) == 1
    assert "CASE_WEBHOOK_SECRET must be set" in output(capsys)


def test_once_delivers_what_is_due_and_exits(queued, capsys, monkeypatch):
    with WebhookReceiver() as receiver:
        monkeypatch.setenv("CASE_WEBHOOK_URL", receiver.url)
        monkeypatch.setenv("CASE_WEBHOOK_SECRET", WEBHOOK_SECRET)

        assert main(["outbox-worker", "--once"]) == 0

    # Both are due: the real clock is far past the first one's retry time.
    assert capsys.readouterr().out == "Delivered 2 message(s); 0 failed and will be retried.\n"
    assert sorted(r.document["reference"] for r in receiver.accepted()) == [
        "RN-2026-000001",
        "RN-2026-000002",
    ]
    assert main(["cases", "undelivered"]) == 0
    assert "Every outbox message has been delivered." in output(capsys)


def test_the_worker_runs_until_told_to_stop(queued, sqlite_url):
    with WebhookReceiver() as receiver:
        environment = {
            **os.environ,
            "DATABASE_URL": sqlite_url,
            "CASE_WEBHOOK_URL": receiver.url,
            "CASE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "renewals", "outbox-worker", "--poll-interval", "0.1"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while len(receiver.accepted()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGTERM)
            _, log = worker.communicate(timeout=30)

    assert worker.returncode == 0, log
    assert len(receiver.accepted()) == 2
    assert "Outbox worker" in log and "stopped" in log
    assert not [value for value in ACME_PERSONAL_DATA if value in log]


def test_forget_customer_prints_counts_only(queued, tmp_path, capsys):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with(
        tracker_url,
        [
            {"sender_id": "conversation-1", "data": json.dumps({"text": "hi"})},
            {"sender_id": "someone-else", "data": "{}"},
        ],
    )

    assert (
        main(["forget-customer", "--email", "Jordan.Quill@AcmeWidgets.com.au", "--tracker-db", tracker_url])
        == 0
    )

    assert output(capsys).splitlines() == [
        "Deleted 2 case(s), 2 case history entries and 2 outbox message(s).",
        "Deleted 1 tracker event(s) from 1 conversation(s).",
    ]
    assert main(["cases", "show", "RN-2026-000001"]) == 1


def test_forget_customer_without_a_tracker_says_transcripts_remain(queued, capsys):
    assert main(["forget-customer", "--email", "jordan.quill@acmewidgets.com.au"]) == 0

    assert (
        output(capsys).splitlines()[-1]
        == "Tracker store not given (--tracker-db): chat transcripts were not deleted."
    )


def test_forget_customer_needs_an_address(database, capsys):
    assert main(["forget-customer", "--email", "Jordan Quill"]) == 1
    assert "--email must be an email address." in output(capsys)


def test_purge_cases_keeps_recent_and_unresolved_cases(queued, capsys):
    with UnitOfWork(queued) as uow:
        transition(uow, "RN-2026-000001", CaseStatus.RESOLVED, "Sam Agent", clock=FixedClock(DEMO_TODAY))

    assert main(["purge-cases"]) == 0
    assert "Deleted 0 resolved case(s)" in output(capsys)


def test_case_commands_refuse_an_unmigrated_database(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")

    assert main(["cases", "undelivered"]) == 1
    assert "run `python -m renewals migrate` first" in output(capsys)


def test_purge_conversations_deletes_only_conversations_idle_past_the_retention(
    tmp_path, capsys, monkeypatch
):
    now = datetime.now(timezone.utc)
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with(
        tracker_url,
        [
            event("idle-100-days", "user", now - timedelta(days=101)),
            event("idle-100-days", "user", now - timedelta(days=100)),
            event("back-yesterday", "user", now - timedelta(days=120)),  # old start, recent end
            event("back-yesterday", "user", now - timedelta(days=1)),
            event("idle-30-days", "user", now - timedelta(days=30)),
        ],
    )
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "90")

    assert main(["purge-conversations", "--tracker-db", tracker_url]) == 0
    assert output(capsys) == "Deleted 1 conversation(s) idle for more than 90 days (2 event(s)).\n"
    assert main(["purge-conversations", "--tracker-db", tracker_url, "--older-than-days", "20"]) == 0
    assert output(capsys) == "Deleted 1 conversation(s) idle for more than 20 days (1 event(s)).\n"
    assert senders_left(tracker_url) == ["back-yesterday"]
