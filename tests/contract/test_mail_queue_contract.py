"""One contract for the mail queue: mail queued in an identity unit of work (``uow.outgoing_mail``)
and the worker's side of it (MailQueue), in memory and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import attrs
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.aes_gcm_secret_box import AesGcmSecretBox
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.in_memory_mail_queue import InMemoryMailQueue
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.identity.postgres_mail_queue import PostgresMailQueue
from adapters.postgres.tables import mail_queue
from adapters.shared.manual_clock import ManualClock
from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.mail_queue_ports import MailQueue
from application.shared.mail_ports import MailMessage

LEASE = timedelta(minutes=5)


@attrs.frozen
class Queue:
    uow: IdentityUnitOfWorkFactory
    worker: MailQueue
    clock: ManualClock


@pytest.fixture
async def postgres_queue(engine: AsyncEngine) -> Queue:
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE mail_queue"))
    clock, box = ManualClock(), AesGcmSecretBox(b"k" * 32)
    return Queue(PostgresIdentityUnitOfWorkFactory(engine, box, clock), PostgresMailQueue(engine, box), clock)


@pytest.fixture(params=["in-memory", "postgres"])
def queue(request: pytest.FixtureRequest) -> Queue:
    if request.param == "in-memory":
        store = InMemoryIdentityStore()
        return Queue(store, InMemoryMailQueue(store), ManualClock())
    return request.getfixturevalue("postgres_queue")  # type: ignore[no-any-return]


def mail(n: int = 0, **fields: str) -> MailMessage:
    return attrs.evolve(MailMessage(to=f"user{n}@example.com", subject=f"mail {n}", text=f"token {n}\n"), **fields)


async def queue_mail(queue: Queue, *messages: MailMessage, commit: bool = True) -> None:
    async with queue.uow() as uow:
        for message in messages:
            await uow.outgoing_mail.queue(message)
        if commit:
            await uow.commit()


async def claim(queue: Queue, limit: int = 10) -> list[MailMessage]:
    return [m.message for m in await queue.worker.claim(queue.clock.now(), LEASE, limit)]


async def test_committed_mail_is_claimed_as_it_was_written(queue: Queue) -> None:
    written = mail(subject="Vérifiez votre adresse — 確認", text="Code : é-42\n", html="<p>é-42</p>")
    await queue_mail(queue, written)

    [claimed] = await queue.worker.claim(queue.clock.now(), LEASE, 10)

    assert claimed.message == written and claimed.attempt == 1


async def test_mail_of_a_unit_of_work_that_did_not_commit_is_never_sent(queue: Queue) -> None:
    await queue_mail(queue, mail(), commit=False)

    assert await claim(queue) == []


async def test_claimed_mail_is_hidden_for_the_lease_then_due_again(queue: Queue) -> None:
    await queue_mail(queue, mail())
    await claim(queue)

    queue.clock.advance(LEASE - timedelta(seconds=1))
    assert await claim(queue) == []
    queue.clock.advance(timedelta(seconds=1))
    [again] = await queue.worker.claim(queue.clock.now(), LEASE, 10)
    assert again.message == mail() and again.attempt == 2


async def test_sent_mail_is_never_claimed_again(queue: Queue) -> None:
    await queue_mail(queue, mail())
    [claimed] = await queue.worker.claim(queue.clock.now(), LEASE, 10)

    await queue.worker.mark_sent(claimed, queue.clock.now())

    queue.clock.advance(LEASE * 10)
    assert await claim(queue) == []


async def test_mail_to_retry_comes_due_at_the_time_given(queue: Queue) -> None:
    await queue_mail(queue, mail())
    [claimed] = await queue.worker.claim(queue.clock.now(), LEASE, 10)

    await queue.worker.retry_at(claimed, queue.clock.now() + timedelta(seconds=30), "451 busy")

    queue.clock.advance(timedelta(seconds=29))
    assert await claim(queue) == []
    queue.clock.advance(timedelta(seconds=1))
    assert await claim(queue) == [mail()]


async def test_mail_given_up_is_never_claimed_again(queue: Queue) -> None:
    await queue_mail(queue, mail())
    [claimed] = await queue.worker.claim(queue.clock.now(), LEASE, 10)

    await queue.worker.give_up(claimed, queue.clock.now(), "550 no such user")

    queue.clock.advance(LEASE * 10)
    assert await claim(queue) == []


async def test_a_claim_takes_at_most_its_limit_in_the_order_mail_was_queued(queue: Queue) -> None:
    for n in range(5):
        await queue_mail(queue, mail(n))
        queue.clock.advance(timedelta(seconds=1))

    assert await claim(queue, limit=3) == [mail(0), mail(1), mail(2)]
    assert await claim(queue, limit=3) == [mail(3), mail(4)]


async def test_a_claim_whose_lease_ran_out_cannot_reschedule_or_give_up_the_mail(queue: Queue) -> None:
    await queue_mail(queue, mail())
    [first] = await queue.worker.claim(queue.clock.now(), LEASE, 10)
    queue.clock.advance(LEASE)
    [second] = await queue.worker.claim(queue.clock.now(), LEASE, 10)

    await queue.worker.give_up(first, queue.clock.now(), "late")
    await queue.worker.retry_at(first, queue.clock.now(), "late")

    assert await claim(queue) == []  # still leased to the second claim, not rescheduled to now
    await queue.worker.retry_at(second, queue.clock.now(), "451 busy")
    assert await claim(queue) == [mail()]


# PostgreSQL only: concurrency and what is kept at rest.


async def test_two_workers_claiming_at_once_never_take_the_same_mail(postgres_queue: Queue) -> None:
    await queue_mail(postgres_queue, *(mail(n) for n in range(40)))
    now = postgres_queue.clock.now()

    claims = await asyncio.gather(*(postgres_queue.worker.claim(now, LEASE, 15) for _ in range(4)))

    ids = [m.id for batch in claims for m in batch]
    assert len(ids) == len(set(ids)) == 40


async def test_the_message_is_sealed_at_rest_and_wiped_once_sent(postgres_queue: Queue, engine: AsyncEngine) -> None:
    await queue_mail(postgres_queue, mail(text="secret-token-1234\n"))
    async with engine.connect() as conn:
        row = (await conn.execute(select(mail_queue))).mappings().one()
    assert b"secret-token-1234" not in bytes(row["sealed_message"]) and row["recipient"] == "user0@example.com"

    [claimed] = await postgres_queue.worker.claim(postgres_queue.clock.now(), LEASE, 10)
    await postgres_queue.worker.mark_sent(claimed, postgres_queue.clock.now())

    async with engine.connect() as conn:
        row = (await conn.execute(select(mail_queue))).mappings().one()
    assert row["sealed_message"] is None and row["key_id"] is None
    assert row["sent_at"] == postgres_queue.clock.now() and row["attempts"] == 1


async def test_a_sealed_message_moved_to_another_row_does_not_open_and_is_given_up(
    postgres_queue: Queue, engine: AsyncEngine
) -> None:
    await queue_mail(postgres_queue, mail(0), mail(1))
    async with engine.begin() as conn:
        first, second = (await conn.execute(select(mail_queue).order_by(mail_queue.c.recipient))).mappings().all()
        await conn.execute(
            update(mail_queue).where(mail_queue.c.id == second["id"]).values(sealed_message=first["sealed_message"])
        )

    assert await claim(postgres_queue) == [mail(0)]
    async with engine.connect() as conn:
        failed = (await conn.execute(select(mail_queue).where(mail_queue.c.id == second["id"]))).mappings().one()
    assert failed["failed_at"] is not None and failed["sealed_message"] is None
