from __future__ import annotations

import base64
import contextlib
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.identity.secret_files import write_secret_file

NONCE_BYTES = 12


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(b"media-gateway-key-id" + key).hexdigest()[:12]


class AesGcmSecretBox:
    """AES-256-GCM; the ciphertext is nonce || sealed bytes, and each key is known by an id.

    New secrets are sealed with the current key; older keys stay available to open what they
    sealed, which is how a key is rotated.
    """

    def __init__(self, current: bytes, previous: list[bytes] | None = None) -> None:
        keys = [current, *(previous or [])]
        if any(len(key) != 32 for key in keys):
            raise ValueError("MFA encryption keys must be 32 bytes (AES-256)")
        self._current_id = key_id_of(current)
        self._keys = {key_id_of(key): AESGCM(key) for key in keys}

    def seal(self, plaintext: bytes, associated_data: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        return self._current_id, nonce + self._keys[self._current_id].encrypt(nonce, plaintext, associated_data)

    def open(self, key_id: str, sealed: bytes, associated_data: bytes) -> bytes:
        key = self._keys.get(key_id)
        if key is None:
            raise LookupError(f"no MFA encryption key with id {key_id}; was a retired key removed too early?")
        return key.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)


def _decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))


def load_or_create_secret_box(from_env: str | None, previous_from_env: str | None, path: Path) -> AesGcmSecretBox:
    """The key from MG_MFA_ENCRYPTION_KEY (base64), else from ``path``, created 0600 on first use."""
    previous = [_decode(part) for part in (previous_from_env or "").split(",") if part.strip()]
    if from_env:
        return AesGcmSecretBox(_decode(from_env), previous)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
            write_secret_file(path, base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)))
    return AesGcmSecretBox(_decode(path.read_text()), previous)
