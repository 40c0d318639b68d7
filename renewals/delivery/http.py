"""What every sender shares over HTTP: an opener that never follows a redirect, and failures described
without their messages."""

from __future__ import annotations

import socket
import urllib.request
from urllib.parse import urlsplit


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


def no_redirect_opener() -> urllib.request.OpenerDirector:
    """The opener every sender posts with: a redirect is an answer (a failure), never followed, so a
    message with personal data or a token never goes to a host it was not addressed to."""
    return urllib.request.build_opener(_RefuseRedirects)


def describe_failure(error: BaseException) -> str:
    """The kind of a failed send, for `SendResult.error`: never its message, which can quote
    addresses, response text or a URL with a token."""
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    return type(error).__name__


def is_http_url(url: str) -> bool:
    """Whether a sender may be configured with `url`: http:// or https:// with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
