"""One contract for the MFA repositories (TOTP factors, backup codes, login challenges):
the in-memory fakes and PostgreSQL both pass it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import attrs

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from application.identity.mfa_ports import MfaChallenge
from domain.identity.mfa import BackupCode, FactorStatus, TotpFactor
from domain.identity.user import User
from tests.support.identity_fixtures import a_user

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
CONTENDERS = 5


def a_factor(
    user: User,
    status: FactorStatus = FactorStatus.ACTIVE,
    *,
    confirmed_at: datetime | None = None,
    last_used_step: int | None = None,
    consecutive_failures: int = 0,
) -> TotpFactor:
    return TotpFactor(
        id=uuid.uuid4(),
        user_id=user.id,
        sealed_secret=b"\x00sealed-secret\xff",
        key_id="key-2026",
        status=status,
        created_at=NOW,
        confirmed_at=confirmed_at,
        last_used_step=last_used_step,
        consecutive_failures=consecutive_failures,
    )


def some_codes(user: User, count: int, label: str) -> list[BackupCode]:
    return [
        BackupCode(id=uuid.uuid4(), user_id=user.id, code_hash=f"{label}-{n}", created_at=NOW) for n in range(count)
    ]


def a_challenge(user: User, digest: str, lifetime: timedelta = timedelta(minutes=5)) -> MfaChallenge:
    return MfaChallenge(token_digest=digest, user_id=user.id, created_at=NOW, expires_at=NOW + lifetime)


async def given(identity_uow: IdentityUnitOfWorkFactory, *users: User) -> None:
    async with identity_uow() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()


async def committed(
    identity_uow: IdentityUnitOfWorkFactory, work: Callable[[IdentityUnitOfWork], Awaitable[object]]
) -> None:
    async with identity_uow() as uow:
        await work(uow)
        await uow.commit()


async def race(
    identity_uow: IdentityUnitOfWorkFactory, attempt: Callable[[IdentityUnitOfWork], Awaitable[bool]]
) -> list[bool]:
    """Run ``attempt`` in CONTENDERS units of work at once, each held open so they really overlap."""

    async def contender() -> bool:
        async with identity_uow() as uow:
            won = await attempt(uow)
            await asyncio.sleep(0.01)
            await uow.commit()
            return won

    return list(await asyncio.gather(*(contender() for _ in range(CONTENDERS))))


# --- TOTP factors ---------------------------------------------------------------------------


async def test_an_added_factor_is_read_back_with_every_field(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    factor = a_factor(user, last_used_step=1234, consecutive_failures=2)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(factor))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "active") == factor


async def test_pending_and_active_factors_are_looked_up_separately(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    pending = a_factor(user, FactorStatus.PENDING)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(pending))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "pending") == pending
        assert await uow.mfa_factors.get(user.id, "active") is None

    active = a_factor(user, FactorStatus.ACTIVE, confirmed_at=NOW)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(active))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "pending") == pending
        assert await uow.mfa_factors.get(user.id, "active") == active


async def test_another_users_factor_is_not_returned(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    await given(identity_uow, ana, bruno)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(a_factor(ana)))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(bruno.id, "active") is None


async def test_an_added_factor_that_is_not_committed_is_not_kept(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    async with identity_uow() as uow:
        await uow.mfa_factors.add(a_factor(user))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "active") is None


async def test_saving_state_persists_confirmation_failures_and_lock(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    pending = a_factor(user, FactorStatus.PENDING)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(pending))

    confirmed = attrs.evolve(
        pending,
        status=FactorStatus.ACTIVE,
        confirmed_at=NOW + timedelta(minutes=1),
        consecutive_failures=4,
        locked_until=NOW + timedelta(minutes=15),
    )
    await committed(identity_uow, lambda uow: uow.mfa_factors.save_state(confirmed))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "pending") is None
        assert await uow.mfa_factors.get(user.id, "active") == confirmed

    unlocked = attrs.evolve(confirmed, consecutive_failures=0, locked_until=None)
    await committed(identity_uow, lambda uow: uow.mfa_factors.save_state(unlocked))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "active") == unlocked


async def test_saving_state_does_not_touch_the_secret_or_the_last_accepted_step(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    factor = a_factor(user, last_used_step=50)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(factor))
    tampered = attrs.evolve(
        factor, sealed_secret=b"other", key_id="other-key", last_used_step=10, consecutive_failures=1
    )
    await committed(identity_uow, lambda uow: uow.mfa_factors.save_state(tampered))
    async with identity_uow() as uow:
        stored = await uow.mfa_factors.get(user.id, "active")
    assert stored == attrs.evolve(factor, consecutive_failures=1)


async def test_a_deleted_factor_is_gone_and_the_other_status_stays(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    pending, active = a_factor(user, FactorStatus.PENDING), a_factor(user, FactorStatus.ACTIVE)
    await given(identity_uow, user)

    async def add_both(uow: IdentityUnitOfWork) -> None:
        await uow.mfa_factors.add(pending)
        await uow.mfa_factors.add(active)

    await committed(identity_uow, add_both)
    await committed(identity_uow, lambda uow: uow.mfa_factors.delete(active.id))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.get(user.id, "active") is None
        assert await uow.mfa_factors.get(user.id, "pending") == pending


async def test_the_first_accepted_step_is_recorded(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    factor = a_factor(user)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(factor))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.advance_step(factor.id, 59_000_000) is True
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.mfa_factors.get(user.id, "active")
    assert stored is not None and stored.last_used_step == 59_000_000


async def test_a_later_step_is_accepted_but_the_same_or_an_older_one_is_refused(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    factor = a_factor(user, last_used_step=100)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(factor))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.advance_step(factor.id, 100) is False
        assert await uow.mfa_factors.advance_step(factor.id, 99) is False
        assert await uow.mfa_factors.advance_step(factor.id, 101) is True
        assert await uow.mfa_factors.advance_step(factor.id, 101) is False
        await uow.commit()
    async with identity_uow() as uow:
        stored = await uow.mfa_factors.get(user.id, "active")
    assert stored is not None and stored.last_used_step == 101


async def test_an_unknown_factor_never_advances(identity_uow: IdentityUnitOfWorkFactory) -> None:
    async with identity_uow() as uow:
        assert await uow.mfa_factors.advance_step(uuid.uuid4(), 1) is False


async def test_an_advanced_step_that_is_not_committed_is_rolled_back(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    factor = a_factor(user, last_used_step=100)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(factor))
    async with identity_uow() as uow:
        assert await uow.mfa_factors.advance_step(factor.id, 200) is True
    async with identity_uow() as uow:
        stored = await uow.mfa_factors.get(user.id, "active")
        assert stored is not None and stored.last_used_step == 100
        assert await uow.mfa_factors.advance_step(factor.id, 200) is True


async def test_concurrent_submissions_of_one_step_let_exactly_one_through(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    factor = a_factor(user, last_used_step=100)
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_factors.add(factor))

    results = await race(identity_uow, lambda uow: uow.mfa_factors.advance_step(factor.id, 101))

    assert results.count(True) == 1
    async with identity_uow() as uow:
        stored = await uow.mfa_factors.get(user.id, "active")
    assert stored is not None and stored.last_used_step == 101


# --- backup codes ---------------------------------------------------------------------------


async def test_fresh_backup_codes_are_all_unused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 10, "first")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        unused = await uow.backup_codes.unused(user.id)
    assert sorted(unused, key=lambda c: c.code_hash) == sorted(codes, key=lambda c: c.code_hash)


async def test_replacing_backup_codes_discards_the_previous_set(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    first, second = some_codes(user, 3, "first"), some_codes(user, 2, "second")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, first))
    await committed(identity_uow, lambda uow: uow.backup_codes.consume(first[0].id, NOW))
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, second))
    async with identity_uow() as uow:
        assert {c.code_hash for c in await uow.backup_codes.unused(user.id)} == {"second-0", "second-1"}
        assert await uow.backup_codes.consume(first[1].id, NOW) is False


async def test_replacing_one_users_codes_leaves_another_users_alone(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    await given(identity_uow, ana, bruno)

    async def both(uow: IdentityUnitOfWork) -> None:
        await uow.backup_codes.replace_all(ana.id, some_codes(ana, 2, "ana"))
        await uow.backup_codes.replace_all(bruno.id, some_codes(bruno, 2, "bruno"))
        await uow.backup_codes.replace_all(ana.id, [])

    await committed(identity_uow, both)
    async with identity_uow() as uow:
        assert await uow.backup_codes.unused(ana.id) == []
        assert {c.code_hash for c in await uow.backup_codes.unused(bruno.id)} == {"bruno-0", "bruno-1"}


async def test_a_used_code_is_no_longer_listed_as_unused(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 3, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[1].id, NOW) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert {c.code_hash for c in await uow.backup_codes.unused(user.id)} == {"code-0", "code-2"}


async def test_a_backup_code_is_consumed_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 2, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[0].id, NOW) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[0].id, NOW + timedelta(minutes=1)) is False
        assert await uow.backup_codes.consume(uuid.uuid4(), NOW) is False


async def test_a_consumed_code_that_is_not_committed_stays_usable(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    codes = some_codes(user, 1, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))
    async with identity_uow() as uow:
        assert await uow.backup_codes.consume(codes[0].id, NOW) is True
    async with identity_uow() as uow:
        assert [c.id for c in await uow.backup_codes.unused(user.id)] == [codes[0].id]


async def test_concurrent_uses_of_one_backup_code_let_exactly_one_through(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    codes = some_codes(user, 2, "code")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.backup_codes.replace_all(user.id, codes))

    results = await race(identity_uow, lambda uow: uow.backup_codes.consume(codes[0].id, NOW))

    assert results.count(True) == 1
    async with identity_uow() as uow:
        assert [c.id for c in await uow.backup_codes.unused(user.id)] == [codes[1].id]


async def test_deleting_all_codes_removes_them_for_that_user_only(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno = a_user("ana@example.com"), a_user("bruno@example.com")
    ana_codes = some_codes(ana, 3, "ana")
    await given(identity_uow, ana, bruno)

    async def both(uow: IdentityUnitOfWork) -> None:
        await uow.backup_codes.replace_all(ana.id, ana_codes)
        await uow.backup_codes.replace_all(bruno.id, some_codes(bruno, 2, "bruno"))

    await committed(identity_uow, both)
    await committed(identity_uow, lambda uow: uow.backup_codes.delete_all(ana.id))
    async with identity_uow() as uow:
        assert await uow.backup_codes.unused(ana.id) == []
        assert await uow.backup_codes.consume(ana_codes[0].id, NOW) is False
        assert len(await uow.backup_codes.unused(bruno.id)) == 2


# --- MFA login challenges -------------------------------------------------------------------


async def test_a_live_challenge_is_found_by_its_digest(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    challenge = a_challenge(user, "digest-1")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(challenge))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=4)) == challenge
        assert await uow.mfa_challenges.get_live("digest-unknown", NOW) is None


async def test_an_expired_challenge_is_hidden(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=5)) is None
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(hours=1)) is None


async def test_a_consumed_challenge_is_hidden(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)) is True
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=2)) is None


async def test_a_challenge_is_consumed_only_once(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)) is True
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)) is False
        await uow.commit()
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=2)) is False
        assert await uow.mfa_challenges.consume("digest-unknown", NOW) is False


async def test_an_expired_challenge_cannot_be_consumed(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=5)) is False
        assert await uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=6)) is False


async def test_a_consumed_challenge_that_is_not_committed_stays_live(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    challenge = a_challenge(user, "digest-1")
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(challenge))
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.consume("digest-1", NOW) is True
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW) == challenge


async def test_concurrent_uses_of_one_challenge_let_exactly_one_through(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    await given(identity_uow, user)
    await committed(identity_uow, lambda uow: uow.mfa_challenges.add(a_challenge(user, "digest-1")))

    results = await race(identity_uow, lambda uow: uow.mfa_challenges.consume("digest-1", NOW + timedelta(minutes=1)))

    assert results.count(True) == 1
    async with identity_uow() as uow:
        assert await uow.mfa_challenges.get_live("digest-1", NOW + timedelta(minutes=1)) is None
