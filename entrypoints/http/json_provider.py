from __future__ import annotations

from typing import Any

import msgspec
from quart import Quart
from quart.json.provider import DefaultJSONProvider


def use_msgspec_json(app: Quart) -> None:
    """Encode responses and decode request bodies with msgspec, several times faster than the
    standard library on list pages. Types msgspec does not know go to the installed provider's
    ``default`` (quart-schema's, for its models), so call this after QuartSchema."""
    base: type[DefaultJSONProvider] = type(app.json)  # type: ignore[assignment]

    class MsgspecJSONProvider(base):  # type: ignore[valid-type,misc]
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return msgspec.json.encode(obj, enc_hook=self.default).decode()

        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            return msgspec.json.decode(s)

    app.json = MsgspecJSONProvider(app)
