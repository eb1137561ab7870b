"""Database errors whose message may repeat a statement parameter (a search text, an email).

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


def withheld_message(error: BaseException) -> str | None:
    """What to log instead of ``str(error)`` when that text may quote a parameter; None to keep it."""
    driver = _driver_error(error)
    if driver is None:
        return None
    sqlstate = getattr(driver, "sqlstate", None)
    encoding_error = isinstance(driver, asyncpg.InterfaceError) and isinstance(driver, ValueError)
    if not encoding_error and not str(sqlstate or "").startswith("22"):
        return None
    origin = f"SQLSTATE {sqlstate}" if sqlstate else "raised by asyncpg before sending"
    summary = f"{type(driver).__name__} ({origin}): message withheld, it may quote a statement parameter"
    if isinstance(error, StatementError) and error.statement:
        summary += f"\n[SQL: {error.statement}]"
    return summary
