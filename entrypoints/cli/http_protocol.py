"""uvicorn's httptools protocol with a bound on the request head (request line and headers).

uvicorn uses httptools when it is installed (``uvicorn[standard]``), and httptools has no limit of
its own: it buffers a header however long it grows (a 16 MiB header was accepted). uvicorn's
``h11_max_incomplete_event_size`` applies only to h11. Here a head over the limit gets a 431
problem and the connection is closed, before the application sees the request.
"""

from __future__ import annotations

import asyncio
import json

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from entrypoints.http.problems import PROBLEMS
from entrypoints.http.security_headers import API_CSP, SECURITY_HEADERS

_CODE = "request-headers-too-large"


class _HeadTooLarge(Exception):
    pass


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    max_head_bytes = 16 * 1024

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._reading_head = True
        self._head_bytes_received = 0  # raw bytes since the head began: bounds a head still incomplete
        self._head_bytes_parsed = 0  # the parsed head: bounds one that arrived whole in one read

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes_received += len(data)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _HeadTooLarge):
                self._refuse_head()
            else:
                self._refuse_malformed()
            return
        except httptools.HttpParserError:
            self._refuse_malformed()
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._reading_head and self._head_bytes_received > self.max_head_bytes:
            self._refuse_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._head_bytes_parsed = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_head = True
        self._head_bytes_received = 0

    def _count(self, size: int) -> None:
        self._head_bytes_parsed += size
        if self._head_bytes_parsed > self.max_head_bytes:
            raise _HeadTooLarge

    def _refuse_malformed(self) -> None:
        msg = "Invalid HTTP request received."
        self.logger.warning(msg)
        self.send_400_response(msg)

    def _refuse_head(self) -> None:
        if self.transport.is_closing():
            return
        self.logger.warning("request head over %d bytes refused", self.max_head_bytes)
        status, title = PROBLEMS[_CODE]
        body = json.dumps(
            {
                "type": f"/problems/{_CODE}",
                "title": title,
                "status": status,
                "detail": f"The request line and headers must fit in {self.max_head_bytes} bytes.",
            }
        ).encode()
        headers = {
            **SECURITY_HEADERS,
            "Content-Security-Policy": API_CSP,
            "Content-Type": "application/problem+json",
            "Content-Length": str(len(body)),
            "Cache-Control": "no-store",
            "Connection": "close",
        }
        head = "HTTP/1.1 431 Request Header Fields Too Large\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.transport.write(head.encode("latin-1") + b"\r\n" + body)
        self.transport.close()


def bounded_http_protocol(max_head_bytes: int) -> type[asyncio.Protocol]:
    """The protocol class to give uvicorn (it builds one per connection, so the limit rides on the class)."""
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"max_head_bytes": max_head_bytes})
