from __future__ import annotations

from msgspec import Struct


class SessionOut(Struct):
    id: str  # the session family's id
    client_name: str | None
    signed_in_at: str
    last_used_at: str
    current: bool  # the session of the access token asking


class SessionListOut(Struct):
    items: list[SessionOut]
