"""A real HTTP server on loopback standing for a dependency the test can tell to answer, fail, be
slow, hang (accept the request and never answer), or answer 404; and to recover. It counts the
requests it received, so a test can tell a refused call (never sent) from a failed one."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_AT_MOST_SECONDS = 60.0  # a hanging request is released by recover() or close() before this


class FlakyUpstream:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mode = "answer"
        self._status = 200
        self._delay = 0.0
        self._released = threading.Event()
        self._requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="flaky-upstream", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    def _set(self, mode: str, *, status: int = 200, delay: float = 0.0) -> None:
        with self._lock:
            self._mode, self._status, self._delay = mode, status, delay
            if mode == "hang":
                self._released.clear()
            else:
                self._released.set()

    def answer(self) -> None:
        self._set("answer")

    recover = answer

    def fail(self, status: int = 503) -> None:
        self._set("answer", status=status)

    def not_found(self) -> None:
        self._set("answer", status=404)

    def slow(self, seconds: float) -> None:
        self._set("answer", delay=seconds)

    def hang(self) -> None:
        self._set("hang")

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Head and body in one write, sent at once: written apart, Nagle's algorithm and the
            # client's delayed ACK hold the body back ~40 ms on a kept-alive connection.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                with upstream._lock:
                    upstream._requests += 1
                    mode, status, delay = upstream._mode, upstream._status, upstream._delay
                if mode == "hang":
                    upstream._released.wait(HANG_AT_MOST_SECONDS)
                    with upstream._lock:
                        status, delay = upstream._status, upstream._delay
                if delay:
                    time.sleep(delay)
                body = json.dumps({"status": status, "path": self.path}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (its timeout) while we hung

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def flaky_upstream() -> Iterator[FlakyUpstream]:
    upstream = FlakyUpstream()
    try:
        yield upstream
    finally:
        upstream.close()


if __name__ == "__main__":  # a process of its own (the benchmarks): prints its URL, serves until stdin closes
    import sys

    with flaky_upstream() as served:
        print(served.url, flush=True)
        sys.stdin.read()
