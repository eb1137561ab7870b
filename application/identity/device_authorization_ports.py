"""Ports of signing in on a device (RFC 8628): where pending device authorizations are kept, and
the limit on guessing user codes."""

from __future__ import annotations

from typing import Protocol

from domain.identity.device_authorization import DeviceAuthorization


class DeviceAuthorizationStore(Protocol):
    """Pending device sign-ins, found by the device code's digest and by the user code, shared by
    every process and forgotten a while after they expire. Every change of status happens at most
    once (compare-and-set): one approval or denial, one hand-out of the tokens."""

    async def add(self, authorization: DeviceAuthorization) -> bool:
        """Keep a new authorization; False, keeping nothing, if another one holds its user code."""

    async def get(self, device_code_digest: str) -> DeviceAuthorization | None: ...

    async def find_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        """By the normalised user code (``normalise_user_code``)."""

    async def record_poll(self, authorization: DeviceAuthorization) -> None:
        """Keep the poll time and interval of ``authorization``; its status is left as stored."""

    async def settle(self, authorization: DeviceAuthorization) -> bool:
        """Store the approval or denial of ``authorization`` if the stored one is still pending;
        False, changing nothing, otherwise."""

    async def consume(self, device_code_digest: str) -> bool:
        """Mark an approved authorization consumed (its tokens are being handed out); False,
        changing nothing, if it is not approved or was consumed already."""


class DeviceCodeGuessGuard(Protocol):
    """Limits wrong user codes per client IP, across processes. An attempt is counted when it
    starts (concurrent guesses cannot overrun the limit) and given back when the code matched."""

    async def attempt(self, ip: str | None) -> None:
        """Count one attempt; raise TooManyAttempts (counting nothing) if the limit is reached."""

    async def matched(self, ip: str | None) -> None:
        """Give back the attempt: the code belonged to a real authorization."""
