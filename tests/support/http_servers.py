"""Real HTTP servers on 127.0.0.1 for tests, served from a background thread."""

from __future__ import annotations

import http.server
import threading


class ServedInBackground:
    """`with server:` serves `self._server` in a thread and shuts it down afterwards."""

    _server: http.server.HTTPServer

    def __enter__(self):
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
