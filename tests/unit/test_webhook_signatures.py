"""Signature verification, against deliveries signed by independent code (tests/support/webhook_signers.py)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from domain.ingestion.errors import SignatureRejected
from domain.ingestion.registration import SignatureScheme
from domain.ingestion.signatures import signing_key, verify_delivery
from tests.support.webhook_signers import github_headers, standard_headers, stripe_headers

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
TOLERANCE = timedelta(minutes=5)
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
OTHER = "whsec_" + base64.b64encode(b"o" * 32).decode()
BODY = b'{"type":"content.removed","occurred_at":"2026-12-01T10:00:00Z","data":{"platform_content_id":"x"}}'

STANDARD, GITHUB, STRIPE = SignatureScheme.STANDARD, SignatureScheme.GITHUB, SignatureScheme.STRIPE


def verify(scheme: SignatureScheme, headers: dict[str, str], body: bytes = BODY, *secrets: str) -> str | None:
    keys = [signing_key(scheme, s) for s in (secrets or (SECRET,))]
    return verify_delivery(scheme, headers, body, keys, NOW, TOLERANCE).delivery_id


def reason(scheme: SignatureScheme, headers: dict[str, str], body: bytes = BODY, *secrets: str) -> str:
    with pytest.raises(SignatureRejected) as refused:
        verify(scheme, headers, body, *secrets)
    return refused.value.reason


def test_a_standard_delivery_signed_by_the_reference_library_verifies_and_names_its_id() -> None:
    assert verify(STANDARD, standard_headers(SECRET, "msg_1", NOW, BODY)) == "msg_1"


def test_headers_are_found_whatever_their_case() -> None:
    headers = {name.upper(): value for name, value in standard_headers(SECRET, "msg_1", NOW, BODY).items()}
    assert verify(STANDARD, headers) == "msg_1"


def test_any_valid_secret_and_any_entry_is_enough_during_a_rotation() -> None:
    headers = standard_headers(OTHER, "msg_1", NOW, BODY)
    assert verify(STANDARD, headers, BODY, SECRET, OTHER) == "msg_1"
    both = standard_headers(SECRET, "msg_1", NOW, BODY)["webhook-signature"] + " " + headers["webhook-signature"]
    assert verify(STANDARD, {**headers, "webhook-signature": both}, BODY, OTHER) == "msg_1"


def test_malformed_entries_are_skipped_not_errors() -> None:
    headers = standard_headers(SECRET, "msg_1", NOW, BODY)
    noisy = "v1,@@@ v2,abc v1 , " + headers["webhook-signature"] + " v1,"
    assert verify(STANDARD, {**headers, "webhook-signature": noisy}) == "msg_1"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"webhook-signature": ""}, "missing"),
        ({"webhook-id": ""}, "missing"),
        ({"webhook-signature": "v1,not-base64!! v2,xyz"}, "malformed"),
        ({"webhook-timestamp": "soon"}, "malformed"),
        ({"webhook-timestamp": "١٢٣"}, "malformed"),
        ({"webhook-id": "msg_2"}, "mismatch"),  # the id is signed too
    ],
)
def test_standard_refusals_say_why(change: dict[str, str], expected: str) -> None:
    headers = {**standard_headers(SECRET, "msg_1", NOW, BODY), **change}
    assert reason(STANDARD, {k: v for k, v in headers.items() if v}) == expected


def test_a_body_changed_after_signing_or_another_secret_is_a_mismatch() -> None:
    headers = standard_headers(SECRET, "msg_1", NOW, BODY)
    assert reason(STANDARD, headers, BODY.replace(b'"x"', b'"y"')) == "mismatch"
    assert reason(STANDARD, headers, BODY, OTHER) == "mismatch"


def test_timestamps_six_minutes_off_are_stale_or_future_and_five_pass() -> None:
    for minutes, expected in ((-6, "stale"), (6, "future")):
        at = NOW + timedelta(minutes=minutes)
        assert reason(STANDARD, standard_headers(SECRET, "m", at, BODY)) == expected
        assert reason(STRIPE, stripe_headers(SECRET, at, BODY)) == expected
    for minutes in (-5, 5):
        assert verify(STANDARD, standard_headers(SECRET, "m", NOW + timedelta(minutes=minutes), BODY)) == "m"


def test_bodies_are_verified_as_bytes_so_non_utf8_ones_can_be_checked() -> None:
    body = b"\xff\xfe not text"
    key = signing_key(STANDARD, SECRET)
    import hashlib
    import hmac

    signature = base64.b64encode(hmac.new(key, b"m.%d." % int(NOW.timestamp()) + body, hashlib.sha256).digest())
    headers = {
        "webhook-id": "m",
        "webhook-timestamp": str(int(NOW.timestamp())),
        "webhook-signature": f"v1,{signature.decode()}",
    }
    assert verify(STANDARD, headers, body) == "m"


GITHUB_SECRET = "a-random-token"


def test_a_github_delivery_verifies_with_its_delivery_header_as_id() -> None:
    headers = github_headers(GITHUB_SECRET, "72d3162e-cc78-11e3-81ab-4c9367dc0958", BODY)
    assert verify(GITHUB, headers, BODY, GITHUB_SECRET) == "72d3162e-cc78-11e3-81ab-4c9367dc0958"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"X-Hub-Signature-256": ""}, "missing"),
        ({"X-GitHub-Delivery": ""}, "missing"),
        ({"X-Hub-Signature-256": "sha1=abcdef"}, "malformed"),
        ({"X-Hub-Signature-256": "sha256=zz"}, "malformed"),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, "mismatch"),
    ],
)
def test_github_refusals_say_why(change: dict[str, str], expected: str) -> None:
    headers = {**github_headers(GITHUB_SECRET, "d-1", BODY), **change}
    assert reason(GITHUB, {k: v for k, v in headers.items() if v}, BODY, GITHUB_SECRET) == expected


def test_a_stripe_delivery_verifies_with_any_of_its_v1_entries_and_leaves_the_id_to_the_body() -> None:
    assert verify(STRIPE, stripe_headers(SECRET, NOW, BODY)) is None
    assert verify(STRIPE, stripe_headers(OTHER, NOW, BODY, SECRET)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "missing"),
        ("v1=" + "0" * 64, "malformed"),  # no timestamp
        ("t=1,t=2,v1=" + "0" * 64, "malformed"),
        ("t=now,v1=" + "0" * 64, "malformed"),
        (f"t={int(NOW.timestamp())},v0=abc", "malformed"),
        (f"t={int(NOW.timestamp())},v1=" + "0" * 64, "mismatch"),
    ],
)
def test_stripe_refusals_say_why(value: str, expected: str) -> None:
    headers = {"Stripe-Signature": value} if value else {}
    assert reason(STRIPE, headers) == expected
