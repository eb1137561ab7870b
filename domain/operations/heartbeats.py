"""Heartbeats: each API process and worker says, every few seconds, that it is alive. One not
heard from within the heartbeat's TTL is reported (``warn``: the service still serves), and so
is a kind of process of which none has been heard from at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from attrs import frozen

from domain.operations.health import Observation


@frozen
class ProcessInstance:
    kind: str  # "api" or "worker"
    instance_id: str
    pid: int
    host: str
    started_at: datetime


@frozen
class Beat:
    instance: ProcessInstance
    last_beat: datetime


def heartbeat_observations(
    kind: str, beats: Sequence[Beat], read_at: datetime, ttl: timedelta
) -> tuple[Observation, ...]:
    """One observation per process of ``kind`` heard from (oldest first), or one saying none was."""
    heard = sorted((b for b in beats if b.instance.kind == kind), key=lambda b: b.instance.started_at)
    if not heard:
        return (
            Observation(healthy=False, output=f"no {kind} process has sent a heartbeat in the last {_seconds(ttl)} s"),
        )
    observations = []
    for beat in heard:
        silent = max((read_at - beat.last_beat).total_seconds(), 0.0)
        healthy = silent <= ttl.total_seconds()
        observations.append(
            Observation(
                healthy=healthy,
                observed_value=round(silent, 3),
                output=None if healthy else f"not heard from for {silent:.1f} s (heartbeat TTL {_seconds(ttl)} s)",
                component_id=beat.instance.instance_id,
                details={
                    "pid": beat.instance.pid,
                    "host": beat.instance.host,
                    "started_at": beat.instance.started_at,
                    "last_beat": beat.last_beat,
                },
            )
        )
    return tuple(observations)


def _seconds(delta: timedelta) -> str:
    return f"{delta.total_seconds():g}"
