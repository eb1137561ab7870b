"""One contract for the mail queue's backlog (MailBacklogReader), in memory and on PostgreSQL:
what waits to be sent, since when, and what was given up lately. Mail gets in as it does in
production, through an identity unit of work, and out through the worker's MailQueue."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.aes_gcm_secret_box import AesGcmSecretBox
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.in_memory_mail_queue import InMemoryMailQueue
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.identity.postgres_mail_backlog import PostgresMailBacklogReader
from adapters.identity.postgres_mail_queue import PostgresMailQueue
from adapters.shared.manual_clock import ManualClock
from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.mail_backlog_ports import MailBacklog, MailBacklogReader
from application.identity.mail_queue_ports import MailQueue, QueuedMail
from application.shared.mail_ports import MailMessage

LEASE = timedelta(minutes=5)
HOUR = timedelta(hours=1)


@attrs.frozen
class Queue:
    uow: IdentityUnitOfWorkFactory
    worker: MailQueue
    reader: MailBacklogReader
    clock: ManualClock


@pytest.fixture
async def postgres_queue(engine: AsyncEngine) -> Queue:
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE mail_queue"))
    clock, box = ManualClock(), AesGcmSecretBox(b"k" * 32)
    return Queue(
        PostgresIdentityUnitOfWorkFactory(engine, box, clock),
        PostgresMailQueue(engine, box),
        PostgresMailBacklogReader(engine),
        clock,
    )


@pytest.fixture(params=["in-memory", "postgres"])
def queue(request: pytest.FixtureRequest) -> Queue:
    if request.param == "in-memory":
        store = InMemoryIdentityStore()
        in_memory = InMemoryMailQueue(store)
        return Queue(store, in_memory, in_memory, ManualClock())
    return request.getfixturevalue("postgres_queue")  # type: ignore[no-any-return]


def mail(n: int = 0) -> MailMessage:
    return MailMessage(to=f"user{n}@example.com", subject=f"mail {n}", text=f"token {n}\n")


async def queue_mail(queue: Queue, *messages: MailMessage) -> None:
    async with queue.uow() as uow:
        for message in messages:
            await uow.outgoing_mail.queue(message)
        await uow.commit()


async def claim(queue: Queue) -> list[QueuedMail]:
    return await queue.worker.claim(queue.clock.now(), LEASE, 10)


async def backlog(queue: Queue) -> MailBacklog:
    now = queue.clock.now()
    return await queue.reader.backlog(now, now - HOUR)


async def test_an_empty_queue_has_no_backlog(queue: Queue) -> None:
    assert await backlog(queue) == MailBacklog(waiting=0, oldest_age_seconds=0.0, given_up=0)


async def test_mail_claimed_or_retrying_waits_from_when_it_was_queued(queue: Queue) -> None:
    await queue_mail(queue, mail(0))
    [first] = await claim(queue)
    queue.clock.advance(timedelta(seconds=40))
    await queue_mail(queue, mail(1))
    await queue.worker.retry_at(first, queue.clock.now() + timedelta(minutes=10), "451 busy")
    await claim(queue)  # the second is leased now
    queue.clock.advance(timedelta(seconds=20))

    assert await backlog(queue) == MailBacklog(waiting=2, oldest_age_seconds=60.0, given_up=0)


async def test_mail_sent_no_longer_waits(queue: Queue) -> None:
    await queue_mail(queue, mail(0), mail(1))
    first, second = await claim(queue)
    queue.clock.advance(timedelta(seconds=30))
    await queue.worker.mark_sent(first, queue.clock.now())
    await queue.worker.retry_at(second, queue.clock.now(), "451 busy")
    queue.clock.advance(timedelta(seconds=5))

    assert await backlog(queue) == MailBacklog(waiting=1, oldest_age_seconds=35.0, given_up=0)

    [again] = await claim(queue)
    await queue.worker.mark_sent(again, queue.clock.now())
    assert await backlog(queue) == MailBacklog(waiting=0, oldest_age_seconds=0.0, given_up=0)


async def test_mail_given_up_is_counted_since_the_time_asked_about(queue: Queue) -> None:
    await queue_mail(queue, mail(0), mail(1))
    first, second = await claim(queue)
    await queue.worker.give_up(first, queue.clock.now(), "550 no such user")
    queue.clock.advance(timedelta(minutes=30))
    await queue.worker.give_up(second, queue.clock.now(), "550 no such user")

    assert await backlog(queue) == MailBacklog(waiting=0, oldest_age_seconds=0.0, given_up=2)
    queue.clock.advance(timedelta(minutes=30))
    assert (await backlog(queue)).given_up == 2  # the first given up exactly an hour ago
    queue.clock.advance(timedelta(seconds=1))
    assert (await backlog(queue)).given_up == 1
    queue.clock.advance(timedelta(minutes=30))
    assert (await backlog(queue)).given_up == 0


# PostgreSQL only: mail is dated when its unit of work commits, not when a worker first sees it.


async def test_mail_no_worker_has_claimed_waits_from_its_commit(postgres_queue: Queue) -> None:
    await queue_mail(postgres_queue, mail(0))
    postgres_queue.clock.advance(timedelta(minutes=20))

    assert await backlog(postgres_queue) == MailBacklog(waiting=1, oldest_age_seconds=1200.0, given_up=0)


async def test_the_backlogs_filters_are_answered_from_the_partial_indexes_not_the_sent_mail(
    postgres_queue: Queue, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in await conn.execute(
                text(
                    "EXPLAIN SELECT count(*), min(queued_at) FROM mail_queue"
                    " WHERE sent_at IS NULL AND failed_at IS NULL"
                    " UNION ALL SELECT count(*), NULL FROM mail_queue"
                    " WHERE failed_at IS NOT NULL AND failed_at >= now()"
                )
            )
        )

    assert "mail_queue_due_idx" in plan and "mail_queue_failed_idx" in plan
