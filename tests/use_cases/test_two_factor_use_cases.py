"""Two-factor authentication on the fake container, driving the use cases: what is stored, what
lapses, what races, and every form a code may arrive in. The product story is features/identity/mfa.feature."""

from __future__ import annotations

import asyncio
import base64
import io
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import zxingcpp
from cryptography.exceptions import InvalidTag
from PIL import Image

from application.identity.complete_mfa_challenge import MfaSignIn
from application.identity.confirm_mfa import ConfirmMfaCommand
from application.identity.mfa_settings import FactorCommand
from domain.identity.errors import InvalidPassword
from domain.identity.mfa import InvalidMfaCode, InvalidMfaToken, MfaCodeReplayed, NoPendingEnrollment
from domain.shared.errors import TooManyAttempts
from tests.support.accounts import PASSWORD, Authenticator
from tests.support.apps import FakeWorld
from tests.use_cases.viewers import (
    challenge,
    mfa_token,
    password_step,
    security_log,
    sign_in,
    sign_up,
    start_two_factor,
    turn_on_two_factor,
)

A_MINUTE = timedelta(seconds=61)  # past the attempt guard's window


async def test_enrollment_gives_a_key_uri_and_a_qr_code_an_authenticator_can_scan(world: FakeWorld) -> None:
    enrollment = await start_two_factor(world, await sign_up(world))
    uri = urlsplit(enrollment.otpauth_uri)
    params = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Media Gateway:ana@example.com"
    assert params["secret"] == enrollment.secret and len(base64.b32decode(enrollment.secret)) == 20  # 160 bits
    assert params["issuer"] == "Media Gateway"
    assert params.get("algorithm", "SHA1") == "SHA1" and params.get("digits", "6") == "6"
    assert params.get("period", "30") == "30"
    assert enrollment.qr_png.startswith("data:image/png;base64,") and enrollment.qr_svg.startswith("<svg")
    # An independent decoder reads the QR code back to the same key URI.
    image = Image.open(io.BytesIO(base64.b64decode(enrollment.qr_png.split(",", 1)[1])))
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [enrollment.otpauth_uri]
    assert enrollment.expires_at == world.clock.now() + timedelta(minutes=10)


async def test_the_secret_is_stored_only_encrypted_and_bound_to_its_owner(world: FakeWorld) -> None:
    enrollment = await start_two_factor(world, await sign_up(world))
    (factor,) = world.identity.state.factors.values()
    assert enrollment.secret.encode() not in factor.sealed_secret
    with pytest.raises(InvalidTag):
        world.container.identity.secret_box().open(factor.key_id, factor.sealed_secret, b"mfa-totp:someone-else")
    assert (world.container.settings().mfa_key_path.stat().st_mode & 0o777) == 0o600


async def test_backup_codes_are_ten_distinct_codes_kept_only_as_hashes(world: FakeWorld) -> None:
    _, codes = await turn_on_two_factor(world, await sign_up(world))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    stored = world.identity.state.backup_codes.values()
    assert all(code.replace("-", "") not in h.code_hash for h in stored for code in codes)


async def test_an_unconfirmed_enrollment_lapses_after_ten_minutes(world: FakeWorld) -> None:
    ana = await sign_up(world)
    world.clock.advance(timedelta(seconds=1))
    enrollment = await start_two_factor(world, ana)
    world.clock.advance(timedelta(minutes=9))
    recently = await sign_in(world)  # confirming needs a recent sign-in too
    world.clock.advance(timedelta(minutes=1, seconds=1))
    phone = Authenticator(enrollment.secret, world.clock)
    with pytest.raises(NoPendingEnrollment):
        await world.container.identity.confirm_mfa()(ConfirmMfaCommand(recently.principal, phone.code()))


async def test_the_sign_in_step_completes_once(world: FakeWorld) -> None:
    phone, _ = await turn_on_two_factor(world, await sign_up(world))
    token = await mfa_token(world)
    assert (await challenge(world, token, phone.next_code())).tokens.access_token
    with pytest.raises(InvalidMfaToken):
        await challenge(world, token, phone.next_code())


async def test_the_sign_in_step_lapses_after_five_minutes(world: FakeWorld) -> None:
    phone, _ = await turn_on_two_factor(world, await sign_up(world))
    step = await password_step(world)
    assert step.expires_in == 300
    world.clock.advance(timedelta(minutes=5, seconds=1))
    with pytest.raises(InvalidMfaToken):
        await challenge(world, step.mfa_token, phone.code())


