from __future__ import annotations

from typing import Annotated
from uuid import UUID

from dependency_injector.wiring import Provide, inject
from msgspec import Meta, Struct
from quart import Blueprint, request
from quart_schema import tag, validate_request, validate_response

from application.identity.api_keys import (
    CreateApiKey,
    CreateApiKeyCommand,
    ListApiKeys,
    ReportLeakedApiKeys,
    ReportLeakedApiKeysCommand,
    RevokeApiKey,
    RevokeApiKeyCommand,
)
from application.identity.authenticate import Authenticate
from domain.identity.api_key import ApiKey
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity_schemas import Password
from entrypoints.http.openapi import problems, responds, signed_in

api_keys = Blueprint("api_keys", __name__)


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


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _out(key: ApiKey, now_iso: str) -> ApiKeyOut:
    return ApiKeyOut(
        id=str(key.id),
        name=key.name,
        masked_key=key.masked,
        scopes=sorted(key.scopes),
        created_at=key.created_at.isoformat(),
        expires_at=key.expires_at.isoformat(),
        last_used_at=_iso(key.last_used_at),
        rate_limit_per_minute=key.rate_limit_per_minute,
        revoked=key.revoked_at is not None,
        expired=key.expires_at.isoformat() <= now_iso,
    )


@api_keys.post("/api/v1/auth/api-keys")
@tag(["api-keys"])
@signed_in("write")
@problems("invalid-api-key-request", "scope-not-held", "invalid-password")
@validate_request(CreateApiKeyIn)
@validate_response(CreatedApiKeyOut, 201)
@inject
async def create(
    data: CreateApiKeyIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    create_api_key: CreateApiKey = Provide[Container.identity.create_api_key],
) -> tuple[CreatedApiKeyOut, int, dict[str, str]]:
    """Create an API key. The full `key` is in this response only; store it now.
    Scopes: `read`, `write` (implies read), `admin`; you can grant only scopes you hold.
    Needs the current `password`: a wrong one is a 403 and counts as a failed sign-in."""
    principal = await authenticated(authenticate, "write")
    created = await create_api_key(
        CreateApiKeyCommand(
            principal=principal,
            name=data.name,
            scopes=data.scopes,
            password=data.password,
            expires_in_days=data.expires_in_days,
            rate_limit_per_minute=data.rate_limit_per_minute,
            ip=request.remote_addr,
        )
    )
    key = created.api_key
    body = CreatedApiKeyOut(
        id=str(key.id),
        name=key.name,
        key=created.key,
        prefix=key.masked.split("…")[0],
        scopes=sorted(key.scopes),
        expires_at=key.expires_at.isoformat(),
        rate_limit_per_minute=key.rate_limit_per_minute,
        created_at=key.created_at.isoformat(),
    )
    return body, 201, {"Cache-Control": "no-store"}


@api_keys.get("/api/v1/auth/api-keys")
@tag(["api-keys"])
@signed_in("read")
@validate_response(ApiKeyListOut, 200)
@inject
async def list_keys(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_api_keys: ListApiKeys = Provide[Container.identity.list_api_keys],
    container: Container = Provide[Container],
) -> ApiKeyListOut:
    """Your API keys, masked, newest first, with their state."""
    principal = await authenticated(authenticate, "read")
    now_iso = container.shared.clock().now().isoformat()
    return ApiKeyListOut(items=[_out(k, now_iso) for k in await list_api_keys(principal)])


@api_keys.delete("/api/v1/auth/api-keys/<uuid:key_id>")
@tag(["api-keys"])
@signed_in("write")
@problems("api-key-not-found")
@responds(204, description="Revoked")
@inject
async def revoke(
    key_id: UUID,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    revoke_api_key: RevokeApiKey = Provide[Container.identity.revoke_api_key],
) -> tuple[str, int]:
    """Revoke a key: it stops working at once, in every process."""
    principal = await authenticated(authenticate, "write")
    await revoke_api_key(RevokeApiKeyCommand(principal=principal, key_id=key_id, ip=request.remote_addr))
    return "", 204


@api_keys.post("/api/v1/auth/api-keys/leaked")
@tag(["api-keys"])
@problems("rate-limited")
@responds(202, LeakReportOut, description="Accepted, whatever the keys were")
@validate_request(LeakedKeysIn)
@inject
async def leaked(
    data: LeakedKeysIn,
    report: ReportLeakedApiKeys = Provide[Container.identity.report_leaked_api_keys],
) -> tuple[dict[str, str], int]:
    """For secret-scanning partners: report keys found in public. Valid ones are revoked and their
    owners told. Always 202, so the answer reveals nothing about the keys."""
    await report(ReportLeakedApiKeysCommand(keys=data.keys, reporter_ip=request.remote_addr))
    return {"status": "accepted"}, 202
