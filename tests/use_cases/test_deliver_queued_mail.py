"""DeliverQueuedMail on the fake world: mail queued in an identity unit of work reaches the
mailer only through the worker, is retried with growing waits, and is never lost."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from adapters.identity.in_memory_mail_queue import InMemoryMailQueue
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from application.shared.mail_ports import MailMessage
from tests.support.apps import FakeWorld

VERIFY = MailMessage(to="ana@example.com", subject="Verify your email", text="Your code: secret-token-42\n")


async def queue(world: FakeWorld, *messages: MailMessage) -> None:
    async with world.identity() as uow:
        for message in messages:
            await uow.outgoing_mail.queue(message)
        await uow.commit()


def mail_queue(world: FakeWorld) -> InMemoryMailQueue:
    found = world.container.identity_mail.adapters.mail_queue()
    assert isinstance(found, InMemoryMailQueue)
    return found


async def deliver(world: FakeWorld) -> int:
    return await world.container.identity_mail.deliver_queued_mail()()


async def test_queued_mail_is_sent_by_the_worker_once_not_when_queued(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    assert world.mailbox.sent == []

    assert await world.deliver_mail() == [VERIFY]
    world.clock.advance(timedelta(days=2))
    assert await world.deliver_mail() == [VERIFY]


async def test_a_transient_failure_is_retried_after_30_s_2_min_10_min_then_1_h(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(4)
    assert await deliver(world) == 1  # attempt 1 fails

    for wait in (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1)):
        world.clock.advance(wait - timedelta(seconds=1))
        assert await deliver(world) == 0, f"retried before {wait}"
        world.clock.advance(timedelta(seconds=1))
        assert await deliver(world) == 1

    assert world.mailbox.sent == [VERIFY]
    [entry] = mail_queue(world).entries.values()
    assert entry.attempts == 5 and entry.sent_at == world.clock.now()


async def test_mail_that_keeps_failing_is_retried_hourly_and_given_up_within_a_day(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(1000)
    start = world.clock.now()

    attempts = 0
    while world.clock.now() - start < timedelta(days=2):
        attempts += await deliver(world)
        world.clock.advance(timedelta(minutes=1))

    [entry] = mail_queue(world).entries.values()
    assert world.mailbox.sent == []
    assert entry.failed_at is not None and entry.failed_at - start <= timedelta(hours=24)
    assert entry.failed_at - start > timedelta(hours=22)  # it did keep trying for most of a day
    assert attempts == entry.attempts and 20 < attempts < 30


async def test_a_permanent_failure_is_given_up_at_once(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(1, permanent=True)

    assert await deliver(world) == 1
    world.clock.advance(timedelta(days=1))

    assert await deliver(world) == 0
    [entry] = mail_queue(world).entries.values()
    assert entry.failed_at is not None and entry.attempts == 1 and world.mailbox.sent == []


async def test_mail_claimed_by_a_worker_that_died_is_sent_when_its_lease_runs_out(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    deliverer = world.container.identity_mail.deliver_queued_mail()
    await mail_queue(world).claim(world.clock.now(), deliverer.lease, 10)  # ... and the process is killed

    world.clock.advance(deliverer.lease - timedelta(seconds=1))
    assert await world.deliver_mail() == []
    world.clock.advance(timedelta(seconds=1))
    assert await world.deliver_mail() == [VERIFY]


async def test_one_failing_message_does_not_hold_back_the_rest_of_the_batch(world: FakeWorld) -> None:
    others = [MailMessage(to=f"user{n}@example.com", subject="hi", text="x") for n in range(3)]
    await queue(world, VERIFY, *others)
    world.mailbox.fail_next(1)

    assert await world.deliver_mail() == others


async def test_a_mailer_that_raises_something_unexpected_gets_the_mail_retried(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    mailbox = world.mailbox
    real_send = mailbox.send

    async def broken(message: MailMessage) -> None:
        raise RuntimeError("a bug")

    mailbox.send = broken  # type: ignore[method-assign]
    assert await deliver(world) == 1
    mailbox.send = real_send  # type: ignore[method-assign]

    world.clock.advance(timedelta(seconds=30))
    assert await world.deliver_mail() == [VERIFY]


async def test_a_batch_larger_than_the_batch_size_is_sent_over_several_claims(world: FakeWorld) -> None:
    batch_size = world.container.identity_mail.deliver_queued_mail().batch_size
    messages = [MailMessage(to=f"user{n}@example.com", subject=f"mail {n}", text="x") for n in range(batch_size + 5)]
    await queue(world, *messages)

    assert await deliver(world) == batch_size
    assert await deliver(world) == 5
    assert world.mailbox.sent == messages


async def test_sending_a_batch_is_traced_and_looking_for_one_is_not(world: FakeWorld) -> None:
    tracing = world.container.identity_mail.adapters.tracing()
    assert isinstance(tracing, InMemoryWorkTracing)

    await deliver(world)
    assert tracing.work == []

    await queue(world, VERIFY, VERIFY)
    await deliver(world)
    [work] = tracing.work
    assert work.name == "deliver" and len(work.carriers) == 2


async def test_what_a_message_says_is_never_logged(world: FakeWorld, caplog: pytest.LogCaptureFixture) -> None:
    await queue(world, VERIFY, VERIFY)
    world.mailbox.fail_next(1)
    await deliver(world)  # one retried, one sent
    world.mailbox.fail_next(1, permanent=True)
    world.clock.advance(timedelta(seconds=30))
    with caplog.at_level(logging.DEBUG):
        await deliver(world)  # given up

    logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "mail given up" in logged
    assert "secret-token-42" not in logged and "Verify your email" not in logged
