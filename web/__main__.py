"""`python -m web`: serve the customer web chat at / and the agent console at /agent/
(settings from the environment, see web/app.py and console/app.py)."""

import logging

from aiohttp import web

from console import mount_console
from renewals import log_safety
from renewals.clock import SystemClock
from renewals.rate_limits import RateLimiter, sessions_limit
from renewals.service import Renewals
from web.app import Settings, create_app


def main() -> None:
    log_safety.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    settings = Settings.from_env()
    renewals = Renewals.from_env()
    limiter = RateLimiter(renewals.engine, SystemClock(), settings.secret)
    app = create_app(settings, sessions_limit=(limiter, sessions_limit()), renewals=renewals)
    mount_console(app, renewals, settings.rasa_url, settings.rasa_token)
    print(
        f"web: customer chat on {settings.web_origin}/, agent console on {settings.web_origin}/agent/ "
        f"(listening on {settings.host}:{settings.port})",
        flush=True,
    )
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
