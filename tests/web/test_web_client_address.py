"""Behind a trusted reverse proxy the client is the address the proxy saw; nobody else's header is
believed."""

import pytest
from aiohttp.test_utils import make_mocked_request

from web.client_address import client_address, trusted_proxies

PROXY = "10.0.0.5"


def request_from(remote: str, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("POST", "/api/session", headers=headers)
    # make_mocked_request has no peer; give it one.
    return request.clone(remote=remote)


@pytest.mark.parametrize(
    "remote, forwarded, client",
    [
        ("203.0.113.7", None, "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not through our proxy: the header is anyone's
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry (left) is not believed
        (PROXY, "198.51.100.1, 10.0.0.6", "198.51.100.1"),  # a second proxy of ours in between
        (PROXY, None, PROXY),
    ],
)
def test_the_client_address(remote, forwarded, client):
    assert client_address(request_from(remote, forwarded), frozenset({PROXY, "10.0.0.6"})) == client


def test_trusted_proxies_come_from_the_environment():
    assert trusted_proxies({"TRUSTED_PROXIES": " 10.0.0.5, 10.0.0.6 ,"}) == {"10.0.0.5", "10.0.0.6"}
    assert trusted_proxies({}) == frozenset()
