"""A Lua script whose calls from one event-loop turn travel to Redis together."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError


class BatchedScript:
    """Calls made while others are being gathered are sent as one pipeline (one write, one read),
    like ioredis' auto-pipelining: under load many requests call at once, and the per-command
    cost of the client (pool, syscalls, parsing) is paid once per batch instead of once per call.
    A lone call goes out on the next turn of the loop, so latency barely changes."""

    def __init__(self, redis: Redis, source: str) -> None:
        self._redis = redis
        self._source = source
        self._sha = hashlib.sha1(source.encode()).hexdigest()  # noqa: S324 -- Redis names scripts by SHA-1
        self._waiting: list[tuple[Sequence[str], Sequence[str], asyncio.Future[Any]]] = []

    async def __call__(self, keys: Sequence[str], args: Sequence[str]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((keys, args, future))
        if len(self._waiting) == 1:
            asyncio.get_running_loop().call_soon(self._send)
        return await future

    def _send(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._run(batch))
        task.add_done_callback(lambda t: t.exception())  # outcomes go to the callers' futures

    async def _run(self, batch: list[tuple[Sequence[str], Sequence[str], asyncio.Future[Any]]]) -> None:
        try:
            replies = await self._pipeline(batch)
            if any(isinstance(r, NoScriptError) for r in replies):  # Redis restarted or flushed its scripts
                await self._redis.script_load(self._source)
                replies = await self._pipeline(batch)
        except Exception as error:  # the connection failed: every caller hears about it
            for *_, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (*_, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _pipeline(self, batch: list[tuple[Sequence[str], Sequence[str], asyncio.Future[Any]]]) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args, _ in batch:
                pipe.evalsha(self._sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))
