"""A loopback HTTP server standing in for Qdrant's ``GET /readyz``: it answers 200, or is told to
hang (accept the connection, read the request, never answer), and counts the requests it got."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackQdrant:
    def __init__(self) -> None:
        self.requests = 0
        self.hanging = False
        self._released = threading.Event()
        self._lock = threading.Lock()
        qdrant = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with qdrant._lock:
                    qdrant.requests += 1
                    hanging = qdrant.hanging
                if hanging:
                    qdrant._released.wait()
                    return  # the connection closes without an answer
                body = b"all shards are ready"
                self.send_response(200 if self.path == "/readyz" else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def hang(self) -> None:
        self._released.clear()
        self.hanging = True

    def answer(self) -> None:
        self.hanging = False
        self._released.set()

    @contextmanager
    def running(self) -> Iterator[LoopbackQdrant]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.answer()
            self._server.shutdown()
            self._server.server_close()
