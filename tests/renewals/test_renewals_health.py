"""The background processes' health check: green after a round that went through, red otherwise."""

from __future__ import annotations

import json
from datetime import timedelta

from renewals.jobs.health import RoundHealth, serve_health
from scripts.live_assistant import http
from tests.support.clocks import ManualClock


def test_before_its_first_round_a_process_is_starting_not_healthy():
    assert RoundHealth(ManualClock(), timedelta(minutes=1)).report() == (
        False,
        {"status": "starting", "last_round": None},
    )


def test_a_failed_round_is_red_without_its_message_and_the_next_good_round_is_green_again():
    clock = ManualClock()
    health = RoundHealth(clock, timedelta(minutes=1))
    health.succeeded()
    health.failed(ConnectionError("could not reach db for jordan.quill@acmewidgets.com.au"))

    healthy, document = health.report()
    assert not healthy and document["status"] == "failing" and document["error"] == "ConnectionError"
    assert "jordan" not in json.dumps(document)

    health.succeeded()
    assert health.report()[0]


def test_a_loop_that_stopped_turning_is_stalled():
    clock = ManualClock()
    health = RoundHealth(clock, timedelta(minutes=1))
    health.succeeded()
    clock.advance(minutes=2)
    assert health.report()[1]["status"] == "stalled"


def test_the_health_check_answers_over_http_on_loopback():
    clock = ManualClock()
    health = RoundHealth(clock, timedelta(minutes=1))
    server = serve_health(health, 0)
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        assert http("GET", url + "/health")[0] == 503
        health.succeeded()
        status, document = http("GET", url + "/health")
        assert status == 200 and document == {"status": "ok", "last_round": clock.now().isoformat()}
        assert http("GET", url + "/other")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
