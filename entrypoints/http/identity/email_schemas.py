from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from entrypoints.http.identity.account_schemas import Password

# The tokens we mail are 43 characters; anything much longer is not one of ours.
AccountTokenText = Annotated[str, Meta(min_length=1, max_length=256)]


class VerificationSentOut(Struct):
    email: str
    expires_in: int  # seconds the new link works
    status: str = "sent"


class VerifyEmailIn(Struct, forbid_unknown_fields=True):
    token: AccountTokenText


class EmailVerifiedOut(Struct):
    email: str
    email_verified: bool = True


class ForgotPasswordIn(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(max_length=320, examples=["ana@example.com"])]


class ForgotPasswordAcceptedOut(Struct):
    """The same answer whether or not the address has an account."""

    status: str = "accepted"
    detail: str = "If this address has an account, a link to choose a new password is on its way; it works for 1 hour."


class ResetPasswordIn(Struct, forbid_unknown_fields=True):
    token: AccountTokenText
    new_password: Password
