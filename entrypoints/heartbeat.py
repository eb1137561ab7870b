"""This process's heartbeat: published every third of the TTL until the process stops, then
withdrawn. ``serve`` and the worker both beat, as ``api`` and ``worker``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from opentelemetry.instrumentation.utils import suppress_instrumentation

from application.operations.heartbeats import PublishHeartbeat, WithdrawHeartbeat
from application.shared.ports import Clock
from domain.operations.heartbeats import ProcessInstance

if TYPE_CHECKING:
    from entrypoints.container import Container

log = logging.getLogger(__name__)
WITHDRAW_TIMEOUT_SECONDS = 1.0


def this_process(kind: str, clock: Clock) -> ProcessInstance:
    return ProcessInstance(
        kind=kind, instance_id=uuid.uuid4().hex[:12], pid=os.getpid(), host=socket.gethostname(), started_at=clock.now()
    )


async def keep_beating(
    publish: PublishHeartbeat,
    withdraw: WithdrawHeartbeat,
    instance: ProcessInstance,
    interval: float,
    stop: asyncio.Event,
) -> None:
    """Beat until ``stop`` is set, then withdraw. A beat every few seconds is no trace anyone
    wants (instrumentation suppressed); Redis being away is logged once, when it starts."""
    failing = False
    with suppress_instrumentation():
        while not stop.is_set():
            try:
                await asyncio.wait_for(publish(instance), interval)
                if failing:
                    log.info("heartbeat published again", extra={"instance": instance.instance_id})
                failing = False
            except Exception as error:
                if not failing:
                    log.warning(
                        "heartbeat not published",
                        extra={"instance": instance.instance_id, "error_type": type(error).__name__},
                    )
                failing = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
        try:
            await asyncio.wait_for(withdraw(instance), WITHDRAW_TIMEOUT_SECONDS)
        except Exception:  # the entry expires by itself; stopping must not wait on a frozen Redis
            log.warning("heartbeat not withdrawn", extra={"instance": instance.instance_id})


def beat_interval(ttl_seconds: int) -> float:
    return ttl_seconds / 3


@contextlib.asynccontextmanager
async def beating(container: Container, kind: str) -> AsyncIterator[ProcessInstance]:
    """This process beats as ``kind`` inside the block, and is withdrawn on the way out."""
    health = container.health
    instance = this_process(kind, container.shared.clock())
    stop = asyncio.Event()
    interval = beat_interval(container.settings().heartbeat_ttl_seconds)
    task = asyncio.create_task(
        keep_beating(health.publish_heartbeat(), health.withdraw_heartbeat(), instance, interval, stop)
    )
    try:
        yield instance
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, interval + WITHDRAW_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("heartbeat did not stop in time", extra={"instance": instance.instance_id})
