from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

# Client apps' addresses are matched exactly against MG_OAUTH_REDIRECT_URIS; the bound only keeps
# garbage out of Redis.
RedirectUri = Annotated[str, Meta(min_length=1, max_length=2048)]
ClientState = Annotated[str, Meta(min_length=1, max_length=512)]
ProviderValue = Annotated[str, Meta(max_length=2048)]


class AuthorizeArgs(Struct):
    redirect_uri: RedirectUri | None = None
    state: ClientState | None = None  # the client app's own state, echoed back to redirect_uri


class CallbackArgs(Struct):
    state: ProviderValue | None = None
    code: ProviderValue | None = None
    error: ProviderValue | None = None
    error_description: ProviderValue | None = None


class ExchangeIn(Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=1, max_length=512)]


class ConfirmLinkIn(Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=1, max_length=512)]


class LinkCodeOut(Struct):
    link_code: str
    provider: str
    expires_in: int  # seconds


class AuthorizationUrlOut(Struct):
    authorization_url: str


class IdentityOut(Struct):
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    login: str | None
    linked_at: str
    last_sign_in_at: str | None


class IdentitiesOut(Struct):
    items: list[IdentityOut]
