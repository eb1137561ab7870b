"""The TOTP factor repository's contract: the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import attrs

from application.identity.account_ports import IdentityUnitOfWork, IdentityUnitOfWorkFactory
from domain.identity.mfa import FactorStatus, TotpFactor
from domain.identity.user import User
from tests.support.identity_fixtures import a_user, committed, given, race

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


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
