"""`python -m console`: serve the agent console on its own (http://localhost:8081/agent/).

For when it is not mounted in the customer web service. Settings: DATABASE_URL,
RASA_URL (default http://127.0.0.1:$RASA_PORT), RASA_AUTH_TOKEN (required),
CONSOLE_PORT (default 8081), CONSOLE_HOST (default 127.0.0.1), CONSOLE_SECURE_COOKIES, TRACKER_DB.
"""

import logging
import os

from aiohttp import web

from console.app import create_console_app
from renewals import log_safety
from renewals.service import Renewals


def main() -> None:
    log_safety.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    if not token:
        raise SystemExit("RASA_AUTH_TOKEN must be set (scripts/run.sh keeps it in var/rasa-token)")
    rasa_url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    port = int(os.environ.get("CONSOLE_PORT", "8081"))
    app = create_console_app(Renewals.from_env(), rasa_url, token)
    print(f"console: agent console on http://localhost:{port}/agent/", flush=True)
    web.run_app(app, host=os.environ.get("CONSOLE_HOST", "127.0.0.1"), port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
