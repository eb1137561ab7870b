"""The security event repository's contract: the in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from application.identity.account_ports import IdentityUnitOfWorkFactory
from domain.identity.security_event import SecurityEvent, SecurityEventKind
from domain.identity.user import User
from tests.support.identity_fixtures import a_user

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def an_event(
    user: User,
    minutes_after: int,
    kind: SecurityEventKind = SecurityEventKind.MFA_ENROLLED,
    **details: str,
) -> SecurityEvent:
    return SecurityEvent(
        id=uuid.uuid4(),
        user_id=user.id,
        kind=kind,
        occurred_at=NOW + timedelta(minutes=minutes_after),
        ip="198.51.100.7",
        details=dict(details),
    )


async def given(
    identity_uow: IdentityUnitOfWorkFactory, users: tuple[User, ...], events: tuple[SecurityEvent, ...] = ()
) -> None:
    async with identity_uow() as uow:
        for user in users:
            await uow.users.add(user)
        for event in events:
            await uow.security_events.add(event)
        await uow.commit()


async def test_a_users_events_are_listed_newest_first(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    enrolled = an_event(user, 0, SecurityEventKind.MFA_ENROLLED)
    used = an_event(user, 20, SecurityEventKind.BACKUP_CODE_USED)
    created = an_event(user, 10, SecurityEventKind.API_KEY_CREATED)
    await given(identity_uow, (user,), events=(enrolled, used, created))
    async with identity_uow() as uow:
        page = await uow.security_events.list_for_user(user.id, limit=10, offset=0)
    assert page.items == (used, created, enrolled)
    assert page.total == 3


async def test_events_are_paged_with_the_total_of_all_the_users_events(
    identity_uow: IdentityUnitOfWorkFactory,
) -> None:
    user = a_user()
    events = tuple(an_event(user, minutes) for minutes in range(7))
    newest_first = list(reversed(events))
    await given(identity_uow, (user,), events=events)
    async with identity_uow() as uow:
        pages = [await uow.security_events.list_for_user(user.id, limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [page.total for page in pages] == [7, 7, 7, 7]
    assert [list(page.items) for page in pages] == [newest_first[0:3], newest_first[3:6], newest_first[6:7], []]


async def test_only_the_users_own_events_are_listed_and_counted(identity_uow: IdentityUnitOfWorkFactory) -> None:
    ana, bruno, carla = a_user("ana@example.com"), a_user("bruno@example.com"), a_user("carla@example.com")
    anas = (an_event(ana, 1), an_event(ana, 2))
    brunos = (an_event(bruno, 3),)
    await given(identity_uow, (ana, bruno, carla), events=anas + brunos)
    async with identity_uow() as uow:
        for_ana = await uow.security_events.list_for_user(ana.id, limit=10, offset=0)
        for_bruno = await uow.security_events.list_for_user(bruno.id, limit=10, offset=0)
        for_carla = await uow.security_events.list_for_user(carla.id, limit=10, offset=0)
    assert (for_ana.total, {e.id for e in for_ana.items}) == (2, {e.id for e in anas})
    assert (for_bruno.total, [e.id for e in for_bruno.items]) == (1, [brunos[0].id])
    assert (for_carla.total, for_carla.items) == (0, ())


async def test_event_details_kind_and_ip_round_trip(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    leaked = an_event(
        user,
        5,
        SecurityEventKind.API_KEY_LEAKED,
        key_id=str(uuid.uuid4()),
        source="github secret scanning",
        url="https://github.com/ana/repo/blob/main/.env",
        note="Ünïcödé ✓",
    )
    no_details = SecurityEvent(
        id=uuid.uuid4(), user_id=user.id, kind=SecurityEventKind.MFA_DISABLED, occurred_at=NOW, ip=None
    )
    await given(identity_uow, (user,), events=(leaked, no_details))
    async with identity_uow() as uow:
        page = await uow.security_events.list_for_user(user.id, limit=10, offset=0)
    assert page.items == (leaked, no_details)
    assert page.items[0].kind is SecurityEventKind.API_KEY_LEAKED
    assert page.items[1].details == {} and page.items[1].ip is None


async def test_events_added_without_commit_are_not_kept(identity_uow: IdentityUnitOfWorkFactory) -> None:
    user = a_user()
    await given(identity_uow, (user,))
    async with identity_uow() as uow:
        await uow.security_events.add(an_event(user, 0))
    async with identity_uow() as uow:
        page = await uow.security_events.list_for_user(user.id, limit=10, offset=0)
    assert (page.total, page.items) == (0, ())
