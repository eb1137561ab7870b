from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from domain.identity.password_policy import MAX_PASSWORD_LENGTH

# The policy's bound (NIST 800-63B): no valid password is longer, so none longer is read or hashed.
Password = Annotated[str, Meta(max_length=MAX_PASSWORD_LENGTH)]

# RFC 7517: the set of public keys that verify our access tokens.
JWKS_SCHEMA = {
    "type": "object",
    "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {"type": "object", "required": ["kty"]}}},
}


class RegisterIn(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(max_length=320, examples=["ana@example.com"])]
    password: Password
    display_name: Annotated[str, Meta(max_length=200)] | None = None


class RegistrationAcceptedOut(Struct):
    """The same answer for a new and a taken email, so registration reveals no account."""

    email: str
    status: str = "accepted"
    detail: str = (
        "If this email had no account, it has one now: sign in with it and your password, and confirm "
        "the address from the mail on its way. If it already had one, that account is unchanged, the "
        "attempt is in its security log, and its owner is mailed about it."
    )


class LoginIn(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(max_length=320)]
    password: Password


class TokenPairOut(Struct):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_in: int


class RefreshIn(Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=512)]


class ProfileOut(Struct):
    user_id: str
    email: str
    display_name: str
    created_at: str
    scopes: list[str]
    email_verified: bool


class ProfilePatchIn(Struct, forbid_unknown_fields=True):
    display_name: Annotated[str, Meta(max_length=200)]


class MfaRequiredOut(Struct):
    mfa_token: str
    expires_in: int
    mfa_required: bool = True
