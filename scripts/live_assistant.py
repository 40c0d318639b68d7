"""A real action server and Rasa server, for conversation tests and benchmarks.

Both run as separate processes on free local ports against a fresh SQLite
database loaded with the demo data, with the clock fixed at 2026-11-28.
With ``web=True`` the customer web chat service (``python -m web``) runs too,
and its origin is the only one Rasa's web chat socket accepts.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"
DEMO_TODAY = "2026-11-28"
# The live tests stop the clock at midday in Sydney on the demo date (a Saturday: support is closed),
# so support-hours answers do not depend on when the tests run.
DEMO_NOW = "2026-11-28T12:00+11:00"
START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: Optional[dict] = None, headers: Optional[Dict[str, str]] = None):
    """(status, decoded JSON or text) of one request; HTTP errors are returned, not raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        payload, status = error.read(), error.code
    try:
        return status, json.loads(payload or b"null")
    except ValueError:
        return status, payload.decode(errors="replace")


@dataclass
class Assistant:
    rasa_url: str
    action_url: str
    token: str
    env: Dict[str, str]
    web_url: Optional[str] = None  # the customer web chat, when started with web=True
    rest_token: str = ""  # the REST channel's bearer token
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)  # "actions", "rasa" and maybe "web"
    logs: Dict[str, Path] = field(default_factory=dict)  # each process's output, by the same names

    def send(self, sender: str, text: str) -> List[dict]:
        status, replies = http(
            "POST",
            f"{self.rasa_url}/webhooks/rest/webhook",
            {"sender": sender, "message": text},
            {"Authorization": f"Bearer {self.rest_token}"},
        )
        if status != 200:
            raise AssertionError(f"REST channel answered {status}: {replies}")
        return replies

    def say(self, sender: str, text: str) -> str:
        """All reply texts of one turn, joined by newlines."""
        return "\n".join(reply.get("text", "") for reply in self.send(sender, text))

    def tracker(self, sender: str) -> dict:
        status, tracker = http("GET", f"{self.rasa_url}/conversations/{sender}/tracker?token={self.token}")
        if status != 200:
            raise AssertionError(f"tracker request answered {status}: {tracker}")
        return tracker


def _wait_until(check, what: str, processes: List[subprocess.Popen], logs: List[Path]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for process, log in zip(processes, logs):
            if process.poll() is not None:
                raise RuntimeError(f"{what}: a server exited early; its log:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(OSError, urllib.error.URLError):
            if check():
                return
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT_S} s")


@contextlib.contextmanager
def running_assistant(
    work: Path, extra_env: Optional[Dict[str, str]] = None, web: bool = False
) -> Iterator[Assistant]:
    if not MODEL.exists():
        raise RuntimeError(f"{MODEL} is missing: run `make train`")
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    token = uuid.uuid4().hex
    rest_token = secrets.token_urlsafe(32)
    web_url = f"http://127.0.0.1:{web_port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{work / 'renewals.db'}",
        "RENEWALS_TODAY": DEMO_TODAY,
        "RENEWALS_NOW": DEMO_NOW,
        "TRACKER_DB": str(work / "tracker.db"),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "RASA_AUTH_TOKEN": token,
        "REST_CHANNEL_TOKEN": rest_token,
        "RASA_TELEMETRY_ENABLED": "false",
        # credentials.yml's web chat channel needs a secret and an origin, web service or not.
        "CHAT_SESSION_SECRET": secrets.token_urlsafe(32),
        "NOTICE_LINK_SECRET": secrets.token_urlsafe(32),
        "MAIL_OUTBOX_DIR": str(work / "outbox"),  # renewal notice emails, as .eml files
        "WEB_ORIGIN": web_url,
        **(extra_env or {}),
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "-m", "renewals", "load-demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    logs = [work / "actions.log", work / "rasa.log"]
    commands = [
        [python, "-m", "action_server", "--port", str(action_port)],
        [
            python,
            "-m",
            "scripts.rasa_run",
            "--model",
            str(MODEL),
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ],
    ]
    rasa_url, action_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}"
    env["RASA_URL"] = rasa_url  # the outbox worker and the web service call Rasa's API there
    if web:
        env.update(
            {"WEB_PORT": str(web_port), "WEB_HOST": "127.0.0.1"}  # the socket goes through the web service
        )
        logs.append(work / "web.log")
        commands.append([python, "-m", "web"])
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        for command, log in zip(commands, logs)
    ]

    def rasa_ready() -> bool:
        status, body = http("GET", f"{rasa_url}/status?token={token}")
        return status == 200 and bool(body.get("model_file"))

    try:
        _wait_until(lambda: http("GET", f"{action_url}/health")[0] == 200, "action server", processes, logs)
        _wait_until(rasa_ready, "Rasa server", processes, logs)
        if web:
            _wait_until(
                lambda: http("GET", f"{web_url}/healthz")[0] == 200, "web chat service", processes, logs
            )
        names = ["actions", "rasa", "web"][: len(processes)]
        yield Assistant(
            rasa_url,
            action_url,
            token,
            env,
            web_url if web else None,
            rest_token,
            dict(zip(names, processes)),
            dict(zip(names, logs)),
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
