"""What a database error says about the data: whether the data itself was refused (the archive
sets such entries aside), and whether its message may repeat a statement parameter (a search
text, an email), which the logs withhold.

``hide_parameters`` on the engine keeps SQLAlchemy's own ``[parameters: ...]`` out of every error,
but the driver's message can still quote the value: asyncpg's encoding errors ("invalid input for
query argument $1: 'the text' (...)") and PostgreSQL's data exceptions (SQLSTATE class 22:
'invalid input syntax for type integer: "the text"'). Other server messages name only schema
objects and types, and are kept: they are what makes the error worth logging.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import StatementError


def _driver_error(error: BaseException) -> BaseException | None:
    """The asyncpg error behind ``error`` (SQLAlchemy wraps it twice), or None."""
    current: BaseException | None = error
    for _ in range(4):
        if isinstance(current, asyncpg.PostgresError | asyncpg.InterfaceError):
            return current
        if current is None:
            return None
        current = getattr(current, "orig", None) or current.__cause__
    return None


def data_fault(error: BaseException) -> str | None:
    """How the data itself was at fault: ``"encoding"`` (asyncpg could not encode a value), ``"22"``
    (SQLSTATE class 22, a data exception) or ``"23"`` (an integrity violation); None for anything
    else (an unreachable server, a timeout, a missing table), which is not the data's doing."""
    driver = _driver_error(error)
    if driver is None:
        return None
    if isinstance(driver, asyncpg.InterfaceError) and isinstance(driver, ValueError):
        return "encoding"
    sqlstate_class = str(getattr(driver, "sqlstate", None) or "")[:2]
    return sqlstate_class if sqlstate_class in ("22", "23") else None


def withheld_message(error: BaseException) -> str | None:
    """What to log instead of ``str(error)`` when that text may quote a parameter; None to keep it."""
    if data_fault(error) not in ("encoding", "22"):
        return None
    driver = _driver_error(error)
    sqlstate = getattr(driver, "sqlstate", None)
    origin = f"SQLSTATE {sqlstate}" if sqlstate else "raised by asyncpg before sending"
    summary = f"{type(driver).__name__} ({origin}): message withheld, it may quote a statement parameter"
    if isinstance(error, StatementError) and error.statement:
        summary += f"\n[SQL: {error.statement}]"
    return summary


def driver_error(error: BaseException) -> BaseException | None:
    """The asyncpg error behind ``error``, or None (the ingestion worker classifies by it)."""
    return _driver_error(error)
