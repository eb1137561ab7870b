"""GET /metrics: who may read it, its format, and counters that move with the requests made.

Metrics are process-wide (prometheus-client's default registry), so each test compares a scrape
taken after its requests with one taken before."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from prometheus_client.parser import text_string_to_metric_families
from quart.typing import TestClientProtocol as Client
from redis.exceptions import ConnectionError as RedisConnectionError

from domain.operations.breakers import BreakerPolicies, BreakerPolicy
from entrypoints.http.playback import event_stream
from entrypoints.telemetry.metrics import count_dropped_spans
from entrypoints.telemetry.tracing import counted_batches
from tests.support.accounts import PASSWORD, bearer, create_key, enroll, from_address, register_and_sign_in
from tests.support.apps import FakeWorld, fake_container, running
from tests.support.catalog_fixtures import movie

DUNE = movie("Dune", year=2021)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: Client, ip: str = "127.0.0.1") -> Samples:
    response = await client.get("/metrics", **from_address(ip))
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    text = (await response.get_data()).decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def not_found_body(response: Any) -> dict[str, Any]:
    assert response.status_code == 404 and response.content_type == "application/problem+json"
    body = await response.get_json()
    del body["instance"]  # the path asked for
    if "trace_id" in body:
        body["trace_id"] = "its own"  # every request has one; the point is that both have it
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
async def test_the_host_reads_the_metrics(client: Client, ip: str) -> None:
    assert await scrape(client, ip)


@pytest.mark.parametrize("ip", ["203.0.113.7", "10.1.2.3", "::2", None])
async def test_anyone_else_gets_the_404_of_a_path_that_does_not_exist_whatever_the_method(
    client: Client, ip: str | None, recorded_spans: list[ReadableSpan]
) -> None:
    unknown = await not_found_body(await client.get("/no-such-path", **from_address(ip)))
    assert "trace_id" in unknown  # traced, as a service configured for tracing is
    for method in ("GET", "HEAD", "POST", "OPTIONS", "DELETE"):
        response = await client.open("/metrics", method=method, **from_address(ip))
        if method == "HEAD":
            assert response.status_code == 404
        else:
            assert await not_found_body(response) == unknown, method
    # Headers a client chooses do not make it local.
    spoofing = {"X-Forwarded-For": "127.0.0.1", "Remote-Addr": "127.0.0.1", "X-Real-IP": "127.0.0.1"}
    assert await not_found_body(await client.get("/metrics", headers=spoofing, **from_address(ip))) == unknown


@pytest.fixture
async def allowing_10_8(tmp_path: Path) -> AsyncIterator[Client]:
    world = fake_container(
        tmp_path, metrics_allow=(ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))
    )
    async with running(world.container) as (_, test_client):
        yield test_client


async def test_the_networks_in_mg_metrics_allow_read_them_too(allowing_10_8: Client) -> None:
    assert await scrape(allowing_10_8, "10.1.2.3") and await scrape(allowing_10_8, "fd00::5")
    assert (await allowing_10_8.get("/metrics", **from_address("11.0.0.1"))).status_code == 404
    assert await scrape(allowing_10_8, "127.0.0.1")


async def test_openmetrics_is_answered_to_a_scraper_that_asks_for_it(client: Client) -> None:
    response = await client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}, **from_address("127.0.0.1")
    )
    assert response.content_type.startswith("application/openmetrics-text")
    assert (await response.get_data()).endswith(b"# EOF\n")


async def test_the_metrics_route_is_not_in_the_openapi_document(client: Client) -> None:
    document = await (await client.get("/openapi.json")).get_json()
    assert "/metrics" not in document["paths"]


async def test_requests_are_counted_by_route_template_method_and_status_class(client: Client) -> None:
    content_id = str(uuid.uuid4())
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get(f"/api/v1/content/{content_id}")).status_code == 404
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get(f"/no/such/{content_id}")).status_code == 404
    assert (await client.open("/health/live", method="BREW")).status_code == 405
    after = await scrape(client)

    content = {"route": "/api/v1/content/{content_id}", "method": "GET", "status_class": "4xx"}
    assert moved(before, after, "mg_http_requests_total", **content) == 3
    assert moved(before, after, "mg_http_request_duration_seconds_count", **content) == 3
    assert moved(before, after, "mg_http_request_duration_seconds_bucket", **content, le="+Inf") == 3
    live = {"route": "/health/live", "method": "GET", "status_class": "2xx"}
    assert moved(before, after, "mg_http_requests_total", **live) == 1
    assert moved(before, after, "mg_http_requests_total", route="unmatched", method="GET", status_class="4xx") == 1
    assert moved(before, after, "mg_http_requests_total", route="unmatched", method="other", status_class="4xx") == 1
    assert value(after, "mg_http_requests_in_flight") >= 1  # the scrape itself
    labels = {label for _, pairs in after for _, label in pairs}
    assert not any(content_id in label for label in labels), "raw paths must never become label values"


@pytest.fixture
async def ana(client: Client, world: FakeWorld) -> dict[str, str]:
    await world.catalog.upsert_many([DUNE])
    return bearer((await register_and_sign_in(client))["access_token"])


async def record(client: Client, headers: dict[str, str], sequence: int) -> int:
    body = {"content_id": str(DUNE.id), "position_seconds": 60.0 * sequence, "device_id": "tv"}
    response = await client.post(
        "/api/v1/playback/progress", json={**body, "session_id": "tv-1", "sequence": sequence}, headers=headers
    )
    return response.status_code


async def test_progress_updates_are_counted_by_verdict_and_the_archive_lag_read_at_each_scrape(
    client: Client, world: FakeWorld, ana: dict[str, str]
) -> None:
    before = await scrape(client)
    assert [await record(client, ana, sequence) for sequence in (2, 3, 3, 1)] == [200, 200, 200, 409]
    after = await scrape(client)
    assert moved(before, after, "mg_progress_updates_total", verdict="accepted") == 2
    assert moved(before, after, "mg_progress_updates_total", verdict="duplicate") == 1
    assert moved(before, after, "mg_progress_updates_total", verdict="stale") == 1
    assert value(after, "mg_archive_pending_changes") == 2
    assert value(after, "mg_archive_oldest_pending_age_seconds") >= 0

    await world.archive_all()
    archived = await scrape(client)
    assert value(archived, "mg_archive_pending_changes") == 0
    assert value(archived, "mg_archive_oldest_pending_age_seconds") == 0


class RedisDown:
    async def backlog(self) -> Any:
        raise RedisConnectionError("Connection refused")


async def test_a_redis_that_does_not_answer_leaves_the_archive_lag_out_and_the_rest_served(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    world.container.playback_adapters.journal_backlog.override(providers.Object(RedisDown()))
    async with running(world.container) as (_, client):
        samples = await scrape(client)
    names = {name for name, _ in samples}
    assert "mg_http_requests_in_flight" in names
    assert not names & {"mg_archive_pending_changes", "mg_archive_oldest_pending_age_seconds"}


async def test_sign_ins_are_counted_by_step_and_outcome(client: Client) -> None:
    before = await scrape(client)
    await register_and_sign_in(client)
    wrong = await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": "not it at all"})
    assert wrong.status_code == 401
    after = await scrape(client)
    assert moved(before, after, "mg_sign_ins_total", step="password", outcome="success") == 1
    assert moved(before, after, "mg_sign_ins_total", step="password", outcome="invalid_credentials") == 1


async def test_a_limit_s_refusals_are_counted_by_limiter(tmp_path: Path) -> None:
    world = fake_container(tmp_path, login_failures_per_account_and_ip=1)
    async with running(world.container) as (_, client):
        before = await scrape(client)
        wrong = {"email": "nobody@example.com", "password": "not it at all"}
        statuses = [(await client.post("/api/v1/auth/login", json=wrong)).status_code for _ in range(3)]
        after = await scrape(client)
    assert statuses == [401, 429, 429]
    assert moved(before, after, "mg_rate_limit_rejections_total", limiter="sign_in") == 2
    assert moved(before, after, "mg_sign_ins_total", step="password", outcome="too_many_attempts") == 2


async def test_second_factor_checks_and_api_key_authentications_are_counted_by_outcome(client: Client) -> None:
    tokens = await register_and_sign_in(client)
    assert (await enroll(client, tokens)).status_code == 201
    created = await create_key(client, tokens, name="tv", scopes=["read"], password=PASSWORD)
    key = (await created.get_json())["key"]
    before = await scrape(client)

    wrong_code = await client.post(
        "/api/v1/auth/mfa/verify", json={"code": "000000"}, headers=bearer(tokens["access_token"])
    )
    assert wrong_code.status_code == 401
    assert (await client.get("/api/v1/me", headers={"X-API-Key": key})).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(key))).status_code == 200
    assert (await client.get("/api/v1/me", headers={"X-API-Key": key[:-4] + "AAAA"})).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(tokens["access_token"]))).status_code == 200
    after = await scrape(client)

    assert moved(before, after, "mg_second_factor_checks_total", outcome="invalid_mfa_code") == 1
    assert moved(before, after, "mg_api_key_authentications_total", outcome="success") == 2
    assert moved(before, after, "mg_api_key_authentications_total", outcome="invalid_api_key") == 1


async def test_event_stream_clients_and_the_events_they_are_sent_are_counted(
    client: Client, ana: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(event_stream, "HEARTBEAT_SECONDS", 0.05)
    before = await scrape(client)
    async with client.request("/api/v1/sync/events", headers=ana) as stream:
        assert await stream.receive() == b": connected\n\n"
        connected = await scrape(client)
        assert await record(client, ana, 1) == 200
        received = b""
        async with asyncio.timeout(5):
            while b"event: progress" not in received:
                received += await stream.receive()
            await stream.receive()  # the next frame: the event was handed on
        await stream.disconnect()
    await asyncio.sleep(0.1)  # the stream notices the client left
    after = await scrape(client)
    assert moved(before, connected, "mg_sync_connections") == 1
    assert moved(before, after, "mg_sync_connections") == 0
    assert moved(before, after, "mg_sync_events_delivered_total", kind="progress") == 1


class CollectorDown(SpanExporter):
    def export(self, spans: Any) -> SpanExportResult:
        return SpanExportResult.FAILURE


async def test_spans_the_exporter_drops_are_counted_by_reason(client: Client) -> None:
    before = await scrape(client)
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(counted_batches(CollectorDown(), count_dropped_spans))
    for _ in range(3):
        with provider.get_tracer("test").start_as_current_span("request"):
            pass
    provider.shutdown()
    after = await scrape(client)
    assert moved(before, after, "mg_trace_spans_dropped_total", reason="export_failed") == 3


async def test_breakers_calls_transitions_and_states_are_in_the_metrics(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    policies = BreakerPolicies([BreakerPolicy("github", minimum_calls=2, window_size=2), BreakerPolicy("qdrant")])
    world.container.operations.breaker_policies.override(providers.Object(policies))
    breakers = world.container.operations.circuit_breaker()

    async def failing() -> None:
        raise OSError("connection reset")

    async def fallback(_: Exception) -> None:
        return None

    async with running(world.container) as (_, client):
        before = await scrape(client)
        for _ in range(3):
            await breakers.call("github", failing, fallback=fallback)
        after = await scrape(client)
    assert moved(before, after, "mg_breaker_calls_total", breaker="github", outcome="failure") == 2
    assert moved(before, after, "mg_breaker_calls_total", breaker="github", outcome="rejected") == 1
    assert moved(before, after, "mg_breaker_calls_total", breaker="github", outcome="fallback") == 3
    transition = {"breaker": "github", "from_state": "closed", "to_state": "open"}
    assert moved(before, after, "mg_breaker_transitions_total", **transition) == 1
    assert value(after, "mg_breaker_state", breaker="github", state="open") == 1
    assert value(after, "mg_breaker_state", breaker="github", state="closed") == 0
    assert value(after, "mg_breaker_state", breaker="qdrant", state="closed") == 1
    assert value(after, "mg_breaker_failure_rate", breaker="qdrant") == 0
