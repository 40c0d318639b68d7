"""The support agents' console: an aiohttp sub-application mounted at /agent (see console.app)."""

from console.app import create_console_app, mount_console  # noqa: F401
