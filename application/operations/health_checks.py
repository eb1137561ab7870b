"""The checks the aggregate is made of, each over a small port: a dependency's response time, the
heartbeats of one kind of process, how far behind the playback archive is, and whether mail is
being sent."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta

from attrs import frozen

from application.catalog.sync_search_index import ReadSearchIndexLag
from application.identity.mail_backlog_ports import MailBacklogReader
from application.ingestion.stream_ports import IngestionStream
from application.operations.health_ports import HealthCheck, Ping
from application.operations.heartbeat_ports import HeartbeatStore
from application.playback.progress_journal_ports import JournalBacklogReader
from application.shared.ports import Clock
from domain.operations.health import CheckSpec, Observation
from domain.operations.heartbeats import heartbeat_observations


@frozen
class ResponseTimeCheck:
    """``<component>:responseTime``: how long one ping took, in milliseconds."""

    spec: CheckSpec
    ping: Ping
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        started = time.perf_counter()
        await self.ping()
        return (Observation(healthy=True, observed_value=round((time.perf_counter() - started) * 1000, 2)),)


@frozen
class HeartbeatCheck:
    """``<kind>:heartbeat``: every process of ``kind`` heard from lately, and how long ago."""

    spec: CheckSpec
    kind: str
    heartbeats: HeartbeatStore
    ttl: timedelta
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        heard = await self.heartbeats.heard()
        return heartbeat_observations(self.kind, heard.beats, heard.read_at, self.ttl)


@frozen
class ArchiveBacklogCheck:
    """``playback-archive:backlog``: how long the oldest change not archived yet has waited;
    older than ``bound``, the archive is behind (the worker is down, slow, or failing)."""

    spec: CheckSpec
    backlog: JournalBacklogReader
    bound: timedelta
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        backlog = await self.backlog.backlog()
        age = backlog.oldest_age_seconds
        healthy = age <= self.bound.total_seconds()
        return (
            Observation(
                healthy=healthy,
                observed_value=round(age, 3),
                output=None
                if healthy
                else f"{backlog.pending} changes wait for the archive, the oldest for {age:.0f} s "
                f"(bound {self.bound.total_seconds():g} s)",
                details={"pending": backlog.pending},
            ),
        )


GIVEN_UP_WINDOW = timedelta(hours=1)


@frozen
class MailQueueCheck:
    """``mail:queue``: how long the oldest mail not sent yet has waited since it was queued (due
    now or waiting for a retry); older than ``bound``, mail is stuck (the SMTP server is down or
    refuses our credentials, or no worker runs). Mail given up in the last hour warns too: it
    will never arrive, and the people waiting for it cannot sign in."""

    spec: CheckSpec
    backlog: MailBacklogReader
    clock: Clock
    bound: timedelta
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        now = self.clock.now()
        backlog = await self.backlog.backlog(now, now - GIVEN_UP_WINDOW)
        age = backlog.oldest_age_seconds
        problems = []
        if age > self.bound.total_seconds():
            problems.append(
                f"{backlog.waiting} mails wait to be sent, the oldest for {age:.0f} s "
                f"(bound {self.bound.total_seconds():g} s)"
            )
        if backlog.given_up:
            problems.append(f"{backlog.given_up} mails given up in the last hour")
        return (
            Observation(
                healthy=not problems,
                observed_value=round(age, 3),
                output="; ".join(problems) or None,
                details={"waiting": backlog.waiting, "givenUpLastHour": backlog.given_up},
            ),
        )


@frozen
class IngestionBacklogCheck:
    """``ingestion:backlog``: how long the oldest webhook delivery waiting in the stream has waited;
    older than ``bound``, the catalog is behind what platforms announced (no worker runs, or it
    cannot keep up). Dead letters warn too: an operator has to replay or discard them."""

    spec: CheckSpec
    stream: IngestionStream
    bound: timedelta
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        backlog = await self.stream.backlog()
        age = backlog.oldest_age_seconds
        problems = []
        if age > self.bound.total_seconds():
            problems.append(
                f"{backlog.waiting} webhook deliveries wait to be applied, the oldest for {age:.0f} s "
                f"(bound {self.bound.total_seconds():g} s)"
            )
        if backlog.dead_letters:
            problems.append(f"{backlog.dead_letters} webhook deliveries set aside as dead letters")
        return (
            Observation(
                healthy=not problems,
                observed_value=round(age, 3),
                output="; ".join(problems) or None,
                details={
                    "waiting": backlog.waiting,
                    "retrying": backlog.retrying,
                    "deadLetters": backlog.dead_letters,
                },
            ),
        )


@frozen
class FixedHealthChecks:
    """A source whose checks are known when the service is composed."""

    listed: tuple[HealthCheck, ...]

    def checks(self) -> Sequence[HealthCheck]:
        return self.listed


@frozen
class SearchIndexCheck:
    """``search-index:lag``: how long the oldest catalog change not in the search index has
    waited, and how many titles wait; past ``bound`` (or with no index built yet, when searches
    fall back to PostgreSQL) it warns: search answers, from older data or more slowly."""

    spec: CheckSpec
    lag: ReadSearchIndexLag
    bound: timedelta
    timeout_seconds: float | None = None

    async def observe(self) -> Sequence[Observation]:
        lag = await self.lag()
        if not lag.built:
            output = "no search index built yet: searches use PostgreSQL until the worker builds it"
            return (Observation(healthy=False, output=output, details={"built": False}),)
        healthy = lag.seconds <= self.bound.total_seconds()
        return (
            Observation(
                healthy=healthy,
                observed_value=round(lag.seconds, 3),
                output=None
                if healthy
                else f"{lag.changes} changed titles wait for the search index, the oldest for {lag.seconds:.0f} s "
                f"(bound {self.bound.total_seconds():g} s)",
                details={"built": True, "changes": lag.changes},
            ),
        )
