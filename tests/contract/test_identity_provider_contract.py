"""The IdentityProvider port's contract: what every provider adapter does, the real ones against
a provider that behaves like the real one (the fakes in tests/support are real HTTP servers on
loopback) and the in-memory one the use-case, HTTP and BDD tests sign in with.

``world`` is parametrised over every kind (PROVIDER_KINDS in tests/support/identity_provider_worlds.py),
``openid_connect_world`` over the kinds with a nonce, and ``real_world`` over the real adapters only:
what only real HTTP can show (status codes, timeouts, the breaker counting calls, client spans)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from application.identity.identity_provider_ports import ProviderRefused, ProviderUnavailable
from domain.shared.errors import CircuitOpen
from tests.support.identity_provider_worlds import (
    IN_MEMORY_KINDS,
    OPENID_CONNECT_KINDS,
    PROVIDER_KINDS,
    REAL_KINDS,
    TIMEOUT_SECONDS,
    IdentityProviderWorld,
    ProviderWorld,
    in_memory_world,
    provider_world,
)


async def _world(kind: str, tmp_path: Path) -> AsyncIterator[IdentityProviderWorld]:
    if kind in IN_MEMORY_KINDS:
        yield in_memory_world(kind)
        return
    async with provider_world(kind, tmp_path) as built:
        yield built


@pytest.fixture(params=PROVIDER_KINDS)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[IdentityProviderWorld]:
    async for built in _world(request.param, tmp_path):
        yield built


@pytest.fixture(params=OPENID_CONNECT_KINDS)
async def openid_connect_world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[IdentityProviderWorld]:
    async for built in _world(request.param, tmp_path):
        yield built


@pytest.fixture(params=REAL_KINDS)
async def real_world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ProviderWorld]:
    async with provider_world(request.param, tmp_path) as built:
        yield built


@pytest.fixture
def httpx_instrumented() -> Iterator[None]:
    instrumentor = HTTPXClientInstrumentor()
    already = instrumentor.is_instrumented_by_opentelemetry
    if not already:
        instrumentor.instrument()
    yield
    if not already:
        instrumentor.uninstrument()


async def test_the_authorization_url_carries_state_pkce_callback_client_and_scopes(
    world: IdentityProviderWorld,
) -> None:
    flow = world.new_flow()

    url = urlsplit(await world.provider.authorization_url(flow.request()))
    query = {name: values[0] for name, values in parse_qs(url.query).items()}

    assert f"{url.scheme}://{url.netloc}{url.path}" == world.authorization_endpoint
    assert query["response_type"] == "code"
    assert query["client_id"] == world.client_id
    assert query["redirect_uri"] == flow.callback_url
    assert query["state"] == flow.state
    assert query["code_challenge"] == flow.challenge
    assert query["code_challenge_method"] == "S256"
    scopes = set(query["scope"].split())
    assert scopes == ({"openid", "email", "profile"} if world.provider.uses_nonce else {"read:user", "user:email"})
    assert query.get("nonce") == flow.nonce
    assert (flow.nonce is not None) is world.provider.uses_nonce
    assert "code_verifier" not in query


async def test_a_granted_code_identifies_the_person_by_a_stable_subject(world: IdentityProviderWorld) -> None:
    first = await world.identify(*await world.granted_code())
    again = await world.identify(*await world.granted_code())

    assert first.provider == world.provider.name
    assert first.subject == again.subject == world.expected_subject
    assert first.email == "ana@example.com"
    assert first.email_verified is True
    assert first.display_name == "Ana Silva"


async def test_a_replayed_code_is_refused(world: IdentityProviderWorld) -> None:
    flow, code = await world.granted_code()
    await world.identify(flow, code)

    with pytest.raises(ProviderRefused):
        await world.identify(flow, code)


async def test_a_code_that_was_never_given_is_refused(world: IdentityProviderWorld) -> None:
    with pytest.raises(ProviderRefused):
        await world.identify(world.new_flow(), "made-up-code")


async def test_a_swapped_pkce_verifier_is_refused(world: IdentityProviderWorld) -> None:
    flow, code = await world.granted_code()
    other = world.new_flow()

    with pytest.raises(ProviderRefused):
        await world.identify(flow, code, code_verifier=other.verifier)


async def test_a_code_sent_back_with_another_callback_is_refused(world: IdentityProviderWorld) -> None:
    flow, code = await world.granted_code()

    with pytest.raises(ProviderRefused):
        await world.identify(flow, code, callback_url="https://evil.example/callback")


async def test_an_expired_code_is_refused(world: IdentityProviderWorld) -> None:
    flow, code = await world.granted_code()
    world.expire_codes()

    with pytest.raises(ProviderRefused):
        await world.identify(flow, code)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_provider_failing_is_unavailable_not_refused(real_world: ProviderWorld, status: int) -> None:
    flow, code = await real_world.granted_code()
    real_world.fake.fail(status)

    with pytest.raises(ProviderUnavailable):
        await real_world.identify(flow, code)


async def test_a_provider_that_is_down_is_unavailable(world: IdentityProviderWorld) -> None:
    flow, code = await world.granted_code()
    world.go_down()

    with pytest.raises(ProviderUnavailable):
        await world.identify(flow, code)


async def test_a_slow_provider_is_unavailable_within_the_timeout(real_world: ProviderWorld) -> None:
    flow, code = await real_world.granted_code()
    real_world.fake.slow(TIMEOUT_SECONDS * 10)
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable, match="in time"):
        await real_world.identify(flow, code)

    assert time.monotonic() - started < TIMEOUT_SECONDS * 3
    real_world.fake.recover()


async def test_a_provider_failing_again_and_again_is_left_alone_by_its_breaker(real_world: ProviderWorld) -> None:
    flow, code = await real_world.granted_code()
    real_world.fake.fail(503)
    for _ in range(20):  # the window: the breaker opens once half of at least 10 calls failed
        try:
            await real_world.identify(flow, code)
        except ProviderUnavailable:
            continue
        except CircuitOpen:
            break
    else:
        pytest.fail("the breaker never opened")
    sent = len(real_world.fake.received)

    with pytest.raises(CircuitOpen):
        await real_world.identify(flow, code)

    assert len(real_world.fake.received) == sent  # refused without calling out


async def test_a_refused_code_is_an_answer_that_does_not_trip_the_breaker(world: IdentityProviderWorld) -> None:
    for _ in range(12):
        with pytest.raises(ProviderRefused):
            await world.identify(world.new_flow(), "made-up-code")

    identity = await world.identify(*await world.granted_code())

    assert identity.subject == world.expected_subject


async def test_a_sign_in_without_its_nonce_is_refused(openid_connect_world: IdentityProviderWorld) -> None:
    flow, code = await openid_connect_world.granted_code()

    with pytest.raises(ProviderRefused):
        await openid_connect_world.identify(flow, code, nonce=None)


async def test_the_nonce_must_be_this_flows(openid_connect_world: IdentityProviderWorld) -> None:
    flow, code = await openid_connect_world.granted_code()

    with pytest.raises(ProviderRefused):
        await openid_connect_world.identify(flow, code, nonce=openid_connect_world.new_flow().nonce)


async def test_a_sign_in_started_without_a_nonce_cannot_complete(openid_connect_world: IdentityProviderWorld) -> None:
    nonceless = attrs.evolve(openid_connect_world.new_flow(), nonce=None)
    flow, code = await openid_connect_world.granted_code(nonceless)

    with pytest.raises(ProviderRefused):
        await openid_connect_world.identify(flow, code, nonce=openid_connect_world.new_flow().nonce)


async def test_concurrent_sign_ins_each_get_their_own_person(world: IdentityProviderWorld) -> None:
    expected, granted = [], []
    for number in range(5):
        expected.append(world.person(number))
        granted.append(await world.granted_code())

    identities = await asyncio.gather(*(world.identify(flow, code) for flow, code in granted))

    assert [identity.subject for identity in identities] == expected


@pytest.mark.usefixtures("httpx_instrumented")
async def test_calls_to_the_provider_are_client_spans_carrying_trace_context(
    real_world: ProviderWorld, recorded_spans: list[ReadableSpan]
) -> None:
    flow, code = await real_world.granted_code()
    real_world.fake.received.clear()

    await real_world.identify(flow, code)

    token_request = next(r for r in real_world.fake.received if r.path == real_world.fake.token_path)
    traceparent = token_request.headers.get("traceparent", "")
    clients = [span for span in recorded_spans if span.kind is SpanKind.CLIENT]
    assert traceparent, "the token request carries no trace context"
    trace_id, span_id = traceparent.split("-")[1:3]
    (token_span,) = [span for span in clients if format(span.context.span_id, "016x") == span_id]
    assert format(token_span.context.trace_id, "032x") == trace_id
    assert token_span.attributes is not None
    assert token_span.attributes.get("http.request.method", token_span.attributes.get("http.method")) == "POST"
