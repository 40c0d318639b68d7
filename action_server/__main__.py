"""`python -m action_server [--port N]`: the action server (see action_server.app)."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from action_server.app import MissingToken, create_app, host_from_env, token_from_env
from renewals import log_safety


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m action_server", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    args = parser.parse_args(argv)
    log_safety.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        token = token_from_env()
    except MissingToken as error:
        print(f"action server: {error}", file=sys.stderr)
        return 2
    app = create_app(token)
    host = host_from_env()
    logging.getLogger("action_server").info("Action server on http://%s:%d", host, args.port)
    app.run(host=host, port=args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
