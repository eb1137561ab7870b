from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    def new_id(self) -> UUID: ...


class SecretGenerator(Protocol):
    def token(self, nbytes: int) -> str:
        """A URL-safe text token carrying ``nbytes`` random bytes."""

    def random_bytes(self, nbytes: int) -> bytes: ...
