"""The worker's mail loop body: send what the identity context queued."""

from __future__ import annotations

import logging
from datetime import timedelta

from attrs import field, frozen

from application.identity.mail_delivery_ports import MailOutcome, MailOutcomes, UncountedMailOutcomes
from application.identity.mail_queue_ports import MailQueue, QueuedMail
from application.shared.mail_ports import MailDeliveryFailed, Mailer
from application.shared.ports import Clock
from application.shared.work_tracing_ports import WorkTracing

log = logging.getLogger(__name__)

# The wait before each retry: a server that is briefly down gets the mail within a minute, one
# that is down for the night by morning; after the last, once an hour.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))


def retry_delay(attempt: int) -> timedelta:
    """The wait after failed attempt number ``attempt`` (from 1)."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


@frozen
class DeliverQueuedMail:
    """Claim a batch of due mail, send each message, record what became of it; returns how many
    were claimed. A permanent failure (a refused recipient) is given up at once; a transient one
    is retried later, with growing waits, until ``give_up_after`` from queueing. Messages are
    leased, not taken: if the process dies mid-batch, they come due again when the lease ends,
    so a message may (rarely) be sent twice but is never lost. The lease outlasts a batch of
    sends at the mailer's timeout. Sending a batch is traced; looking for one is not. Each
    message's outcome is counted in ``outcomes``."""

    queue: MailQueue
    mailer: Mailer
    clock: Clock
    tracing: WorkTracing
    batch_size: int = 20
    lease: timedelta = timedelta(minutes=15)
    give_up_after: timedelta = timedelta(hours=24)
    outcomes: MailOutcomes = field(factory=UncountedMailOutcomes)

    async def __call__(self) -> int:
        batch = await self.queue.claim(self.clock.now(), self.lease, self.batch_size)
        if batch:
            # Queued mail carries no trace context (yet): each batch is a trace of its own.
            with self.tracing.continuing("deliver", [{} for _ in batch]):
                for mail in batch:
                    await self._deliver(mail)
        return len(batch)

    async def _deliver(self, mail: QueuedMail) -> None:
        if self.clock.now() - mail.queued_at >= self.give_up_after:  # e.g. it kept killing the worker
            await self._give_up(mail, "queued too long ago")
            return
        try:
            await self.mailer.send(mail.message)
        except Exception as error:  # a mailer's bug must not hold back the rest of the batch
            failure = error if isinstance(error, MailDeliveryFailed) else MailDeliveryFailed(repr(error))
            now = self.clock.now()
            retry = now + retry_delay(mail.attempt)
            if failure.permanent or retry - mail.queued_at >= self.give_up_after:
                await self._give_up(mail, str(failure))
            else:
                log.warning(
                    "mail not delivered; retrying",
                    extra={
                        "mail_id": str(mail.id),
                        "attempt": mail.attempt,
                        "retry_at": retry.isoformat(),
                        "error": str(failure),
                    },
                )
                await self.queue.retry_at(mail, retry, str(failure))
                self.outcomes.counted(MailOutcome.RETRY)
            return
        await self.queue.mark_sent(mail, self.clock.now())
        self.outcomes.counted(MailOutcome.SENT)

    async def _give_up(self, mail: QueuedMail, reason: str) -> None:
        # Never the message itself: it may carry a sign-in token.
        log.error("mail given up", extra={"mail_id": str(mail.id), "attempts": mail.attempt, "error": reason})
        await self.queue.give_up(mail, self.clock.now(), reason)
        self.outcomes.counted(MailOutcome.GIVEN_UP)
