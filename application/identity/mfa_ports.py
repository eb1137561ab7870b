"""Ports of the second-factor capability: TOTP factors, backup codes, sign-in challenges, the TOTP
arithmetic, QR codes, sealing secrets, and the limit on failed attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from attrs import frozen

from domain.identity.mfa import BackupCode, TotpFactor


class MfaFactorRepository(Protocol):
    async def get(self, user_id: UUID, status: str) -> TotpFactor | None:
        """The user's factor in ``status`` ('pending' or 'active'), if any."""

    async def add(self, factor: TotpFactor) -> None: ...

    async def delete(self, factor_id: UUID) -> None: ...

    async def save_state(self, factor: TotpFactor) -> None:
        """Persist status, confirmation time, failure count and lock of an existing factor."""

    async def advance_step(self, factor_id: UUID, step: int) -> bool:
        """Record ``step`` as the last accepted one if it is later than the stored one (compare-and-set)."""


class BackupCodeRepository(Protocol):
    async def replace_all(self, user_id: UUID, codes: list[BackupCode]) -> None: ...

    async def unused(self, user_id: UUID) -> list[BackupCode]: ...

    async def consume(self, code_id: UUID, now: datetime) -> bool:
        """Mark an unused code used; False if it was used already (compare-and-set)."""

    async def delete_all(self, user_id: UUID) -> None: ...


@frozen
class MfaChallenge:
    token_digest: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime
    consumed_at: datetime | None = None


class MfaChallengeRepository(Protocol):
    async def add(self, challenge: MfaChallenge) -> None: ...

    async def get_live(self, token_digest: str, now: datetime) -> MfaChallenge | None:
        """The challenge if it exists, is unexpired and unconsumed."""

    async def consume(self, token_digest: str, now: datetime) -> bool:
        """Mark a live challenge consumed; False if it was consumed already (compare-and-set)."""


class TotpAlgorithm(Protocol):
    """RFC 6238 TOTP with SHA-1, 6 digits, 30-second steps."""

    def new_secret(self) -> str:
        """A fresh 160-bit secret in base32."""

    def code_at_step(self, secret: str, step: int) -> str: ...

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str: ...


class QrRenderer(Protocol):
    def png_data_uri(self, text: str) -> str: ...

    def svg(self, text: str) -> str: ...


class SecretBox(Protocol):
    """Authenticated encryption of small secrets; ``associated_data`` binds a ciphertext to its owner.
    It seals TOTP secrets, and also the refresh-token successors kept for a retry."""

    def seal(self, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes]:
        """Encrypt with the current key; return (key id, ciphertext)."""

    def open(self, key_id: str, sealed: bytes, associated_data: bytes) -> bytes: ...


class FactorAttemptGuard(Protocol):
    """Limits failed attempts at a second factor per account, per (client IP, account) and, with a
    much higher ceiling, per client IP, across processes. An attempt is counted when it starts, so
    concurrent guesses cannot overrun a limit, and given back when it succeeds: only failures count,
    and a refused attempt counts nowhere."""

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        """Count one attempt; raise TooManyAttempts (counting nothing) if a limit is reached."""

    async def succeeded(self, user_id: UUID, ip: str | None) -> None:
        """Give back the attempt counted by ``attempt``: the code was right."""
