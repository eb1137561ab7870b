from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from adapters.identity.secret_files import write_secret_file


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Ed25519SigningKey:
    """An Ed25519 key with its RFC 7638 thumbprint as ``kid``."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self.private_key = private_key
        self.public_key: Ed25519PublicKey = private_key.public_key()
        raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._x = _b64(raw)
        canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": self._x}, separators=(",", ":"))
        self.kid = _b64(hashlib.sha256(canonical.encode()).digest())

    @classmethod
    def from_pem(cls, pem: bytes) -> Ed25519SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("The JWT signing key must be an Ed25519 private key in PEM (PKCS#8).")
        return cls(key)

    @classmethod
    def generate(cls) -> Ed25519SigningKey:
        return cls(Ed25519PrivateKey.generate())

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": self._x, "kid": self.kid, "alg": "EdDSA", "use": "sig"}


def load_or_create_signing_key(pem_from_env: str | None, path: Path) -> Ed25519SigningKey:
    if pem_from_env:
        return Ed25519SigningKey.from_pem(pem_from_env.encode())
    if path.exists():
        return Ed25519SigningKey.from_pem(path.read_bytes())
    key = Ed25519SigningKey.generate()
    try:
        write_secret_file(path, key.to_pem())
    except FileExistsError:  # another process created it first: use theirs
        return Ed25519SigningKey.from_pem(path.read_bytes())
    return key
