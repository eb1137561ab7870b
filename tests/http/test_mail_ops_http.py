"""Mail operations over HTTP: /health/aggregate has a mail:queue check, and /metrics counts each
attempt the worker makes at a queued mail (mg_mail_deliveries_total) and reads the queue's
backlog at each scrape. The worker is the use
case the worker loop runs, on the same fake world (in one process, its counter is the API's)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from dependency_injector import providers
from sqlalchemy.exc import OperationalError

from tests.http.test_metrics_http import moved, scrape, value
from tests.support.accounts import from_address, register_and_sign_in
from tests.support.apps import fake_container, running

DELIVERIES = "mg_mail_deliveries_total"


async def test_the_health_aggregate_has_a_mail_queue_check_that_warns_for_stuck_mail(tmp_path: Path) -> None:
    world = fake_container(tmp_path, health_cache_seconds=0)
    async with running(world.container) as (_, client):
        body = await (await client.get("/health/aggregate", **from_address("127.0.0.1"))).get_json(force=True)
        (check,) = body["checks"]["mail:queue"]
        assert (check["status"], check["observedValue"], check["observedUnit"]) == ("pass", 0.0, "s")
        assert (check["componentType"], check["waiting"], check["givenUpLastHour"]) == ("component", 0, 0)

        await register_and_sign_in(client)  # queues the verification mail
        world.mailbox.fail_next(1000)  # the SMTP server is down
        await world.container.identity_mail.deliver_queued_mail()()
        world.clock.advance(timedelta(minutes=16))
        for _ in range(2):  # a status flips once it is seen twice in a row
            body = await (await client.get("/health/aggregate", **from_address("127.0.0.1"))).get_json(force=True)

    (check,) = body["checks"]["mail:queue"]
    assert (check["status"], check["waiting"]) == ("warn", 1)
    assert check["output"] == "1 mails wait to be sent, the oldest for 960 s (bound 900 s)"
    assert body["status"] == "warn"  # not critical: signing in with a password still works


async def test_each_attempt_at_a_queued_mail_moves_the_deliveries_counter(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    async with running(world.container) as (_, client):
        before = await scrape(client)
        await register_and_sign_in(client, "ana@example.com")
        await register_and_sign_in(client, "bo@example.com")
        world.mailbox.fail_next(1)  # the first attempt fails, to be retried
        deliver = world.container.identity_mail.deliver_queued_mail()
        assert await deliver() == 2
        world.mailbox.fail_next(1, permanent=True)
        world.clock.advance(timedelta(minutes=1))
        assert await deliver() == 1  # the retry is refused for good
        after = await scrape(client)

    assert moved(before, after, DELIVERIES, outcome="sent") == 1
    assert moved(before, after, DELIVERIES, outcome="retry") == 1
    assert moved(before, after, DELIVERIES, outcome="given_up") == 1


async def test_the_mail_backlog_is_read_at_each_scrape(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    async with running(world.container) as (_, client):
        await register_and_sign_in(client)
        world.mailbox.fail_next(1)
        await world.container.identity_mail.deliver_queued_mail()()
        world.clock.advance(timedelta(seconds=20))
        waiting = await scrape(client)
        world.clock.advance(timedelta(seconds=10))
        await world.container.identity_mail.deliver_queued_mail()()
        sent = await scrape(client)

    assert value(waiting, "mg_mail_queue_waiting") == 1
    assert value(waiting, "mg_mail_queue_oldest_waiting_age_seconds") == 20
    assert value(sent, "mg_mail_queue_waiting") == value(sent, "mg_mail_queue_oldest_waiting_age_seconds") == 0


class PostgresDown:
    async def backlog(self, *_: Any) -> Any:
        raise OperationalError("SELECT", {}, ConnectionRefusedError("Connection refused"))


async def test_a_postgres_that_does_not_answer_leaves_the_mail_backlog_out_and_the_rest_served(
    tmp_path: Path,
) -> None:
    world = fake_container(tmp_path)
    world.container.identity_mail.adapters.mail_backlog.override(providers.Object(PostgresDown()))
    async with running(world.container) as (_, client):
        samples = await scrape(client)
    names = {name for name, _ in samples}
    assert "mg_http_requests_in_flight" in names
    assert not names & {"mg_mail_queue_waiting", "mg_mail_queue_oldest_waiting_age_seconds"}
