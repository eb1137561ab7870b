"""DeliverQueuedMail tells its MailOutcomes port what became of each message it tried: once per
attempt, sent, retry or given up (what mg_mail_deliveries_total counts)."""

from __future__ import annotations

from datetime import timedelta

import attrs

from application.identity.mail_delivery_ports import MailOutcome
from application.shared.mail_ports import MailMessage
from tests.support.apps import FakeWorld

VERIFY = MailMessage(to="ana@example.com", subject="Verify your email", text="Your code: secret-token-42\n")


@attrs.define
class Recorded:
    outcomes: list[MailOutcome] = attrs.Factory(list)

    def counted(self, outcome: MailOutcome) -> None:
        self.outcomes.append(outcome)


async def test_each_attempt_is_counted_once_by_its_outcome(world: FakeWorld) -> None:
    recorded = Recorded()
    deliver = attrs.evolve(world.container.identity_mail.deliver_queued_mail(), outcomes=recorded)
    async with world.identity() as uow:
        for n in range(3):
            await uow.outgoing_mail.queue(attrs.evolve(VERIFY, to=f"user{n}@example.com"))
        await uow.commit()
    world.mailbox.fail_next(1)  # the first transiently

    assert await deliver() == 3
    assert recorded.outcomes == [MailOutcome.RETRY, MailOutcome.SENT, MailOutcome.SENT]

    world.clock.advance(timedelta(hours=25))  # the retry comes due after the give-up time
    assert await deliver() == 1
    assert recorded.outcomes[3:] == [MailOutcome.GIVEN_UP]
