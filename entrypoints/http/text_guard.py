"""Refuse text that PostgreSQL cannot store (NUL) or that is not valid Unicode (lone surrogates),
at the edge, before it reaches a use case."""

from __future__ import annotations

from typing import Any

from quart import Quart, request
from quart.json.provider import DefaultJSONProvider

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


def _walk(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _bad(value)
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(_bad(k) or _walk(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_walk(v, depth + 1) for v in value)
    return False


def check_json_text(app: Quart) -> None:
    """Check JSON bodies as they are parsed, so each body is parsed once. Wraps the app's current
    provider (quart-schema installs its own for encoding), so call it after QuartSchema."""
    base: type[DefaultJSONProvider] = type(app.json)  # type: ignore[assignment]

    class StorableTextJSONProvider(base):  # type: ignore[valid-type,misc]
        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            value = super().loads(s, **kwargs)
            if _walk(value):
                raise UnstorableText("Text must be valid Unicode without NUL characters or unpaired surrogates.")
            return value

    app.json = StorableTextJSONProvider(app)


async def refuse_unstorable_query_text() -> None:
    if any(_bad(key) or _bad(value) for key, value in request.args.items(multi=True)):
        raise UnstorableText("Query parameters must not contain NUL characters.")
