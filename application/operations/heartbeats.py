"""Publishing this process's heartbeat, and withdrawing it when the process stops cleanly."""

from __future__ import annotations

from datetime import timedelta

from application.operations.heartbeat_ports import HeartbeatStore
from domain.operations.heartbeats import ProcessInstance


class PublishHeartbeat:
    """One beat: ``instance`` is alive now. Called every third of the heartbeat's TTL."""

    def __init__(self, heartbeats: HeartbeatStore, forget_after: timedelta) -> None:
        self._heartbeats = heartbeats
        self._forget_after = forget_after

    async def __call__(self, instance: ProcessInstance) -> None:
        await self._heartbeats.beat(instance, self._forget_after)


class WithdrawHeartbeat:
    """A process stopping cleanly is gone, not silent: it is no longer listed at all."""

    def __init__(self, heartbeats: HeartbeatStore) -> None:
        self._heartbeats = heartbeats

    async def __call__(self, instance: ProcessInstance) -> None:
        await self._heartbeats.withdraw(instance)
