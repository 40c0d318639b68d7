"""The customer web chat service (see web/app.py and docs/channels.md)."""
