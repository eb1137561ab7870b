"""Refuse, at the edge and before any use case sees them, JSON documents nested deeper than any
request schema needs, and text that PostgreSQL cannot store (NUL) or that is not valid Unicode
(lone surrogates)."""

from __future__ import annotations

from typing import Any

from quart import request

from domain.shared.errors import InvalidInput

# No request schema nests deeper than 3; 64 leaves room and stays far below the interpreter's
# recursion limit (~1000), where msgspec's decoder raises RecursionError.
MAX_JSON_DEPTH = 64


class UnstorableText(InvalidInput):
    code = "malformed-request"


class TooDeeplyNested(InvalidInput):
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
    """Raise if a parsed JSON document nests deeper than MAX_JSON_DEPTH or holds an unstorable
    string (key or value). One iterative walk, so it cannot itself exhaust the stack."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if _bad(item):
                raise UnstorableText("Text must be valid Unicode without NUL characters or unpaired surrogates.")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise TooDeeplyNested(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str) and _bad(key):
                    raise UnstorableText("Text must be valid Unicode without NUL characters or unpaired surrogates.")
                pending.append((child, depth + 1))


async def refuse_unstorable_query_text() -> None:
    if any(_bad(key) or _bad(value) for key, value in request.args.items(multi=True)):
        raise UnstorableText("Query parameters must not contain NUL characters.")
