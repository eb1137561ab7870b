from __future__ import annotations

from datetime import datetime
from uuid import UUID

from attrs import frozen

from application.identity.account_ports import PasswordHasher
from application.shared.ports import IdGenerator, SecretGenerator
from domain.identity.mfa import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_COUNT,
    BACKUP_CODE_LENGTH,
    BACKUP_CODES_LOW_WATERMARK,
    BackupCode,
    format_backup_code,
)


@frozen
class FreshBackupCodes:
    shown: list[str]
    stored: list[BackupCode]


async def generate_backup_codes(
    user_id: UUID, now: datetime, secrets: SecretGenerator, ids: IdGenerator, hasher: PasswordHasher
) -> FreshBackupCodes:
    """Ten codes of ten symbols from a 32-symbol alphabet (50 bits each), stored only as slow hashes."""
    plain = []
    for _ in range(BACKUP_CODE_COUNT):
        randomness = secrets.random_bytes(BACKUP_CODE_LENGTH)
        plain.append("".join(BACKUP_CODE_ALPHABET[b % len(BACKUP_CODE_ALPHABET)] for b in randomness))
    stored = [
        BackupCode(id=ids.new_id(), user_id=user_id, code_hash=await hasher.hash(code), created_at=now)
        for code in plain
    ]
    return FreshBackupCodes(shown=[format_backup_code(code) for code in plain], stored=stored)


def low_backup_codes_warning(remaining: int | None) -> str | None:
    if remaining is not None and remaining <= BACKUP_CODES_LOW_WATERMARK:
        return f"Only {remaining} backup code(s) left: generate new ones soon."
    return None
