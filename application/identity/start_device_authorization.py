from __future__ import annotations

from attrs import frozen

from application.identity.api_key_ports import ClientRateLimiter
from application.identity.device_authorization_ports import DeviceAuthorizationStore
from application.identity.tokens import digest_token
from application.shared.ports import Clock, SecretGenerator
from domain.identity.device_authorization import (
    DeviceAuthorization,
    clean_client_name,
    display_user_code,
    new_user_code,
)
from domain.shared.errors import TooManyAttempts

DEVICE_CODE_BYTES = 32
# 20^8 user codes against a few thousand pending at once: a second draw is already rare.
USER_CODE_DRAWS = 5


@frozen
class StartDeviceAuthorizationCommand:
    client_name: str | None = None
    client_ip: str | None = None


@frozen
class DeviceAuthorizationStarted:
    device_code: str
    user_code: str  # as shown: XXXX-XXXX
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


@frozen
class StartDeviceAuthorization:
    """A TV asks to sign in (RFC 8628 §3.1): a device code it keeps and polls with, and a user code
    its viewer types on a device where they are signed in. Anyone may start one, so each address
    gets a budget: every pending authorization takes room in Redis and is one more code to hit."""

    store: DeviceAuthorizationStore
    limiter: ClientRateLimiter
    secrets: SecretGenerator
    clock: Clock
    verification_uri: str

    async def __call__(self, command: StartDeviceAuthorizationCommand) -> DeviceAuthorizationStarted:
        client_name = clean_client_name(command.client_name)
        decision = await self.limiter.hit(command.client_ip or "unknown")
        if not decision.allowed:
            raise TooManyAttempts(
                "Too many TV sign-ins started from this address; wait and try again.",
                retry_after_seconds=decision.reset_seconds,
                limiter="device_authorizations",
            )
        now = self.clock.now()
        device_code = self.secrets.token(DEVICE_CODE_BYTES)
        for _ in range(USER_CODE_DRAWS):
            authorization = DeviceAuthorization.start(
                digest_token(device_code), new_user_code(self.secrets.random_bytes), client_name, now
            )
            if await self.store.add(authorization):
                break
        else:
            raise RuntimeError("no free user code after several draws")
        shown = display_user_code(authorization.user_code)
        return DeviceAuthorizationStarted(
            device_code=device_code,
            user_code=shown,
            verification_uri=self.verification_uri,
            verification_uri_complete=f"{self.verification_uri}?user_code={shown}",
            expires_in=authorization.expires_in(now),
            interval=authorization.interval_seconds,
        )
