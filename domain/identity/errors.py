from __future__ import annotations

from domain.shared.errors import Conflict, Forbidden, NotFound, Unauthenticated


class EmailAlreadyRegistered(Conflict):
    code = "email-already-registered"


class InvalidCredentials(Unauthenticated):
    code = "invalid-credentials"


class InvalidRefreshToken(Unauthenticated):
    code = "invalid-refresh-token"


class InvalidAccessToken(Unauthenticated):
    code = "invalid-access-token"


class InvalidApiKey(Unauthenticated):
    code = "invalid-api-key"


class InvalidPassword(Forbidden):
    """The current password, asked again before an account-security change, was wrong."""

    code = "invalid-password"


class ApiKeyNotFound(NotFound):
    """No key with this id belongs to the caller (someone else's key is not found either)."""

    code = "api-key-not-found"


class AccountNotFound(NotFound):
    """No account has this email (asked by an operator's command, never over HTTP)."""

    code = "account-not-found"


# sessions list (TV sign-in)
class SessionNotFound(NotFound):
    """No active session of the caller's has this id (another account's is not found either)."""

    code = "session-not-found"


# verified email and password reset
class EmailAlreadyVerified(Conflict):
    code = "email-already-verified"
