"""New signing secrets, sealed with identity's secret box (bound to their registration's id)."""

from __future__ import annotations

import base64
from uuid import UUID

from application.identity.mfa_ports import SecretBox
from application.shared.ports import SecretGenerator
from domain.ingestion.registration import SignatureScheme, SigningSecret, WebhookRegistration
from domain.ingestion.signatures import STANDARD_SECRET_PREFIX

SECRET_BYTES = 32


def new_secret(scheme: SignatureScheme, secrets: SecretGenerator) -> str:
    """``standard`` and ``stripe``: ``whsec_`` + base64 of 32 random bytes (Standard Webhooks'
    form; Stripe keys its HMAC with the whole string); ``github``: a random URL-safe token."""
    if scheme is SignatureScheme.GITHUB:
        return secrets.token(SECRET_BYTES)
    return STANDARD_SECRET_PREFIX + base64.b64encode(secrets.random_bytes(SECRET_BYTES)).decode()


def _associated_data(registration_id: UUID) -> bytes:
    return str(registration_id).encode()


def seal(box: SecretBox, registration_id: UUID, secret: str) -> SigningSecret:
    key_id, sealed = box.seal(secret.encode(), _associated_data(registration_id))
    return SigningSecret(key_id=key_id, sealed=sealed)


def opened(box: SecretBox, registration: WebhookRegistration, secret: SigningSecret) -> str:
    return box.open(secret.key_id, secret.sealed, _associated_data(registration.id)).decode()
