"""The viewer hash both hashers compute: HMAC-SHA256 keyed with HMAC(server key, the day's random
salt). The server key (a file, never stored with the events) keeps the hashes from being
recomputed from a guessed address or user id; the salt, gone after two days, unlinks the days."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from pathlib import Path

from adapters.identity.secret_files import write_secret_file

SERVER_KEY_BYTES = 32
SALT_BYTES = 32


def day_key(server_key: bytes, salt: bytes) -> bytes:
    return hmac.digest(server_key, salt, hashlib.sha256)


def keyed_viewer_hash(day_key: bytes, viewer_key: str) -> int:
    """The first 8 bytes of HMAC-SHA256(day_key, viewer_key), signed big-endian."""
    return int.from_bytes(hmac.digest(day_key, viewer_key.encode(), hashlib.sha256)[:8], "big", signed=True)


def load_or_create_viewer_key(path: Path) -> bytes:
    """The server key from ``path``, created (0600) with random bytes on first use."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
            write_secret_file(path, secrets.token_bytes(SERVER_KEY_BYTES))
    key = path.read_bytes()
    if len(key) < SERVER_KEY_BYTES:
        raise ValueError(f"{path} holds a search viewer key shorter than {SERVER_KEY_BYTES} bytes")
    return key
