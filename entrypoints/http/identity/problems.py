"""Identity's problem types (accounts and sessions, second factor, API keys), and the clock-drift
hint an invalid two-factor code can carry."""

from __future__ import annotations

from typing import Any

from domain.identity.mfa import InvalidMfaCode
from entrypoints.http.problems import extension_members, register_problem_types

register_problem_types(
    {
        # Accounts and sessions
        "invalid-email": (422, "The email address is not valid"),
        "weak-password": (422, "The password does not meet the password policy"),
        "invalid-credentials": (401, "Invalid credentials"),
        "invalid-access-token": (401, "Invalid access token"),
        "invalid-refresh-token": (401, "Invalid refresh token"),
        "invalid-password": (403, "The password is incorrect"),
        "email-already-registered": (409, "Email already registered"),
        # Second factor
        "factor-locked": (429, "Two-factor authentication is locked"),
        "invalid-mfa-code": (401, "Invalid two-factor code"),
        "invalid-mfa-token": (401, "Invalid or expired sign-in step"),
        "reauthentication-required": (401, "Recent sign-in required"),
        "mfa-already-enabled": (409, "Two-factor authentication is already enabled"),
        "mfa-not-enabled": (409, "Two-factor authentication is not enabled"),
        "no-pending-enrollment": (409, "No pending two-factor enrollment"),
        # API keys
        "invalid-api-key": (401, "Invalid API key"),
        "invalid-api-key-request": (422, "The API key request is not valid"),
        "scope-not-held": (403, "Scope not held"),
        "api-key-not-found": (404, "API key not found"),
    }
)


@extension_members(InvalidMfaCode, {"clock_drift_seconds": {"type": "number"}})
def _clock_drift(error: InvalidMfaCode) -> dict[str, Any]:
    """How far the authenticator's clock seems off, when the code matched a step outside the window."""
    drift = error.clock_drift_seconds
    return {} if drift is None else {"clock_drift_seconds": drift}
