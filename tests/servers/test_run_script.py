"""`make run`'s script starts every process of the embedded profile, each with its health check, and Ctrl-C
(SIGTERM here) stops them all. Its daily jobs send the demo's renewal notices once, even across a restart."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess

from scripts.live_assistant import DEMO_TODAY, ROOT, free_port, http
from tests.support.waiting import eventually


def is_up(url: str) -> bool:
    try:
        return http("GET", url)[0] == 200
    except OSError:
        return False


def test_the_run_script_starts_every_process_healthy_answers_a_customer_and_stops_them_all(tmp_path):
    outbox = tmp_path / "outbox"
    ports = {
        name: free_port()
        for name in (
            "RASA_PORT",
            "ACTION_PORT",
            "WEB_PORT",
            "OUTBOX_WORKER_HEALTH_PORT",
            "DAILY_JOBS_HEALTH_PORT",
        )
    }
    rest_token = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'renewals.db'}",
        "TRACKER_DB": str(tmp_path / "tracker.db"),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION_PORT']}/webhook",
        "RENEWALS_TODAY": DEMO_TODAY,
        "RASA_AUTH_TOKEN": secrets.token_urlsafe(32),
        "REST_CHANNEL_TOKEN": rest_token,
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "CHAT_SESSION_SECRET": secrets.token_urlsafe(32),
        "NOTICE_LINK_SECRET": secrets.token_urlsafe(32),
        "MAIL_OUTBOX_DIR": str(outbox),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "renewals", "load-demo"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    checks = {
        "action server": f"http://127.0.0.1:{ports['ACTION_PORT']}/health",
        "Rasa": f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/",
        "web service": f"http://127.0.0.1:{ports['WEB_PORT']}/healthz",
        "outbox worker": f"http://127.0.0.1:{ports['OUTBOX_WORKER_HEALTH_PORT']}/health",
        "daily jobs": f"http://127.0.0.1:{ports['DAILY_JOBS_HEALTH_PORT']}/health",
    }

    def start():
        log = (tmp_path / "run.log").open("a")
        return log, subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(log, run):
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
        log.close()
        assert eventually(lambda: not any(is_up(url) for url in checks.values()), timeout=30)

    def all_healthy():
        for name, url in checks.items():
            assert eventually(lambda url=url: is_up(url), timeout=180), (
                f"{name} never became healthy; see {tmp_path / 'run.log'}"
            )

    def notices():
        return sorted(path.name for path in outbox.glob("*.eml"))

    log, run = start()
    try:
        all_healthy()
        status, replies = http(
            "POST",
            f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
            {"sender": "run-script", "message": "when does WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22 expire"},
            {"Authorization": f"Bearer {rest_token}"},
        )
        assert status == 200 and "2 January 2028" in " ".join(reply.get("text", "") for reply in replies)
        # One notice per due (2) or lapsed (12) demo licence, written by the outbox worker.
        assert eventually(lambda: len(notices()) == 14, timeout=60), notices()
    finally:
        stop(log, run)
    sent = notices()

    log, run = start()
    try:
        all_healthy()
        # The daily jobs ran again at start and found every notice already sent: nothing more is written.
        assert eventually(
            lambda: "Daily job renewal-notices" in (tmp_path / "run.log").read_text(), timeout=30
        )
        assert notices() == sent
    finally:
        stop(log, run)
