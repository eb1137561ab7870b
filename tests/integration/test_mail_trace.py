"""The worker's mail loop on the real database, traced: a batch it sends is a span with its
statements under it; looking for mail (every second, mostly finding none) is not traced."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.identity.aes_gcm_secret_box import AesGcmSecretBox
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.identity.postgres_mail_queue import PostgresMailQueue
from adapters.shared.in_memory_mailer import InMemoryMailer
from adapters.shared.opentelemetry_work_tracing import OpenTelemetryWorkTracing
from adapters.shared.system import SystemClock
from application.identity.deliver_queued_mail import DeliverQueuedMail
from application.shared.mail_ports import MailMessage
from entrypoints.worker_loops.identity import deliver_batch
from tests.support.instrumented import traced_engine
from tests.support.recorded_spans import named

pytestmark = pytest.mark.integration


def is_database(span: ReadableSpan) -> bool:
    attributes = span.attributes or {}
    return "postgresql" in (attributes.get("db.system"), attributes.get("db.system.name"))


async def test_a_sent_batch_is_one_span_and_an_empty_poll_none(
    engine: AsyncEngine, postgres_url: str, recorded_spans: list[ReadableSpan]
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE mail_queue"))
    box, mailer = AesGcmSecretBox(bytes(32)), InMemoryMailer()
    async with traced_engine(postgres_url) as database:
        deliver = DeliverQueuedMail(
            queue=PostgresMailQueue(database, box),
            mailer=mailer,
            clock=SystemClock(),
            tracing=OpenTelemetryWorkTracing(system="postgresql", destination="mail_queue"),
        )
        assert await deliver_batch(deliver) == 0
        assert recorded_spans == []  # an empty poll

        async with PostgresIdentityUnitOfWorkFactory(engine, box)() as uow:
            await uow.outgoing_mail.queue(MailMessage(to="ana@example.com", subject="hi", text="x"))
            await uow.commit()
        assert await deliver_batch(deliver) == 1

    (sent,) = named(recorded_spans, "deliver mail_queue")
    assert sent.parent is None
    inside = [s for s in recorded_spans if s.parent is not None and s.parent.span_id == sent.context.span_id]
    assert [s for s in inside if is_database(s)]  # marking it sent
    assert all(s in inside or s is sent for s in recorded_spans)  # the claim itself made no span
    assert len(mailer.sent) == 1
