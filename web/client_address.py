"""The address a request came from, as the rate limits and the sign-in throttling count it.

Behind a reverse proxy every request comes from the proxy, so one client's flood
would lock everyone out. List the proxies' addresses in TRUSTED_PROXIES
(comma-separated). For a request from one of them, the client is the right-most
address in X-Forwarded-For that is not itself a trusted proxy; what lies left of
it was written by the client and is never believed. Without TRUSTED_PROXIES the
header is ignored: anyone can send one.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

from aiohttp import web

TRUSTED_PROXIES_VARIABLE = "TRUSTED_PROXIES"


def trusted_proxies(environ: Mapping[str, str] = os.environ) -> frozenset[str]:
    return frozenset(
        part.strip() for part in environ.get(TRUSTED_PROXIES_VARIABLE, "").split(",") if part.strip()
    )


def client_address(request: web.Request, trusted: Optional[frozenset[str]] = None) -> str:
    trusted = trusted_proxies() if trusted is None else trusted
    remote = request.remote or "unknown"
    if remote not in trusted:
        return remote
    hops = [
        hop.strip() for header in request.headers.getall("X-Forwarded-For", []) for hop in header.split(",")
    ]
    for hop in reversed([hop for hop in hops if hop]):
        if hop not in trusted:
            return hop[:64]
    return remote
