"""Verifying a platform's delivery against its registration's signing secrets, over the raw body.

Three schemes (``SignatureScheme``):

- ``standard`` (Standard Webhooks): ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
  ``webhook-signature``, space-separated ``v1,<base64>`` entries of HMAC-SHA256 over
  ``id + "." + timestamp + "." + body`` keyed with the base64 after ``whsec_``.
- ``github``: ``X-Hub-Signature-256: sha256=<hex>``, HMAC-SHA256 over the body keyed with the
  secret's bytes; the delivery id is ``X-GitHub-Delivery``. The scheme signs no timestamp, so a
  captured delivery stays valid: the delivery-id deduplication (kept for the retry horizon) is
  what refuses its replay.
- ``stripe``: ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]``, HMAC-SHA256 over
  ``t + "." + body`` keyed with the secret's bytes; the delivery id is the event's ``id`` in the
  body (the normaliser reads it).

Any well-formed entry matching any secret valid now passes (a rotation signs with both); a
malformed entry is skipped, never an error of ours; comparisons are constant-time. The body is
never decoded: what was signed is the bytes that arrived."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from attrs import frozen

from domain.ingestion.errors import SignatureRejected
from domain.ingestion.registration import SignatureScheme

STANDARD_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
_DIGEST_SIZE = hashlib.sha256().digest_size


@frozen
class VerifiedDelivery:
    """What a valid signature vouches for: the delivery id the headers carry (None for
    ``stripe``, whose id is in the body) and when the sender signed it (None for ``github``)."""

    delivery_id: str | None
    signed_at: datetime | None


def signing_key(scheme: SignatureScheme, secret: str) -> bytes:
    """The HMAC key of a registration's secret: the decoded base64 after ``whsec_`` for
    ``standard``, the secret's own bytes for the others (Stripe's ``whsec_…`` secrets included)."""
    if scheme is SignatureScheme.STANDARD:
        encoded = secret.removeprefix(STANDARD_SECRET_PREFIX)
        return base64.b64decode(encoded, validate=True)
    return secret.encode()


def verify_delivery(
    scheme: SignatureScheme,
    headers: Mapping[str, str],
    body: bytes,
    keys: Sequence[bytes],
    now: datetime,
    tolerance: timedelta,
) -> VerifiedDelivery:
    """Raise SignatureRejected (reason ``missing``, ``malformed``, ``mismatch``, ``stale`` or
    ``future``) unless ``body`` carries a valid signature by one of ``keys``."""
    found = {name.lower(): value for name, value in headers.items()}
    if scheme is SignatureScheme.STANDARD:
        return _standard(found, body, keys, now, tolerance)
    if scheme is SignatureScheme.GITHUB:
        return _github(found, body, keys)
    return _stripe(found, body, keys, now, tolerance)


def _standard(
    headers: Mapping[str, str], body: bytes, keys: Sequence[bytes], now: datetime, tolerance: timedelta
) -> VerifiedDelivery:
    delivery_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signature = headers.get("webhook-signature", "")
    if not delivery_id or not timestamp or not signature:
        raise SignatureRejected("missing")
    signed_at = _signed_at(timestamp, now, tolerance)
    candidates = [
        decoded
        for version, _, value in (entry.partition(",") for entry in signature.split(" ") if entry)
        if version == "v1" and (decoded := _base64(value)) is not None
    ]
    signed = delivery_id.encode() + b"." + timestamp.encode() + b"." + body
    _match(candidates, signed, keys)
    return VerifiedDelivery(delivery_id, signed_at)


def _github(headers: Mapping[str, str], body: bytes, keys: Sequence[bytes]) -> VerifiedDelivery:
    delivery_id = headers.get("x-github-delivery", "")
    signature = headers.get("x-hub-signature-256", "")
    if not delivery_id or not signature:
        raise SignatureRejected("missing")
    algorithm, _, value = signature.strip().partition("=")
    candidates = [decoded] if algorithm == "sha256" and (decoded := _hex(value)) is not None else []
    _match(candidates, body, keys)
    return VerifiedDelivery(delivery_id, None)


def _stripe(
    headers: Mapping[str, str], body: bytes, keys: Sequence[bytes], now: datetime, tolerance: timedelta
) -> VerifiedDelivery:
    signature = headers.get("stripe-signature", "")
    if not signature:
        raise SignatureRejected("missing")
    items = [item.strip().partition("=") for item in signature.split(",")]
    timestamps = [value for name, _, value in items if name == "t"]
    if len(timestamps) != 1:
        raise SignatureRejected("malformed")
    signed_at = _signed_at(timestamps[0], now, tolerance)
    candidates = [decoded for name, _, value in items if name == "v1" and (decoded := _hex(value)) is not None]
    _match(candidates, timestamps[0].encode() + b"." + body, keys)
    return VerifiedDelivery(None, signed_at)


def _signed_at(timestamp: str, now: datetime, tolerance: timedelta) -> datetime:
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureRejected("malformed")
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    if signed_at < now - tolerance:
        raise SignatureRejected("stale")
    if signed_at > now + tolerance:
        raise SignatureRejected("future")
    return signed_at


def _match(candidates: Iterable[bytes], signed: bytes, keys: Sequence[bytes]) -> None:
    signatures = list(candidates)
    if not signatures:
        raise SignatureRejected("malformed")
    expected = [hmac.new(key, signed, hashlib.sha256).digest() for key in keys]
    # Every comparison runs (no early exit), each in constant time.
    matched = False
    for signature in signatures:
        for digest in expected:
            matched |= hmac.compare_digest(signature, digest)
    if not matched:
        raise SignatureRejected("mismatch")


def _base64(value: str) -> bytes | None:
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if len(decoded) == _DIGEST_SIZE else None


def _hex(value: str) -> bytes | None:
    if len(value) != 2 * _DIGEST_SIZE:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None
