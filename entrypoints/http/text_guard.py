"""Refuse text that PostgreSQL cannot store (NUL) or that is not valid Unicode (lone surrogates),
at the edge, before it reaches a use case."""

from __future__ import annotations

from typing import Any

from quart import request

from domain.shared.errors import InvalidInput


class UnstorableText(InvalidInput):
    code = "malformed-request"


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_unstorable_json_text(value: Any) -> None:
    """Raise if any string (key or value) in a parsed JSON document is unstorable."""
    if _contains_unstorable(value):
        raise UnstorableText("Text must be valid Unicode without NUL characters or unpaired surrogates.")


def _contains_unstorable(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _bad(value)
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(_bad(k) or _contains_unstorable(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_unstorable(v, depth + 1) for v in value)
    return False


async def refuse_unstorable_query_text() -> None:
    if any(_bad(key) or _bad(value) for key, value in request.args.items(multi=True)):
        raise UnstorableText("Query parameters must not contain NUL characters.")
