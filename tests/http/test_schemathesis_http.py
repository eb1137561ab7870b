"""Schemathesis over the whole OpenAPI document, in-process against the app on real PostgreSQL and
Redis: every operation, valid and invalid inputs, a signed-in viewer's token. Each answer must be no
server error and exactly what the document says it can be (status, content type, body schema —
which for errors includes the problem `type` — and headers), and a signed-in operation must refuse
a request without credentials. A second, shorter run does the same with PostgreSQL and Redis
unreachable, where 503 is the one server error allowed, and must be documented.

Nothing is excluded. Fixed seed (Hypothesis derandomised), a bounded number of examples per operation; about a minute on
two cores. The sign-in, two-factor and invalid-API-key limits are raised for the app under test, as
for a load test: the fuzzer's wrong passwords, codes and keys (schemathesis sends a bad credential
to every signed-in operation) would otherwise lock it out, and every later answer would be the
(documented) 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import schemathesis
from dependency_injector import providers
from hypothesis import HealthCheck, settings
from redis.asyncio import Redis
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import shutdown_lifespans

from adapters.identity.redis_login_throttle import RedisLoginThrottle
from application.identity.log_in import LogInCommand
from application.identity.register_account import RegisterAccountCommand
from application.identity.tokens import TokenPair
from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.lifecycle import migrate_database, opened
from tests.support.accounts import PASSWORD
from tests.support.apps import real_container
from tests.support.catalog_fixtures import small_catalog
from tests.support.servers import drop_database, fresh_database_url

pytestmark = pytest.mark.integration

GENEROUS_LIMITS = {
    "login_failures_per_account": 100_000,
    "login_failures_per_account_and_ip": 100_000,
    "login_failures_per_ip": 100_000,
    "mfa_attempts_per_account": 100_000,
    "mfa_attempts_per_ip": 100_000,
    "mfa_attempts_per_ip_all_accounts": 100_000,
    "registrations_per_ip": 100_000,
    "registrations_per_minute": 100_000,
    "leaked_key_reports_per_ip": 100_000,
}


@attrs.frozen
class Seeded:
    data_dir: Path
    database_url: str
    token: str


CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
)


async def _seed(container: Container) -> TokenPair:
    """The demo data the fuzzer needs: a migrated database, a small catalog and a signed-in viewer."""
    async with opened(container):
        await migrate_database(container.settings())
        await container.catalog.import_catalog()(small_catalog())
        await container.identity.register_account()(RegisterAccountCommand(email="fuzz@example.com", password=PASSWORD))
        tokens = await container.identity.log_in()(LogInCommand(email="fuzz@example.com", password=PASSWORD))
        assert isinstance(tokens, TokenPair)
        return tokens


def _config(access_token: str, *, server_errors_expected: tuple[int, ...] = ()) -> SchemathesisConfig:
    checks: dict[str, Any] = {name: {"enabled": True} for name in CHECKS}
    if server_errors_expected:
        checks["not_a_server_error"]["expected-statuses"] = ["2xx", "3xx", "4xx", *server_errors_expected]
        # A made-up API key cannot be refused without Redis (its throttle lives there): 503 is right.
        checks["ignored_auth"]["enabled"] = False
    return SchemathesisConfig.from_dict(
        {
            "seed": 8,
            "auth": {"openapi": {"bearer": {"bearer": access_token}}},
            "generation": {"mode": "all", "with-security-parameters": False},
            "checks": {"enabled": False, **checks},
            # The event stream never ends: read what it sent for a moment, then move on. The same
            # timeout bounds the checks' probes (an unauthenticated request must be refused within
            # it): 0.3 s was once too short for one of them on a busy machine.
            "operations": [{"include-path": "/api/v1/sync/events", "request-timeout": 0.8}],
        }
    )


@pytest.fixture(scope="module")
def seeded(postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    # Its own database, so the accounts and keys the fuzzer makes never meet another test.
    database_url = fresh_database_url(postgres_url)
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    tokens = asyncio.run(_seed(real_container(data_dir, database_url, redis_url, **GENEROUS_LIMITS)))
    try:
        yield Seeded(data_dir, database_url, tokens.access_token)
    finally:
        shutdown_lifespans()
        drop_database(database_url)
        asyncio.run(_forget_redis_keys(redis_url))


async def _forget_redis_keys(redis_url: str) -> None:
    """The counters, sessions and streams the fuzzer left in the shared Redis."""
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match="mg:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(scope="module")
def fuzzed_api(seeded: Seeded, redis_url: str) -> Any:
    # The app opens its own pools on schemathesis' event loop, where it serves the requests.
    container = real_container(seeded.data_dir, seeded.database_url, redis_url, **GENEROUS_LIMITS)
    container.identity_adapters.invalid_api_key_throttle.override(
        providers.Singleton(
            RedisLoginThrottle,
            container.shared.redis,
            account_limit=100_000,
            account_ip_limit=100_000,
            ip_limit=100_000,
            window_seconds=60,
        )
    )
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(container), config=_config(seeded.token))


@pytest.fixture(scope="module")
def unreachable_api(seeded: Seeded) -> Any:
    """The same app and viewer with PostgreSQL and Redis gone: what it answers must be documented
    too, and never a 500 (the document's 503s are checked here)."""
    container = real_container(seeded.data_dir, "postgresql://nobody@127.0.0.1:1/none", "redis://127.0.0.1:1/0")
    config = _config(seeded.token, server_errors_expected=(503,))
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(container), config=config)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32's lazy schemas read and relabel `node._nodeid`, which pytest 9.2 no longer has.
    request.node._nodeid = request.node.nodeid


SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture]
schema = schemathesis.pytest.from_fixture("fuzzed_api")
schema_without_services = schemathesis.pytest.from_fixture("unreachable_api")


@schema.parametrize()
@settings(max_examples=30, derandomize=True, database=None, deadline=None, suppress_health_check=SUPPRESSED)
def test_every_operation_answers_as_its_document_says(case: Any) -> None:
    case.call_and_validate()


@schema_without_services.parametrize()
@settings(max_examples=5, derandomize=True, database=None, deadline=None, suppress_health_check=SUPPRESSED)
def test_without_its_services_every_operation_answers_as_documented(case: Any) -> None:
    case.call_and_validate()
