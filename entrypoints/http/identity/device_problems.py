"""The TV sign-in's problem types (RFC 8628). A refused poll of the token endpoint is a problem
that also carries RFC 6749 §5.2's ``error`` member, so OAuth device libraries read it as theirs."""

from __future__ import annotations

from typing import Any

from domain.identity.device_errors import DeviceTokenRefused, SlowDown
from entrypoints.http.problems import extension_members, register_problem_types

register_problem_types(
    {
        "invalid-user-code": (400, "No sign-in is waiting for this code"),
        "user-code-no-longer-valid": (409, "The code has expired or was used"),
        "device-authorization-pending": (400, "The sign-in has not been approved yet"),
        "device-slow-down": (400, "Polling too fast"),
        "device-access-denied": (400, "The sign-in was refused"),
        "device-code-expired": (400, "The device code has expired"),
        "invalid-device-code": (400, "Unknown or used device code"),
        "session-not-found": (404, "Session not found"),
    }
)

_OAUTH_ERRORS = ["authorization_pending", "slow_down", "access_denied", "expired_token", "invalid_grant"]


@extension_members(
    DeviceTokenRefused,
    {
        "error": {"type": "string", "enum": _OAUTH_ERRORS, "description": "RFC 8628 §3.5 / RFC 6749 §5.2"},
        "error_description": {"type": "string"},
    },
)
def _oauth_error(error: DeviceTokenRefused) -> dict[str, Any]:
    return {"error": error.oauth_error, "error_description": error.detail}


@extension_members(SlowDown, {"interval": {"type": "integer", "description": "Seconds to wait between polls now"}})
def _interval(error: SlowDown) -> dict[str, Any]:
    return {"interval": error.interval}
