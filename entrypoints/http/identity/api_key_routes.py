from __future__ import annotations

from uuid import UUID

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_request, validate_response

from application.identity.api_keys import (
    CreateApiKey,
    CreateApiKeyCommand,
    ListApiKeys,
    ListedApiKey,
    ReportLeakedApiKeys,
    ReportLeakedApiKeysCommand,
    RevokeApiKey,
    RevokeApiKeyCommand,
)
from application.identity.authenticate import Authenticate
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity.api_key_schemas import (
    ApiKeyListOut,
    ApiKeyOut,
    CreateApiKeyIn,
    CreatedApiKeyOut,
    LeakedKeysIn,
    LeakReportOut,
)
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.openapi_declarations import problems, responds, signed_in


def _out(listed: ListedApiKey) -> ApiKeyOut:
    key = listed.api_key
    return ApiKeyOut(
        id=str(key.id),
        name=key.name,
        masked_key=key.masked,
        scopes=sorted(key.scopes),
        created_at=key.created_at.isoformat(),
        expires_at=key.expires_at.isoformat(),
        last_used_at=key.last_used_at.isoformat() if key.last_used_at is not None else None,
        rate_limit_per_minute=key.rate_limit_per_minute,
        revoked=key.revoked_at is not None,
        expired=listed.expired,
    )


@identity.post("/api/v1/auth/api-keys")
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


@identity.get("/api/v1/auth/api-keys")
@tag(["api-keys"])
@signed_in("read")
@validate_response(ApiKeyListOut, 200)
@inject
async def list_keys(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_api_keys: ListApiKeys = Provide[Container.identity.list_api_keys],
) -> ApiKeyListOut:
    """Your API keys, masked, newest first, with their state."""
    principal = await authenticated(authenticate, "read")
    return ApiKeyListOut(items=[_out(listed) for listed in await list_api_keys(principal)])


@identity.delete("/api/v1/auth/api-keys/<uuid:key_id>")
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


@identity.post("/api/v1/auth/api-keys/leaked")
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
