"""A Lua script whose calls from one event-loop turn travel to Redis together."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from opentelemetry import trace
from opentelemetry.instrumentation.utils import is_instrumentation_enabled, suppress_instrumentation
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from redis.asyncio import Redis
from redis.exceptions import NoScriptError

_tracer = trace.get_tracer(__name__)
_ATTRIBUTES = {"db.system.name": "redis", "db.operation.name": "EVALSHA"}
_Call = tuple[Sequence[str], Sequence[str], "asyncio.Future[Any]", Span | None]


class BatchedScript:
    """Calls made while others are being gathered are sent as one pipeline (one write, one read),
    like ioredis' auto-pipelining: under load many requests call at once, and the per-command
    cost of the client (pool, syscalls, parsing) is paid once per batch instead of once per call.
    A lone call goes out on the next turn of the loop, so latency barely changes.

    Traced, the calls a span makes into one pipeline are one CLIENT span (``EVALSHA <name>``)
    under it, from the first call to the reply: each request gets its own, and the worker
    settling 500 titles in one gather gets one, not 500. The pipeline itself runs with
    instrumentation suppressed: the Redis instrumentation would make it one span under whichever
    caller happened to come first."""

    def __init__(self, redis: Redis, source: str, name: str) -> None:
        """``name`` names the script in its spans."""
        self._redis = redis
        self._source = source
        self._sha = hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 -- Redis names scripts by SHA-1
        self._span_name = f"EVALSHA {name}"
        self._waiting: list[_Call] = []
        self._spans: dict[int, Span | None] = {}  # by the caller's span id, for the pipeline being gathered

    async def __call__(self, keys: Sequence[str], args: Sequence[str]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((keys, args, future, self._span()))
        if len(self._waiting) == 1:
            asyncio.get_running_loop().call_soon(self._send)
        return await future

    def _span(self) -> Span | None:
        """The span this call belongs to, or None when nothing would record it (tracing off, not
        sampled, or instrumentation suppressed by the caller): the hot path then pays for none."""
        if not is_instrumentation_enabled():
            return None
        caller = trace.get_current_span().get_span_context().span_id
        if caller in self._spans:
            return self._spans[caller]
        span: Span | None = _tracer.start_span(self._span_name, kind=SpanKind.CLIENT, attributes=_ATTRIBUTES)
        if span is not None and not span.is_recording():
            span = None
        self._spans[caller] = span
        return span

    def _send(self) -> None:
        batch, self._waiting, self._spans = self._waiting, [], {}
        task = asyncio.ensure_future(self._run(batch))
        task.add_done_callback(lambda t: t.exception())  # outcomes go to the callers' futures

    async def _run(self, batch: list[_Call]) -> None:
        spans = {id(span): span for *_, span in batch if span is not None}
        try:
            await self._answer(batch, traced=bool(spans))
        finally:
            for span in spans.values():
                if len(batch) > 1:  # the conventions leave the size off a call that went alone
                    span.set_attribute("db.operation.batch.size", len(batch))
                span.end()

    async def _answer(self, batch: list[_Call], *, traced: bool) -> None:
        # With no caller traced (tracing off, the common case, or not sampled) the pipeline needs
        # no suppressing: in the first caller's context the instrumentation decides the same.
        try:
            with suppress_instrumentation() if traced else nullcontext():
                replies = await self._pipeline(batch)
                if any(isinstance(r, NoScriptError) for r in replies):  # Redis restarted or flushed its scripts
                    await self._redis.script_load(self._source)
                    replies = await self._pipeline(batch)
        except Exception as error:  # the connection failed: every caller hears about it
            replies = [error] * len(batch)
        for (_, _, future, span), reply in zip(batch, replies, strict=True):
            if isinstance(reply, Exception) and span is not None:
                span.set_status(Status(StatusCode.ERROR, str(reply)))
                span.set_attribute("error.type", type(reply).__qualname__)
            if future.done():
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _pipeline(self, batch: list[_Call]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args, _, _ in batch:
                pipe.evalsha(self._sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))
