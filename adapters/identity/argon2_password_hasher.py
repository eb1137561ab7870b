from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """Argon2id (RFC 9106) with argon2-cffi's defaults; hashing runs off the event loop."""

    def __init__(self, argon2: Argon2 | None = None) -> None:
        self._argon2 = argon2 or Argon2()
        self._decoy = self._argon2.hash("media-gateway decoy password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    async def verify_against_nothing(self, password: str) -> None:
        await asyncio.to_thread(self._verify, self._decoy, password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def backup_code_hasher() -> Argon2PasswordHasher:
    """Argon2id at OWASP's 19 MiB / 2 passes: a backup code carries 50 random bits, so this is
    plenty against offline guessing, and checking ten codes stays well under a second."""
    return Argon2PasswordHasher(Argon2(time_cost=2, memory_cost=19 * 1024, parallelism=1))


def fast_test_hasher() -> Argon2PasswordHasher:
    """Real Argon2id with small costs, for test suites that register many accounts."""
    return Argon2PasswordHasher(Argon2(time_cost=1, memory_cost=1024, parallelism=1))
