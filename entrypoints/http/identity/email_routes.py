from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import request
from quart_schema import tag, validate_request, validate_response

import entrypoints.http.identity.email_problems  # noqa: F401 (registers the problem types used below)
from application.identity.authenticate import Authenticate
from application.identity.email_verification import (
    RequestEmailVerification,
    RequestEmailVerificationCommand,
    VerifyEmail,
    VerifyEmailCommand,
)
from application.identity.password_reset import (
    RequestPasswordReset,
    RequestPasswordResetCommand,
    ResetPassword,
    ResetPasswordCommand,
)
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.identity.blueprint import identity
from entrypoints.http.identity.email_schemas import (
    EmailVerifiedOut,
    ForgotPasswordAcceptedOut,
    ForgotPasswordIn,
    ResetPasswordIn,
    VerificationSentOut,
    VerifyEmailIn,
)
from entrypoints.http.openapi_declarations import problems, responds, signed_in

NO_STORE = {"Cache-Control": "no-store"}


@identity.post("/api/v1/me/email/verification")
@tag(["identity"])
@signed_in("write")
@problems("email-already-verified")
@validate_response(VerificationSentOut, 202)
@inject
async def send_verification(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    request_email_verification: RequestEmailVerification = Provide[Container.identity.request_email_verification],
) -> tuple[VerificationSentOut, int]:
    """Mail the account a new link to verify its email (valid 24 hours; earlier links stop
    working). 409 if the email is verified already; 429 + `Retry-After` after 5 in an hour."""
    principal = await authenticated(authenticate, "write")
    sent = await request_email_verification(RequestEmailVerificationCommand(principal=principal))
    return VerificationSentOut(email=sent.email, expires_in=sent.expires_in), 202


@identity.post("/api/v1/auth/verify-email")
@tag(["identity"])
@problems("invalid-account-token")
@validate_request(VerifyEmailIn)
@validate_response(EmailVerifiedOut, 200)
@inject
async def verify_email(
    data: VerifyEmailIn, verify: VerifyEmail = Provide[Container.identity.verify_email]
) -> tuple[EmailVerifiedOut, int, dict[str, str]]:
    """Verify the email with the token from the mail. A token works once, for 24 hours, and only
    while the account still has the address it was sent to; any other token is one 400."""
    verified = await verify(VerifyEmailCommand(token=data.token, client_ip=request.remote_addr))
    return EmailVerifiedOut(email=verified.email), 200, NO_STORE


@identity.post("/api/v1/auth/password/forgot")
@tag(["identity"])
@problems("invalid-email", "too-many-attempts")
@validate_request(ForgotPasswordIn)
@validate_response(ForgotPasswordAcceptedOut, 202)
@inject
async def forgot_password(
    data: ForgotPasswordIn,
    request_password_reset: RequestPasswordReset = Provide[Container.identity.request_password_reset],
) -> tuple[ForgotPasswordAcceptedOut, int]:
    """Mail a link to choose a new password (valid 1 hour). Always 202, whether or not the address
    has an account; 422 for a malformed address; 429 + `Retry-After` when one client asks too often."""
    await request_password_reset(RequestPasswordResetCommand(email=data.email, client_ip=request.remote_addr))
    return ForgotPasswordAcceptedOut(), 202


@identity.post("/api/v1/auth/password/reset")
@tag(["identity"])
@problems("invalid-account-token", "weak-password")
@responds(204, description="The password is set, and every session of the account has ended")
@validate_request(ResetPasswordIn)
@inject
async def reset_password(
    data: ResetPasswordIn, reset: ResetPassword = Provide[Container.identity.reset_password]
) -> tuple[str, int]:
    """Choose a new password with the token from the mail (same policy as registration). Every
    session of the account ends, on every device; the email counts as verified."""
    await reset(ResetPasswordCommand(token=data.token, new_password=data.new_password, client_ip=request.remote_addr))
    return "", 204
