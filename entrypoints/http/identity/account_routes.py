from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_request, validate_response

from application.identity.account_ports import AccessTokenIssuer
from application.identity.authenticate import Authenticate
from application.identity.get_profile import GetProfile
from application.identity.log_in import LogIn, LogInCommand, MfaRequired
from application.identity.log_out import LogOut, LogOutCommand
from application.identity.principal import Principal
from application.identity.refresh_tokens import RefreshTokens, RefreshTokensCommand
from application.identity.register_account import RegisterAccount, RegisterAccountCommand
from application.identity.tokens import TokenPair
from application.identity.update_profile import UpdateProfile, UpdateProfileCommand
from domain.identity.user import User
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity.account_schemas import (
    JWKS_SCHEMA,
    LoginIn,
    MfaRequiredOut,
    ProfileOut,
    ProfilePatchIn,
    RefreshIn,
    RegisterIn,
    RegistrationAcceptedOut,
    TokenPairOut,
)
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.openapi_declarations import needs_no_services, problems, responds, signed_in
from entrypoints.telemetry.metrics import SIGN_INS
from entrypoints.telemetry.outcomes import counted_outcome

NO_STORE = {"Cache-Control": "no-store"}


def _pair(pair: TokenPair) -> TokenPairOut:
    return TokenPairOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        refresh_expires_in=pair.refresh_expires_in,
    )


def _profile(user: User, claims: Principal) -> ProfileOut:
    return ProfileOut(
        user_id=str(user.id),
        email=user.email.value,
        display_name=user.display_name,
        created_at=user.created_at.isoformat(),
        scopes=sorted(claims.scopes),
        email_verified=user.email_verified,
    )


@identity.post("/api/v1/auth/register")
@tag(["identity"])
@problems("invalid-email", "weak-password", "invalid-input", "too-many-attempts")
@validate_request(RegisterIn)
@validate_response(RegistrationAcceptedOut, 202)
@inject
async def register(
    data: RegisterIn, register_account: RegisterAccount = Provide[Container.identity.register_account]
) -> tuple[RegistrationAcceptedOut, int]:
    """Create an account. Passwords follow NIST 800-63B: 8–128 characters, not a common one.
    A taken email gets the same 202 as a new one (the attempt goes into its owner's security
    log), so registration reveals no account; 422 for an invalid email or password; 429 +
    `Retry-After` over the registration limits."""
    accepted = await register_account(
        RegisterAccountCommand(
            email=data.email, password=data.password, display_name=data.display_name, client_ip=request.remote_addr
        )
    )
    return RegistrationAcceptedOut(email=accepted.email), 202


@identity.post("/api/v1/auth/login")
@tag(["identity"])
@problems("invalid-credentials", "too-many-attempts")
@responds(200, TokenPairOut | MfaRequiredOut, description="Tokens, or the second step when two-factor is on")
@validate_request(LoginIn)
@inject
async def login(
    data: LoginIn, log_in: LogIn = Provide[Container.identity.log_in]
) -> tuple[TokenPairOut | MfaRequiredOut, int, dict[str, str]]:
    """Exchange email and password for tokens (`TokenPairOut`), or, with two-factor on, for
    `{mfa_required: true, mfa_token, expires_in}` to complete at `/api/v1/auth/mfa/challenge`."""
    with counted_outcome(SIGN_INS, step="password") as outcome:
        result = await log_in(LogInCommand(email=data.email, password=data.password, client_ip=request.remote_addr))
        if isinstance(result, MfaRequired):
            outcome.value = "mfa_required"
            return MfaRequiredOut(mfa_token=result.mfa_token, expires_in=result.expires_in), 200, NO_STORE
    return _pair(result), 200, NO_STORE


@identity.post("/api/v1/auth/refresh")
@tag(["identity"])
@problems("invalid-refresh-token")
@validate_request(RefreshIn)
@validate_response(TokenPairOut, 200)
@inject
async def refresh(
    data: RefreshIn, refresh_tokens: RefreshTokens = Provide[Container.identity.refresh_tokens]
) -> tuple[TokenPairOut, int, dict[str, str]]:
    """Rotate a refresh token. Reusing a rotated token revokes every token of its session."""
    pair = await refresh_tokens(RefreshTokensCommand(refresh_token=data.refresh_token))
    return _pair(pair), 200, NO_STORE


@identity.post("/api/v1/auth/logout")
@tag(["identity"])
@responds(204, description="Signed out (also when the token was unknown)")
@validate_request(RefreshIn)
@inject
async def logout(data: RefreshIn, log_out: LogOut = Provide[Container.identity.log_out]) -> tuple[str, int]:
    """Revoke the session the refresh token belongs to. Always 204, as RFC 7009 asks."""
    await log_out(LogOutCommand(refresh_token=data.refresh_token))
    return "", 204


@identity.get("/api/v1/me")
@tag(["identity"])
@signed_in("read")
@validate_response(ProfileOut, 200)
@inject
async def me(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    get_profile: GetProfile = Provide[Container.identity.get_profile],
) -> ProfileOut:
    """The signed-in user's profile. Needs the `read` scope."""
    claims = await authenticated(authenticate, "read")
    return _profile(await get_profile(claims.user_id), claims)


@identity.patch("/api/v1/me")
@tag(["identity"])
@signed_in("write")
@problems("invalid-input")
@validate_request(ProfilePatchIn)
@validate_response(ProfileOut, 200)
@inject
async def update_me(
    data: ProfilePatchIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    update_profile: UpdateProfile = Provide[Container.identity.update_profile],
) -> ProfileOut:
    """Change the display name. Needs the `write` scope."""
    claims = await authenticated(authenticate, "write")
    user = await update_profile(UpdateProfileCommand(user_id=claims.user_id, display_name=data.display_name))
    return _profile(user, claims)


@identity.get("/.well-known/jwks.json")
@tag(["identity"])
@needs_no_services
@responds(200, JWKS_SCHEMA, description="A JSON Web Key Set")
@inject
async def jwks(
    access_tokens: AccessTokenIssuer = Provide[Container.identity.access_tokens],
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The public keys that verify our access tokens (RFC 7517)."""
    return access_tokens.jwks(), 200, {"Cache-Control": "public, max-age=300"}
