"""Identity's loop: send the mail its use cases queued."""

from __future__ import annotations

import asyncio
import logging

from opentelemetry.instrumentation.utils import suppress_instrumentation

from application.identity.deliver_queued_mail import DeliverQueuedMail
from entrypoints.container import Container
from entrypoints.worker_loops._pacing import RETRY_SECONDS, pause

log = logging.getLogger(__name__)
MAIL_POLL_SECONDS = 1.0


async def deliver_batch(deliver: DeliverQueuedMail) -> int:
    """Send the next batch of queued mail. Looking for it is not traced (that would be a root
    span with a query in it every second); sending a batch is, in a span the use case opens."""
    with suppress_instrumentation():
        return await deliver()


async def deliver_mail(container: Container, stop: asyncio.Event, poll_seconds: float = MAIL_POLL_SECONDS) -> None:
    """Send queued mail: look again at once after a full batch, else after ``poll_seconds``."""
    deliver = container.identity_mail.deliver_queued_mail()
    while not stop.is_set():
        wait = poll_seconds
        try:
            claimed = await deliver_batch(deliver)
            if claimed:
                log.debug("mail delivered", extra={"messages": claimed})
            if claimed >= deliver.batch_size:
                wait = 0
        except Exception:
            # Claimed mail stays leased and comes due again; nothing queued is lost.
            log.exception("delivering mail failed; retrying")
            wait = RETRY_SECONDS
        if wait:
            await pause(stop, wait)


LOOPS = (deliver_mail,)