async def test_a_code_of_an_earlier_step_after_a_later_one_is_a_replay_and_logged(world: FakeWorld) -> None:
    ana = await sign_up(world)
    phone, _ = await turn_on_two_factor(world, ana)
    world.clock.advance(A_MINUTE)
    await challenge(world, await mfa_token(world), phone.code(steps_ahead=1))  # inside the ±1 step window
    with pytest.raises(MfaCodeReplayed):
        await challenge(world, await mfa_token(world), phone.code())
    assert (await security_log(world, ana)).count("mfa_replay_rejected") == 1


async def test_of_concurrent_submissions_of_one_code_exactly_one_signs_in(world: FakeWorld) -> None:
    phone, _ = await turn_on_two_factor(world, await sign_up(world))
    code = phone.next_code()
    tokens = [await mfa_token(world) for _ in range(4)]
    results = await asyncio.gather(*(challenge(world, token, code) for token in tokens), return_exceptions=True)
    assert sum(isinstance(r, MfaSignIn) for r in results) == 1
    assert sum(isinstance(r, MfaCodeReplayed) for r in results) == 3


async def test_a_clock_behind_gets_a_negative_hint_and_a_made_up_code_none(world: FakeWorld) -> None:
    phone, _ = await turn_on_two_factor(world, await sign_up(world))
    world.clock.advance(A_MINUTE)
    with pytest.raises(InvalidMfaCode) as behind:
        await challenge(world, await mfa_token(world), phone.code(steps_ahead=-5))
    assert behind.value.clock_drift_seconds == -150
    with pytest.raises(InvalidMfaCode) as made_up:
        await challenge(world, await mfa_token(world), "123456")
    assert made_up.value.clock_drift_seconds is None


async def test_guesses_sent_in_parallel_are_limited_to_five_a_minute(world: FakeWorld) -> None:
    await turn_on_two_factor(world, await sign_up(world))
    world.clock.advance(A_MINUTE)
    token = await mfa_token(world)
    guesses = (challenge(world, token, f"{n:06d}") for n in range(20))
    results = await asyncio.gather(*guesses, return_exceptions=True)
    assert sum(isinstance(r, InvalidMfaCode) for r in results) == 5
    assert sum(isinstance(r, TooManyAttempts) for r in results) == 15


async def test_successful_codes_do_not_count_against_the_attempt_guard(world: FakeWorld) -> None:
    """Only failures count: more sign-ins than the per-account limit, each with a right code,
    all go through within the minute; a wrong one after them still has its full budget."""
    _, backup_codes = await turn_on_two_factor(world, await sign_up(world))
    for code in backup_codes[:6]:
        await challenge(world, await mfa_token(world), code)
    for _ in range(5):
        with pytest.raises(InvalidMfaCode):
            await challenge(world, await mfa_token(world), "000000")
    with pytest.raises(TooManyAttempts):
        await challenge(world, await mfa_token(world), "000000")


async def test_a_backup_code_is_accepted_as_shown_in_lowercase_without_the_dash_or_with_spaces(
    world: FakeWorld,
) -> None:
    _, backup = await turn_on_two_factor(world, await sign_up(world))
    forms = [backup[9], backup[3].lower(), backup[5].replace("-", ""), f" {backup[0]} "]
    remaining = []
    for form in forms:
        world.clock.advance(A_MINUTE)
        remaining.append((await challenge(world, await mfa_token(world), form)).backup_codes_remaining)
    assert remaining == [9, 8, 7, 6]
    world.clock.advance(A_MINUTE)
    with pytest.raises(InvalidMfaCode):
        await challenge(world, await mfa_token(world), backup[9])


async def test_of_two_concurrent_uses_of_one_backup_code_one_gets_through(world: FakeWorld) -> None:
    _, backup = await turn_on_two_factor(world, await sign_up(world))
    world.clock.advance(A_MINUTE)
    first, second = await mfa_token(world), await mfa_token(world)
    results = await asyncio.gather(
        challenge(world, first, backup[2]), challenge(world, second, backup[2]), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["MfaCodeReplayed", "MfaSignIn"]


async def test_turning_two_factor_off_with_a_wrong_password_does_not_spend_the_code(world: FakeWorld) -> None:
    ana = await sign_up(world)
    phone, _ = await turn_on_two_factor(world, ana)
    code = phone.next_code()
    with pytest.raises(InvalidPassword):
        await world.container.identity.disable_mfa()(FactorCommand(ana.principal, code, password="not it at all"))
    await world.container.identity.disable_mfa()(FactorCommand(ana.principal, code, password=PASSWORD))
    assert (await world.container.identity.get_mfa_status()(ana.principal)).enabled is False
