"""Signers written apart from the receiver, from each scheme's public description: the
``standardwebhooks`` reference package for Standard Webhooks; GitHub's "Validating webhook
deliveries" (HMAC-SHA256 of the payload, ``sha256=`` + hex digest in ``X-Hub-Signature-256``);
Stripe's "Verify webhook signatures manually" (``t=<timestamp>,v1=<hex HMAC-SHA256 of
"<timestamp>.<payload>">``)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from standardwebhooks import Webhook


def standard_headers(secret: str, delivery_id: str, at: datetime, body: bytes) -> dict[str, str]:
    # The reference signer takes the body as text; our test bodies are UTF-8 JSON.
    signature = Webhook(secret).sign(delivery_id, at, body.decode())
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def github_headers(secret: str, delivery_id: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {
        "X-Hub-Signature-256": f"sha256={digest}",
        "X-GitHub-Delivery": delivery_id,
        "X-GitHub-Event": "catalog",
        "Content-Type": "application/json",
    }


def stripe_headers(secret: str, at: datetime, body: bytes, *extra_secrets: str) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    signatures = [
        hmac.new(key.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        for key in (secret, *extra_secrets)
    ]
    value = ",".join([f"t={timestamp}", *(f"v1={s}" for s in signatures)])
    return {"Stripe-Signature": value, "Content-Type": "application/json"}
