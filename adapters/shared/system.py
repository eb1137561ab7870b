from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid4Generator:
    def new_id(self) -> uuid.UUID:
        return uuid.uuid4()


class UrandomSecretGenerator:
    def token(self, nbytes: int) -> str:
        return secrets.token_urlsafe(nbytes)

    def random_bytes(self, nbytes: int) -> bytes:
        return secrets.token_bytes(nbytes)
