"""SMTP_URL with STARTTLS and a login, against a real local SMTP server that insists on both: the notice is
sent only over TLS (the server's certificate verified) and after authenticating."""

from __future__ import annotations

import ssl
import subprocess
from datetime import datetime, timezone

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from renewals.delivery.email import EmailConfig, EmailSender, smtp_server
from renewals.outbox import NOTICE_EMAIL_TOPIC, OutboxMessage, encode_payload
from scripts.live_assistant import free_port

USER, PASSWORD = "renewals", "p@ss word"
SMTP_URL = f"smtp://{USER}:p%40ss%20word@127.0.0.1:{{port}}?starttls=true"


class Inbox:
    def __init__(self):
        self.received = []  # (mail_from, rcpt_tos, tls in use)

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, envelope.rcpt_tos, session.ssl is not None))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by the default SSL context through SSL_CERT_FILE."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def server(certificate):
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=certificate,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
        ready_timeout=5,
    )
    controller.start()
    yield inbox, port
    controller.stop()


def notice_message() -> OutboxMessage:
    document = {"to": "tane.lee@acaciadentalgroup.com.au", "subject": "s", "text": "t", "html": "<p>h</p>"}
    return OutboxMessage(
        id=1,
        delivery_id="0b7c5a7e-1111-4222-8333-944445555666",
        topic=NOTICE_EMAIL_TOPIC,
        case_reference=None,
        payload=encode_payload(document),
        created_at=datetime(2026, 11, 28, 1, tzinfo=timezone.utc),
        attempts=0,
        next_attempt_at=None,
        last_attempt_at=None,
        last_error=None,
        flagged=False,
        delivered_at=None,
        locked_until=None,
    )


def sender_for(url: str) -> EmailSender:
    return EmailSender(
        EmailConfig(sender="renewals@example.com", unsubscribe="mailto:u@example.com", smtp=smtp_server(url))
    )


def test_smtp_url_gives_host_port_starttls_and_the_decoded_login():
    server = smtp_server("smtp://renewals:p%40ss%20word@mail.example.com:587?starttls=true")
    assert (server.host, server.port, server.starttls, server.tls) == ("mail.example.com", 587, True, False)
    assert (server.username, server.password) == ("renewals", "p@ss word")
    assert smtp_server("smtps://mail.example.com").port == 465
    assert "p@ss" not in repr(server)  # the password never reaches a log through repr()


def test_a_notice_goes_over_starttls_after_logging_in(server):
    inbox, port = server
    result = sender_for(SMTP_URL.format(port=port)).send(notice_message(), datetime.now(timezone.utc))
    assert result.delivered, result.error
    assert inbox.received == [("renewals@example.com", ["tane.lee@acaciadentalgroup.com.au"], True)]


def test_without_starttls_the_server_refuses_and_nothing_is_sent(server):
    inbox, port = server
    url = SMTP_URL.format(port=port).replace("?starttls=true", "")
    result = sender_for(url).send(notice_message(), datetime.now(timezone.utc))
    assert not result.delivered and inbox.received == []
