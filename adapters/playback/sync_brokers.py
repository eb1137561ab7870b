"""Fan-out of progress changes to a user's devices: Redis pub/sub across processes, or in memory.
The channel and the message's fields are in ``redis-wire-format.md``."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from application.playback.sync_ports import SyncEvent
from domain.playback.progress import WatchProgress


def sync_event(kind: str, progress: WatchProgress) -> SyncEvent:
    return SyncEvent(
        kind=kind,
        user_id=progress.user_id,
        content_id=progress.content_id,
        device_id=progress.device_id,
        position_seconds=progress.position_seconds,
        progress_percent=progress.progress_percent,
        completed=progress.completed,
        server_order=progress.server_order,
        occurred_at=progress.updated_at,
    )


def _fields(event: SyncEvent) -> dict[str, Any]:
    """The message without its kind and server order."""
    return {
        "user_id": str(event.user_id),
        "content_id": str(event.content_id),
        "device_id": event.device_id,
        "position_seconds": event.position_seconds,
        "progress_percent": event.progress_percent,
        "completed": event.completed,
        "occurred_at": event.occurred_at.isoformat(),
    }


def _encode(event: SyncEvent) -> str:
    return msgspec.json.encode({"kind": event.kind, "server_order": event.server_order, **_fields(event)}).decode()


def message_tail(progress: WatchProgress) -> str:
    """The message for ``progress`` after its kind and server order, without the opening brace:
    for a writer that decides those two itself (the Redis store's script) and prepends them."""
    return msgspec.json.encode(_fields(sync_event("", progress))).decode()[1:]


def _decode(raw: bytes | str) -> SyncEvent:
    data = msgspec.json.decode(raw)
    return SyncEvent(
        kind=data["kind"],
        user_id=UUID(data["user_id"]),
        content_id=UUID(data["content_id"]),
        device_id=data["device_id"],
        position_seconds=data["position_seconds"],
        progress_percent=data["progress_percent"],
        completed=data["completed"],
        server_order=data["server_order"],
        occurred_at=datetime.fromisoformat(data["occurred_at"]),
    )


def channel(user_id: UUID) -> str:
    return f"mg:sync:user:{user_id}"


class RedisSyncBroker:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish(self, event: SyncEvent) -> None:
        await self._redis.publish(channel(event.user_id), _encode(event))

    async def subscribe(self, user_id: UUID) -> RedisSubscription:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel(user_id))  # confirmed by Redis before this returns
        except BaseException:
            await pubsub.aclose()
            raise
        return RedisSubscription(pubsub)


class RedisSubscription:
    def __init__(self, pubsub: PubSub) -> None:
        self._pubsub = pubsub

    def __aiter__(self) -> RedisSubscription:
        return self

    async def __anext__(self) -> SyncEvent:
        while True:
            message = await self._pubsub.get_message(timeout=1.0)
            if message is not None and message["type"] == "message":
                return _decode(message["data"])

    async def aclose(self) -> None:
        try:
            await self._pubsub.unsubscribe()
        finally:
            await self._pubsub.aclose()


class InMemorySyncBroker:
    def __init__(self) -> None:
        self._queues: dict[UUID, set[asyncio.Queue[SyncEvent]]] = defaultdict(set)

    async def publish(self, event: SyncEvent) -> None:
        for queue in list(self._queues[event.user_id]):
            queue.put_nowait(event)

    async def subscribe(self, user_id: UUID) -> InMemorySubscription:
        queue: asyncio.Queue[SyncEvent] = asyncio.Queue()
        self._queues[user_id].add(queue)
        return InMemorySubscription(queue, lambda: self._queues[user_id].discard(queue))


class InMemorySubscription:
    def __init__(self, queue: asyncio.Queue[SyncEvent], unsubscribe: Callable[[], None]) -> None:
        self._queue = queue
        self._unsubscribe = unsubscribe

    def __aiter__(self) -> InMemorySubscription:
        return self

    async def __anext__(self) -> SyncEvent:
        return await self._queue.get()

    async def aclose(self) -> None:
        self._unsubscribe()
