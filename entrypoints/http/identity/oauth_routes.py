"""Signing in with GitHub or Google (authorize → the provider → callback), the client apps'
one-time login code, and the identities linked to an account. A provider that is not configured
answers 404 on every route of its own."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from quart import Response, redirect, request
from quart_schema import tag, validate_querystring, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.identity.complete_provider_sign_in import (
    CompleteProviderSignIn,
    CompleteProviderSignInCommand,
    LinkPending,
    LoginCodeRedirect,
)
from application.identity.exchange_login_code import ExchangeLoginCode, ExchangeLoginCodeCommand
from application.identity.identity_links import (
    ConfirmIdentityLink,
    ConfirmIdentityLinkCommand,
    ListIdentities,
    StartLinkIdentity,
    StartLinkIdentityCommand,
    UnlinkIdentity,
    UnlinkIdentityCommand,
)
from application.identity.log_in import MfaRequired
from application.identity.start_provider_sign_in import StartProviderSignIn, StartProviderSignInCommand
from application.identity.tokens import TokenPair
from domain.identity.external_identity import ExternalIdentity
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity import oauth_problems  # noqa: F401  (registers the codes the routes declare)
from entrypoints.http.identity.account_schemas import MfaRequiredOut, TokenPairOut
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.identity.oauth_schemas import (
    AuthorizationUrlOut,
    AuthorizeArgs,
    CallbackArgs,
    ConfirmLinkIn,
    ExchangeIn,
    IdentitiesOut,
    IdentityOut,
    LinkCodeOut,
)
from entrypoints.http.openapi_declarations import problems, responds, signed_in
from entrypoints.telemetry.metrics import SIGN_INS
from entrypoints.telemetry.outcomes import counted_outcome

NO_STORE = {"Cache-Control": "no-store"}
START_PROBLEMS = ("provider-not-found", "invalid-redirect-uri")
CALLBACK_PROBLEMS = (
    "provider-not-found",
    "invalid-oauth-state",
    "invalid-oauth-callback",
    "provider-access-denied",
    "provider-refused",
    "provider-unavailable",
    "dependency-unavailable",
    "link-from-settings",
    "provider-email-missing",
    "identity-linked-elsewhere",
    "provider-already-linked",
)


def _answer(result: TokenPair | MfaRequired) -> TokenPairOut | MfaRequiredOut:
    if isinstance(result, MfaRequired):
        return MfaRequiredOut(mfa_token=result.mfa_token, expires_in=result.expires_in)
    return TokenPairOut(
        access_token=result.access_token,
        refresh_token=result.refresh_token,
        token_type=result.token_type,
        expires_in=result.expires_in,
        refresh_expires_in=result.refresh_expires_in,
    )


def _found(location: str) -> Response:
    response = redirect(location, 302)
    response.headers.update(NO_STORE)
    return response  # type: ignore[return-value]


def _identity(linked: ExternalIdentity) -> IdentityOut:
    return IdentityOut(
        provider=linked.provider,
        subject=linked.subject,
        email=linked.email,
        email_verified=linked.email_verified,
        login=linked.login,
        linked_at=linked.linked_at.isoformat(),
        last_sign_in_at=linked.last_sign_in_at.isoformat() if linked.last_sign_in_at else None,
    )


@identity.get("/api/v1/auth/oauth/<provider>/authorize")
@tag(["identity"])
@problems(*START_PROBLEMS)
@responds(302, description="To the provider's sign-in page (state, PKCE S256, and a nonce for OpenID Connect)")
@validate_querystring(AuthorizeArgs)
@inject
async def authorize(
    provider: str,
    query_args: AuthorizeArgs,
    start: StartProviderSignIn = Provide[Container.identity.start_provider_sign_in],
) -> Response:
    """Start signing in with `provider` (`github`, `google`). With `redirect_uri` (exactly one of
    the registered client addresses) the callback sends the browser there with a one-time login
    `code` (and your `state` back); without it the callback answers JSON."""
    url = await start(StartProviderSignInCommand(provider, query_args.redirect_uri, query_args.state))
    return _found(url)


@identity.get("/api/v1/auth/oauth/<provider>/callback")
@tag(["identity"])
@problems(*CALLBACK_PROBLEMS)
@responds(
    302,
    description="To the client app's redirect_uri with a one-time login `code` (never tokens), or for a link "
    "started from settings a one-time `link_code`",
)
@responds(
    200,
    TokenPairOut | MfaRequiredOut | LinkCodeOut,
    description="Tokens, the second step when two-factor is on, or for a link started from settings its link code",
)
@validate_querystring(CallbackArgs)
@inject
async def callback(
    provider: str,
    query_args: CallbackArgs,
    complete: CompleteProviderSignIn = Provide[Container.identity.complete_provider_sign_in],
) -> Response | tuple[Any, int, dict[str, str]]:
    """Where the provider sends the browser back. An identity signs in the account it is linked
    to; otherwise an account with the same email is linked only if both the provider and the
    account verified that email (else 409 `link-from-settings`), and with no such account one is
    created. A provider sign-in never skips two-factor authentication. A link started from settings
    attaches nothing here: it answers a one-time `link_code` (valid 10 minutes) that the account's
    own app confirms at `POST /api/v1/me/identities/{provider}/confirm`."""
    command = CompleteProviderSignInCommand(
        provider, state=query_args.state, code=query_args.code, error=query_args.error, ip=request.remote_addr
    )
    with counted_outcome(SIGN_INS, step="provider") as outcome:
        result = await complete(command)
        if isinstance(result, LinkPending):
            outcome.value = "link_code"
            if result.location is not None:
                return _found(result.location)
            link_code = LinkCodeOut(link_code=result.link_code, provider=result.provider, expires_in=result.expires_in)
            return link_code, 200, NO_STORE
        if isinstance(result, LoginCodeRedirect):
            outcome.value = "login_code"
            return _found(result.location)
        if isinstance(result, MfaRequired):
            outcome.value = "mfa_required"
    return _answer(result), 200, NO_STORE


@identity.post("/api/v1/auth/oauth/exchange")
@tag(["identity"])
@problems("invalid-login-code")
@responds(200, TokenPairOut | MfaRequiredOut, description="Tokens, or the second step when two-factor is on")
@validate_request(ExchangeIn)
@inject
async def exchange(
    data: ExchangeIn,
    exchange_code: ExchangeLoginCode = Provide[Container.identity.exchange_login_code],
) -> tuple[TokenPairOut | MfaRequiredOut, int, dict[str, str]]:
    """Turn the one-time login `code` a provider sign-in sent to your redirect_uri into tokens
    (once, within 60 seconds)."""
    with counted_outcome(SIGN_INS, step="login_code") as outcome:
        result = await exchange_code(ExchangeLoginCodeCommand(code=data.code))
        if isinstance(result, MfaRequired):
            outcome.value = "mfa_required"
    return _answer(result), 200, NO_STORE


@identity.get("/api/v1/me/identities")
@tag(["identity"])
@signed_in("read")
@validate_response(IdentitiesOut, 200)
@inject
async def list_identities(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_linked: ListIdentities = Provide[Container.identity.list_identities],
) -> IdentitiesOut:
    """The providers linked to the account."""
    principal = await authenticated(authenticate, "read")
    return IdentitiesOut(items=[_identity(linked) for linked in await list_linked(principal)])


@identity.post("/api/v1/me/identities/<provider>")
@tag(["identity"])
@signed_in("write")
@problems(*START_PROBLEMS, "reauthentication-required", "provider-already-linked")
@validate_querystring(AuthorizeArgs)
@validate_response(AuthorizationUrlOut, 200)
@inject
async def link_identity(
    provider: str,
    query_args: AuthorizeArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    start_link: StartLinkIdentity = Provide[Container.identity.start_link_identity],
) -> tuple[AuthorizationUrlOut, int, dict[str, str]]:
    """Start linking `provider` to this account: send the browser to `authorization_url`; the
    callback answers a one-time `link_code` (to `redirect_uri` if given), which this account's
    session confirms at `POST /api/v1/me/identities/{provider}/confirm`. Needs a sign-in from the
    last 10 minutes."""
    principal = await authenticated(authenticate, "write")
    url = await start_link(
        StartLinkIdentityCommand(
            principal, provider, redirect_uri=query_args.redirect_uri, client_state=query_args.state
        )
    )
    return AuthorizationUrlOut(authorization_url=url), 200, NO_STORE


@identity.post("/api/v1/me/identities/<provider>/confirm")
@tag(["identity"])
@signed_in("write")
@problems("provider-not-found", "invalid-link-code", "identity-linked-elsewhere", "provider-already-linked")
@validate_request(ConfirmLinkIn)
@validate_response(IdentityOut, 200)
@inject
async def confirm_identity_link(
    provider: str,
    data: ConfirmLinkIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    confirm: ConfirmIdentityLink = Provide[Container.identity.confirm_identity_link],
) -> tuple[IdentityOut, int, dict[str, str]]:
    """Attach the identity behind the one-time `link_code` the callback answered. Only a session of
    the account that started the link can (400 `invalid-link-code` otherwise, and for an unknown,
    expired or used code alike); a link code is never a sign-in."""
    principal = await authenticated(authenticate, "write")
    linked = await confirm(ConfirmIdentityLinkCommand(principal, provider, data.code, ip=request.remote_addr))
    return _identity(linked), 200, NO_STORE


@identity.delete("/api/v1/me/identities/<provider>")
@tag(["identity"])
@signed_in("write")
@problems("provider-not-found", "reauthentication-required", "identity-not-linked", "last-sign-in-method")
@responds(204, description="Unlinked")
@inject
async def unlink_identity(
    provider: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    unlink: UnlinkIdentity = Provide[Container.identity.unlink_identity],
) -> tuple[str, int]:
    """Unlink `provider`. Needs a sign-in from the last 10 minutes; refused (409) when it is the
    account's last way to sign in."""
    principal = await authenticated(authenticate, "write")
    await unlink(UnlinkIdentityCommand(principal, provider, ip=request.remote_addr))
    return "", 204
