"""The webhook: signed JSON POSTs to a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest

from renewals.delivery.webhook import (
    WebhookConfig,
    WebhookConfigError,
    WebhookSender,
    sign,
    verify_signature,
    webhook_config_from_env,
    webhook_configured,
)
from renewals.outbox import OutboxMessage, encode_payload
from tests.support.cases import WEBHOOK_SECRET, WebhookReceiver

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)
BODY = encode_payload({"reference": "RN-2026-000001", "status": "open"})


DELIVERY_ID = "0b6f1f0e-4c1d-4a8e-9a57-5d0c2f7a9e31"


def message(payload: str = BODY, id: int = 7) -> OutboxMessage:
    return OutboxMessage(
        id=id,
        delivery_id=DELIVERY_ID,
        topic="case.webhook",
        case_reference="RN-2026-000001",
        payload=payload,
        created_at=NOW,
        attempts=0,
        next_attempt_at=None,
        last_attempt_at=None,
        last_error=None,
        flagged=False,
        delivered_at=None,
        locked_until=None,
    )


def sender_for(url: str, timeout: float = 5.0) -> WebhookSender:
    return WebhookSender(WebhookConfig(url=url, secret=WEBHOOK_SECRET, timeout=timeout))


# --- signatures -------------------------------------------------------------------


def test_the_signature_is_an_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(WEBHOOK_SECRET.encode(), b"1795827600." + BODY.encode(), hashlib.sha256).hexdigest()

    assert sign(WEBHOOK_SECRET, "1795827600", BODY) == f"sha256={expected}"


def test_a_receiver_accepts_a_genuine_signature():
    header = sign(WEBHOOK_SECRET, "1795827600", BODY)

    assert verify_signature(WEBHOOK_SECRET, "1795827600", BODY, header)
    assert verify_signature(WEBHOOK_SECRET, "1795827600", BODY.encode(), header)


@pytest.mark.parametrize(
    "secret, timestamp, body, header",
    [
        ("another-secret", "1795827600", BODY, None),
        (WEBHOOK_SECRET, "1795827601", BODY, None),
        (WEBHOOK_SECRET, "1795827600", BODY.replace("open", "resolved"), None),
        (WEBHOOK_SECRET, "1795827600", BODY, ""),
        (WEBHOOK_SECRET, "1795827600", BODY, "sha256=deadbeef"),
        (WEBHOOK_SECRET, "", BODY, None),
    ],
)
def test_a_receiver_refuses_a_forged_or_altered_request(secret, timestamp, body, header):
    genuine = sign(WEBHOOK_SECRET, "1795827600", BODY)

    assert not verify_signature(secret, timestamp, body, genuine if header is None else header)


def test_a_receiver_can_refuse_old_timestamps_against_replays():
    timestamp = str(int(NOW.timestamp()))
    header = sign(WEBHOOK_SECRET, timestamp, BODY)

    assert verify_signature(WEBHOOK_SECRET, timestamp, BODY, header, now=NOW + timedelta(minutes=4))
    assert not verify_signature(WEBHOOK_SECRET, timestamp, BODY, header, now=NOW + timedelta(minutes=6))
    assert not verify_signature(WEBHOOK_SECRET, "soon", BODY, header, now=NOW)


# --- configuration ---------------------------------------------------------------


def test_without_a_url_there_is_no_webhook():
    assert not webhook_configured({})
    assert webhook_config_from_env({"CASE_WEBHOOK_SECRET": "s"}) is None


def test_the_webhook_is_configured_from_the_environment():
    config = webhook_config_from_env(
        {
            "CASE_WEBHOOK_URL": " https://bridge.example/cases ",
            "CASE_WEBHOOK_SECRET": "s3cret",
            "CASE_WEBHOOK_TIMEOUT": "3",
        }
    )

    assert (config.url, config.secret, config.timeout) == ("https://bridge.example/cases", "s3cret", 3.0)
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    "environ, problem",
    [
        ({"CASE_WEBHOOK_URL": "https://bridge.example/cases"}, "CASE_WEBHOOK_SECRET must be set"),
        ({"CASE_WEBHOOK_URL": "file:///etc/passwd", "CASE_WEBHOOK_SECRET": "s"}, "http:// or https://"),
        ({"CASE_WEBHOOK_URL": "bridge.example", "CASE_WEBHOOK_SECRET": "s"}, "http:// or https://"),
        (
            {
                "CASE_WEBHOOK_URL": "https://b.example",
                "CASE_WEBHOOK_SECRET": "s",
                "CASE_WEBHOOK_TIMEOUT": "x",
            },
            "seconds",
        ),
        (
            {
                "CASE_WEBHOOK_URL": "https://b.example",
                "CASE_WEBHOOK_SECRET": "s",
                "CASE_WEBHOOK_TIMEOUT": "0",
            },
            "seconds",
        ),
    ],
)
def test_an_unusable_webhook_configuration_is_a_clear_error(environ, problem):
    with pytest.raises(WebhookConfigError, match=problem):
        webhook_config_from_env(environ)


# --- sending ---------------------------------------------------------------------


def test_a_2xx_answer_is_a_delivery_of_the_signed_body():
    with WebhookReceiver() as receiver:
        result = sender_for(receiver.url).send(message(), NOW)

    assert (result.delivered, result.status, result.flagged) == (True, 200, False)
    [request] = receiver.all_requests()
    assert request.body == BODY.encode()
    assert request.content_type == "application/json"
    assert request.delivery_id == DELIVERY_ID  # the stored UUID, not the row id
    assert request.timestamp == str(int(NOW.timestamp()))
    assert request.signature_is_valid()


@pytest.mark.parametrize(
    "answer, error, flagged",
    [
        ("500", "HTTP 500", False),
        ("503", "HTTP 503", False),
        ("408", "HTTP 408", False),
        ("429", "HTTP 429", False),
        ("400", "HTTP 400 (refused)", True),
        ("401", "HTTP 401 (refused)", True),
        ("404", "HTTP 404 (refused)", True),
        ("302", "HTTP 302 (refused)", True),
        ("drop", "RemoteDisconnected", False),
    ],
)
def test_a_failed_post_is_reported_briefly_and_client_errors_are_flagged(answer, error, flagged):
    with WebhookReceiver(script=[answer]) as receiver:
        result = sender_for(receiver.url).send(message(), NOW)

    assert (result.delivered, result.error, result.flagged) == (False, error, flagged)
    assert len(receiver.all_requests()) == 1  # a redirect is not followed


def test_an_unreachable_endpoint_is_a_failure_not_an_exception():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there

    result = sender_for(f"http://127.0.0.1:{port}/cases").send(message(), NOW)

    assert not result.delivered and result.error == "ConnectionRefusedError"


def test_a_slow_endpoint_times_out():
    with WebhookReceiver(delay=1.0) as receiver:
        result = sender_for(receiver.url, timeout=0.2).send(message(), NOW)

    assert not result.delivered and result.error == "timeout"


def test_the_receiver_example_in_the_docs_accepts_a_real_request_and_refuses_a_forgery():
    from renewals.storage.db import PROJECT_ROOT

    docs = (PROJECT_ROOT / "docs" / "cases.md").read_text()
    example = next(block for block in docs.split("```python\n")[1:] if "def is_genuine" in block).split(
        "```"
    )[0]
    namespace: dict = {}
    exec(example, namespace)
    is_genuine = namespace["is_genuine"]
    with WebhookReceiver() as receiver:
        sender_for(receiver.url).send(message(), datetime.now(timezone.utc))
    [request] = receiver.all_requests()
    headers = {"X-Renewals-Timestamp": request.timestamp, "X-Renewals-Signature": request.signature}

    assert is_genuine(WEBHOOK_SECRET, headers, request.body)
    assert not is_genuine(WEBHOOK_SECRET, headers, request.body.replace(b"open", b"shut"))
    assert not is_genuine("wrong-secret", headers, request.body)


def test_a_signature_header_with_non_ascii_characters_is_refused_not_a_crash():
    assert verify_signature(WEBHOOK_SECRET, "1795827600", BODY, "sha256=é" + "0" * 63) is False
