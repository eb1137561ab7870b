"""Script calls gathered into one pipeline still answer each caller on its own, on real Redis, and
are traced each on its own, under its caller's span."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode, TraceFlags
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from adapters.shared.redis_batched_script import BatchedScript
from tests.support.instrumented import redis_instrumented  # noqa: F401  (a fixture)
from tests.support.recorded_spans import named

ECHO = """
if ARGV[1] == 'boom' then return redis.error_reply('boom: ' .. KEYS[1]) end
redis.call('INCR', KEYS[1])
return ARGV[1]
"""


async def test_each_caller_gets_its_own_reply_when_many_call_at_once(redis: Redis) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    replies = await asyncio.gather(*(script([f"mg:test:{n % 3}"], [str(n)]) for n in range(50)))
    assert [int(r) for r in replies] == list(range(50))
    assert sum([int(await redis.get(f"mg:test:{k}")) for k in range(3)]) == 50


async def test_one_failing_call_fails_alone(redis: Redis) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    outcomes = await asyncio.gather(
        script(["mg:test:a"], ["1"]),
        script(["mg:test:b"], ["boom"]),
        script(["mg:test:c"], ["3"]),
        return_exceptions=True,
    )
    assert outcomes[0] == b"1" and outcomes[2] == b"3"
    assert isinstance(outcomes[1], ResponseError) and "boom: mg:test:b" in str(outcomes[1])


async def test_calls_work_after_redis_forgets_its_scripts(redis: Redis) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    assert await script(["mg:test:a"], ["1"]) == b"1"
    await redis.script_flush()
    assert await asyncio.gather(script(["mg:test:a"], ["2"]), script(["mg:test:b"], ["3"])) == [b"2", b"3"]


async def test_a_redis_that_does_not_answer_fails_every_caller() -> None:
    nobody = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    script = BatchedScript(nobody, ECHO, "echo")
    outcomes = await asyncio.gather(script(["a"], ["1"]), script(["b"], ["2"]), return_exceptions=True)
    assert all(isinstance(o, RedisConnectionError) for o in outcomes)
    await nobody.aclose()


@pytest.mark.usefixtures("redis_instrumented")
async def test_each_caller_of_a_batch_gets_its_own_span_under_its_own_parent(
    redis: Redis, recorded_spans: list[ReadableSpan]
) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    tracer = trace.get_tracer(__name__)

    async def request(n: int) -> trace.SpanContext:
        with tracer.start_as_current_span(f"request {n}") as span:
            await script([f"mg:test:{n}"], ["boom" if n == 3 else str(n)])
            return span.get_span_context()

    callers = await asyncio.gather(request(1), request(2), request(3), return_exceptions=True)
    assert isinstance(callers[2], ResponseError)
    await script(["mg:test:alone"], ["4"])  # a call that went alone, outside any span

    calls = named(recorded_spans, "EVALSHA echo")
    assert len(calls) == 4 and {span.name for span in recorded_spans} == {
        "request 1",
        "request 2",
        "request 3",
        "EVALSHA echo",
    }  # fmt: skip  (and no span for the pipeline the calls shared)
    parents = {span.parent.span_id: span for span in calls if span.parent is not None}
    for caller in callers[:2]:
        assert isinstance(caller, trace.SpanContext)
        call = parents[caller.span_id]
        assert call.context.trace_id == caller.trace_id and call.kind is SpanKind.CLIENT
        assert dict(call.attributes or {}) == {
            "db.system.name": "redis",
            "db.operation.name": "EVALSHA",
            "db.operation.batch.size": 3,
        }
    failed = next(span for span in calls if span.status.status_code is StatusCode.ERROR)
    assert failed.attributes is not None and failed.attributes["error.type"] == "ResponseError"
    (alone,) = [span for span in calls if span.parent is None]
    assert alone.attributes is not None and "db.operation.batch.size" not in alone.attributes


@pytest.mark.usefixtures("redis_instrumented")
async def test_a_caller_that_suppressed_instrumentation_or_is_not_sampled_gets_no_span(
    redis: Redis, recorded_spans: list[ReadableSpan]
) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    with suppress_instrumentation():
        assert await script(["mg:test:a"], ["1"]) == b"1"
    unsampled = SpanContext(0x1F, 0x2F, is_remote=True, trace_flags=TraceFlags(0))
    with trace.use_span(NonRecordingSpan(unsampled)):
        assert await script(["mg:test:a"], ["2"]) == b"2"
    assert recorded_spans == []  # nor does the pipeline they went in


@pytest.mark.usefixtures("redis_instrumented")
async def test_the_calls_one_span_makes_into_one_pipeline_are_one_span(
    redis: Redis, recorded_spans: list[ReadableSpan]
) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    with trace.get_tracer(__name__).start_as_current_span("archive a batch") as archive:
        replies = await asyncio.gather(*(script([f"mg:test:{n}"], [str(n)]) for n in range(50)))
    assert replies == [str(n).encode() for n in range(50)]
    (call,) = named(recorded_spans, "EVALSHA echo")
    assert call.parent is not None and call.parent.span_id == archive.get_span_context().span_id
    assert call.attributes is not None and call.attributes["db.operation.batch.size"] == 50
