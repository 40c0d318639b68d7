"""`python -m web`: serve the customer web chat (settings from the environment, see web/app.py)."""
import logging

from aiohttp import web

from web.app import Settings, create_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    settings = Settings.from_env()
    app = create_app(settings)
    print(f"web: customer chat on {settings.web_origin}/ (listening on {settings.host}:{settings.port})", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
