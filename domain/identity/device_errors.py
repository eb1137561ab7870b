"""What signing in on a device (RFC 8628) refuses: the approver's errors, and the device's polls,
each of which carries the RFC's own error code for OAuth device libraries."""

from __future__ import annotations

from domain.shared.errors import DomainError


class InvalidUserCode(DomainError):
    """No sign-in waits for this code: the same answer for a typo, a guess and a malformed code."""

    code = "invalid-user-code"


class UserCodeNoLongerValid(DomainError):
    """The code was real but has expired, or was approved or denied already."""

    code = "user-code-no-longer-valid"


class DeviceTokenRefused(DomainError):
    """A poll of the token endpoint that gets no tokens; ``oauth_error`` is RFC 8628 §3.5's code."""

    code = "device-token-refused"
    oauth_error = "invalid_request"


class AuthorizationPending(DeviceTokenRefused):
    code = "device-authorization-pending"
    oauth_error = "authorization_pending"


class SlowDown(DeviceTokenRefused):
    code = "device-slow-down"
    oauth_error = "slow_down"

    def __init__(self, detail: str, *, interval: int) -> None:
        super().__init__(detail)
        self.interval = interval


class DeviceAccessDenied(DeviceTokenRefused):
    code = "device-access-denied"
    oauth_error = "access_denied"


class DeviceCodeExpired(DeviceTokenRefused):
    code = "device-code-expired"
    oauth_error = "expired_token"


class InvalidDeviceCode(DeviceTokenRefused):
    """Unknown, or its tokens were handed out already (RFC 6749 §5.2's ``invalid_grant``)."""

    code = "invalid-device-code"
    oauth_error = "invalid_grant"
