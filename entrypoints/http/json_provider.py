from __future__ import annotations

from typing import Any

import msgspec
from quart import Quart
from quart.json.provider import DefaultJSONProvider

from entrypoints.http.text_guard import MAX_JSON_DEPTH, TooDeeplyNested, refuse_unstorable_json_text


def use_msgspec_json(app: Quart) -> None:
    """Encode responses and decode request bodies with msgspec, several times faster than the
    standard library on list pages, and refuse bodies nested too deeply or whose text PostgreSQL
    cannot store while they are parsed (so each body is parsed once). Types msgspec does not know
    go to the installed provider's ``default`` (quart-schema's, for its models): call this after
    QuartSchema."""
    base: type[DefaultJSONProvider] = type(app.json)  # type: ignore[assignment]

    class MsgspecJSONProvider(base):  # type: ignore[valid-type,misc]
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return msgspec.json.encode(obj, enc_hook=self.default).decode()

        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            try:
                value = msgspec.json.decode(s)
            except RecursionError:
                # msgspec recurses per level and stops cleanly at the interpreter's limit.
                raise TooDeeplyNested(f"JSON may nest at most {MAX_JSON_DEPTH} levels deep.") from None
            refuse_unstorable_json_text(value)
            return value

    app.json = MsgspecJSONProvider(app)
