from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane). argon2-cffi's default (64 MiB, 3 passes,
# 4 lanes) cost ~125 ms of CPU per sign-in on a 2-core server, capping it at 8 sign-ins a second;
# this costs ~20 ms and is still far beyond what offline guessing of a stolen hash can afford.
PASSWORD_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


class Argon2PasswordHasher:
    """Argon2id (RFC 9106); hashing runs off the event loop. Hashes carry their own parameters,
    so hashes made with other parameters keep verifying."""

    def __init__(self, argon2: Argon2 | None = None) -> None:
        self._argon2 = argon2 or Argon2(**PASSWORD_PARAMETERS)
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
    """A backup code carries 50 random bits, so the password parameters are plenty against
    offline guessing, and checking ten codes stays well under a second."""
    return Argon2PasswordHasher(Argon2(**PASSWORD_PARAMETERS))


def fast_test_hasher() -> Argon2PasswordHasher:
    """Real Argon2id with small costs, for test suites that register many accounts."""
    return Argon2PasswordHasher(Argon2(time_cost=1, memory_cost=1024, parallelism=1))
