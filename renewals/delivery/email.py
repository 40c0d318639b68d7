"""Renewal notice emails, and the emails a customer asks for in the chat (renewals.chat_emails), delivered
from the outbox by SMTP or, with no SMTP configured, as .eml files.

Each `notice.email` outbox message holds the rendered notice (renewals.notices.notice_email). The sender
builds a multipart/alternative message (plain text and HTML) with a `List-Unsubscribe` header (notices
only; `chat.email` messages hold the same fields) and a
Message-ID made from the outbox message's delivery id, the same on every attempt, so a receiver that
de-duplicates on Message-ID sees a retried notice once.

* SMTP_URL set: `smtp://[user[:password]@]host[:port]` (port 25 by default), `?starttls=true` to
  require STARTTLS (certificate verified) before authenticating; `smtps://…` (port 465) for TLS from
  the start. A 4xx answer, a refused connection or a timeout is a temporary failure: the worker
  retries with backoff. A 5xx answer or an unusable address is permanent: the message is not tried
  again, and the notice's history shows the failure to agents.
* SMTP_URL unset (the embedded default): each message is written to MAIL_OUTBOX_DIR (default
  var/outbox/) as `<queued time>-<delivery id>.eml`, one file per message, written atomically; a file
  already there is the message delivered before, never written twice. The path is logged; it holds no
  personal data.

NOTICE_FROM is the sender (default `Trend Micro Licensing ANZ <renewals@example.com>`) and
NOTICE_UNSUBSCRIBE the List-Unsubscribe target (default a mailto: to the sender's address).
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from renewals.delivery.http import describe_failure
from renewals.delivery.worker import SendResult
from renewals.outbox import CHAT_EMAIL_TOPIC, NOTICE_EMAIL_TOPIC, OutboxMessage

log = logging.getLogger(__name__)

SMTP_URL_VARIABLE = "SMTP_URL"
OUTBOX_DIR_VARIABLE = "MAIL_OUTBOX_DIR"
FROM_VARIABLE = "NOTICE_FROM"
UNSUBSCRIBE_VARIABLE = "NOTICE_UNSUBSCRIBE"
DEFAULT_FROM = "Trend Micro Licensing ANZ <renewals@example.com>"
DEFAULT_OUTBOX_DIR = Path(__file__).resolve().parents[2] / "var" / "outbox"
TIMEOUT_SECONDS = 30.0
MESSAGE_ID_DOMAIN = "renewals.notices"


class EmailConfigError(ValueError):
    """SMTP_URL or NOTICE_FROM is unusable."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool = False  # TLS from the start (smtps://)
    starttls: bool = False
    username: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)


@dataclass(frozen=True)
class EmailConfig:
    sender: str
    unsubscribe: str
    smtp: Optional[SmtpServer] = None  # None: write .eml files to `outbox_dir`
    outbox_dir: Path = DEFAULT_OUTBOX_DIR
    timeout: float = TIMEOUT_SECONDS


