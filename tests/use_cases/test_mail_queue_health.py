"""The mail:queue health check on the fake world: mail that waits too long to be sent (the SMTP
server down, our credentials refused) warns with its age and count, and so does mail given up
in the last hour; mail sent on time passes. The fake queue is fed as the real one is, by
identity units of work, and drained by the worker's use case (it dates mail from when it first
sees it, so each test lets the worker look at once; the contract dates PostgreSQL's from the
commit)."""

from __future__ import annotations

from datetime import timedelta

from adapters.identity.in_memory_mail_queue import InMemoryMailQueue
from application.operations.health_checks import MailQueueCheck
from application.shared.mail_ports import MailMessage
from domain.operations.health import HealthStatus, Observation
from entrypoints.containers.operations import MAIL_QUEUE
from tests.support.apps import FakeWorld

BOUND = timedelta(seconds=900)  # MG_MAIL_BACKLOG_WARN_SECONDS' default
VERIFY = MailMessage(to="ana@example.com", subject="Verify your email", text="Your code: secret-token-42\n")


async def queue(world: FakeWorld, *messages: MailMessage) -> None:
    async with world.identity() as uow:
        for message in messages:
            await uow.outgoing_mail.queue(message)
        await uow.commit()


async def deliver(world: FakeWorld) -> int:
    return await world.container.identity_mail.deliver_queued_mail()()


async def observe(world: FakeWorld) -> Observation:
    reader = world.container.identity_mail.adapters.mail_backlog()
    assert isinstance(reader, InMemoryMailQueue)
    (observation,) = await MailQueueCheck(MAIL_QUEUE, reader, world.clock, BOUND).observe()
    return observation


async def test_an_empty_queue_passes(world: FakeWorld) -> None:
    observation = await observe(world)

    assert (observation.healthy, observation.observed_value, observation.output) == (True, 0.0, None)
    assert observation.details == {"waiting": 0, "givenUpLastHour": 0}


async def test_mail_waiting_within_the_bound_passes_and_tells_its_age(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(3)
    for wait in (timedelta(0), timedelta(seconds=30), timedelta(minutes=2)):
        world.clock.advance(wait)
        assert await deliver(world) == 1  # each attempt fails: the mail waits for the next

    observation = await observe(world)

    assert (observation.healthy, observation.observed_value) == (True, 150.0)
    assert observation.details == {"waiting": 1, "givenUpLastHour": 0}


async def test_mail_waiting_longer_than_the_bound_warns_with_its_age_and_count(world: FakeWorld) -> None:
    await queue(world, VERIFY, MailMessage(to="bo@example.com", subject="Reset your password", text="x\n"))
    world.mailbox.fail_next(1000)  # the SMTP server is down
    await deliver(world)
    world.clock.advance(BOUND)
    assert (await observe(world)).healthy  # at the bound, not over it

    world.clock.advance(timedelta(seconds=1))
    observation = await observe(world)

    assert (observation.healthy, observation.observed_value) == (False, 901.0)
    assert observation.output == "2 mails wait to be sent, the oldest for 901 s (bound 900 s)"
    assert observation.details == {"waiting": 2, "givenUpLastHour": 0}


async def test_mail_sent_stops_waiting(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.clock.advance(BOUND * 2)
    assert await world.deliver_mail() == [VERIFY]

    observation = await observe(world)

    assert (observation.healthy, observation.observed_value) == (True, 0.0)
    assert observation.details == {"waiting": 0, "givenUpLastHour": 0}


async def test_mail_given_up_warns_for_an_hour(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(1, permanent=True)  # the recipient refused: given up at once
    await deliver(world)

    observation = await observe(world)
    assert (observation.healthy, observation.output) == (False, "1 mails given up in the last hour")
    assert observation.details == {"waiting": 0, "givenUpLastHour": 1}

    world.clock.advance(timedelta(minutes=59))
    assert not (await observe(world)).healthy
    world.clock.advance(timedelta(minutes=1, seconds=1))
    assert (await observe(world)).healthy


async def test_both_at_once_are_both_said(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(1, permanent=True)
    await deliver(world)
    await queue(world, VERIFY)
    world.mailbox.fail_next(1)
    await deliver(world)
    world.clock.advance(timedelta(minutes=20))

    observation = await observe(world)

    assert observation.output == (
        "1 mails wait to be sent, the oldest for 1200 s (bound 900 s); 1 mails given up in the last hour"
    )


async def test_the_aggregate_warns_for_stuck_mail_and_names_what_suffers(world: FakeWorld) -> None:
    await queue(world, VERIFY)
    world.mailbox.fail_next(1000)
    await deliver(world)
    world.clock.advance(BOUND + timedelta(minutes=1))

    answer = await world.container.health.aggregate_health()()

    (reading,) = [r for r in answer.report.readings if r.key == "mail:queue"]
    assert (answer.report.status, reading.status) == (HealthStatus.WARN, HealthStatus.WARN)
    assert reading.spec.affected_features == ("email-verification", "password-reset")
    assert not reading.spec.critical
