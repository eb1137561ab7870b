from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from entrypoints.http.identity.account_schemas import Password


class CreateApiKeyIn(Struct, forbid_unknown_fields=True):
    name: Annotated[str, Meta(max_length=200)]
    scopes: Annotated[list[Annotated[str, Meta(max_length=20)]], Meta(max_length=10)]
    password: Password
    expires_in_days: int | None = None
    rate_limit_per_minute: int | None = None


class CreatedApiKeyOut(Struct):
    id: str
    name: str
    key: str
    prefix: str
    scopes: list[str]
    expires_at: str
    rate_limit_per_minute: int
    created_at: str


class ApiKeyOut(Struct):
    id: str
    name: str
    masked_key: str
    scopes: list[str]
    created_at: str
    expires_at: str
    last_used_at: str | None
    rate_limit_per_minute: int
    revoked: bool
    expired: bool


class ApiKeyListOut(Struct):
    items: list[ApiKeyOut]


class LeakedKeysIn(Struct):
    keys: Annotated[list[Annotated[str, Meta(max_length=200)]], Meta(max_length=100)]


class LeakReportOut(Struct):
    status: str