def smtp_server(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise EmailConfigError(f"{SMTP_URL_VARIABLE} must look like smtp://host:port or smtps://host:port")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["false"])[-1].lower() in ("1", "true", "yes")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise EmailConfigError(f"{SMTP_URL_VARIABLE} has an invalid port") from None
    return SmtpServer(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        starttls=starttls and parts.scheme == "smtp",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def email_config_from_env(environ: Mapping[str, str] = os.environ) -> EmailConfig:
    sender = environ.get(FROM_VARIABLE, "").strip() or DEFAULT_FROM
    address = parseaddr(sender)[1]
    if "@" not in address:
        raise EmailConfigError(f"{FROM_VARIABLE} must contain an email address")
    url = environ.get(SMTP_URL_VARIABLE, "").strip()
    return EmailConfig(
        sender=sender,
        unsubscribe=environ.get(UNSUBSCRIBE_VARIABLE, "").strip() or f"mailto:{address}?subject=unsubscribe",
        smtp=smtp_server(url) if url else None,
        outbox_dir=Path(environ.get(OUTBOX_DIR_VARIABLE, "").strip() or DEFAULT_OUTBOX_DIR),
    )


def _acceptable_address(address: str) -> bool:
    _, parsed = parseaddr(address)
    return parsed == address and address.count("@") == 1 and not any(c in address for c in "\r\n<>, ")


def build_message(config: EmailConfig, message: OutboxMessage, document: Mapping[str, str]) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config.sender
    email["To"] = document["to"]
    email["Subject"] = document["subject"]
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = f"<{message.delivery_id}@{MESSAGE_ID_DOMAIN}>"
    if message.topic == NOTICE_EMAIL_TOPIC:  # what a customer asked for in the chat has nothing to leave
        email["List-Unsubscribe"] = f"<{config.unsubscribe}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(document["text"])
    email.add_alternative(document["html"], subtype="html")
    return email


class EmailSender:
    """Sends `notice.email` and `chat.email` outbox messages (see renewals.delivery.worker.Sender)."""

    topics: tuple[str, ...] = (NOTICE_EMAIL_TOPIC, CHAT_EMAIL_TOPIC)

    def __init__(self, config: EmailConfig):
        self.config = config

    @property
    def timeout(self) -> float:
        return self.config.timeout

    def send(self, message: OutboxMessage, now: datetime) -> SendResult:
        try:
            document = json.loads(message.payload or "")
            to = str(document["to"])
        except (ValueError, KeyError, TypeError):
            return SendResult(delivered=False, error="unreadable payload", flagged=True, permanent=True)
        if not _acceptable_address(to):
            return SendResult(delivered=False, error="not a usable email address", permanent=True)
        email = build_message(self.config, message, document)
        if self.config.smtp is None:
            return self._write_file(message, email)
        return self._send_smtp(self.config.smtp, email, to)

    def _write_file(self, message: OutboxMessage, email: EmailMessage) -> SendResult:
        folder = self.config.outbox_dir
        path = folder / f"{message.created_at:%Y%m%dT%H%M%SZ}-{message.delivery_id}.eml"
        if path.exists():
            return SendResult(delivered=True)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary = folder / f".{message.delivery_id}.tmp"
            temporary.write_bytes(email.as_bytes())
            os.replace(temporary, path)
        except OSError as error:
            return SendResult(delivered=False, error=f"writing the .eml file: {describe_failure(error)}")
        log.info("Email written to %s (no SMTP_URL set)", path)
        return SendResult(delivered=True)

    def _send_smtp(self, server: SmtpServer, email: EmailMessage, to: str) -> SendResult:
        try:
            if server.tls:
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                connection = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
            with connection:
                connection.ehlo()
                if server.starttls:
                    connection.starttls(context=ssl.create_default_context())
                    connection.ehlo()
                if server.username:
                    connection.login(server.username, server.password or "")
                connection.send_message(email, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as refused:
            codes = [code for code, _ in refused.recipients.values()]
            code = codes[0] if codes else 550
            return _refusal(code, "recipient refused")
        except smtplib.SMTPAuthenticationError as error:
            return SendResult(delivered=False, error=f"SMTP {error.smtp_code}: authentication", flagged=True)
        except smtplib.SMTPResponseException as error:  # sender refused, data refused, a 4xx or 5xx reply
            return _refusal(error.smtp_code, "refused")
        except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as error:
            return SendResult(delivered=False, error=f"SMTP: {describe_failure(error)}")
        return SendResult(delivered=True)


def _refusal(code: int, what: str) -> SendResult:
    """5xx: permanent; anything else (4xx): try again later. Never the server's text: it quotes addresses."""
    permanent = 500 <= code < 600
    return SendResult(delivered=False, error=f"SMTP {code}: {what}", permanent=permanent, flagged=permanent)
