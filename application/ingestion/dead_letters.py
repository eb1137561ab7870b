"""What administrators do with the ingestion's dead letters: list and inspect them, put them back
through deduplication and processing (rate-limited), discard one. Replays and discards are
written in the administrator's security log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from application.identity.account_ports import IdentityUnitOfWorkFactory
from application.identity.principal import Principal
from application.identity.security_log import record_event
from application.ingestion.stream_ports import DeadLetter, DeadLetterFilter, IngestionStream, ReplayOutcome
from application.shared.ports import Clock, IdGenerator
from domain.identity.security_event import SecurityEventKind
from domain.ingestion.errors import DeadLetterNotFound
from domain.shared.errors import InvalidInput

MAX_LIST = 500
REPLAY_SLICES_PER_SECOND = 10  # a replay's letters go back in slices this often, to hold its rate


@frozen
class ListDeadLettersCommand:
    selection: DeadLetterFilter
    limit: int = 100


@frozen
class ListDeadLetters:
    stream: IngestionStream

    async def __call__(self, command: ListDeadLettersCommand) -> list[DeadLetter]:
        return await self.stream.dead_letters(command.selection, min(command.limit, MAX_LIST))


@frozen
class GetDeadLetter:
    stream: IngestionStream

    async def __call__(self, dead_letter_id: str) -> DeadLetter:
        letter = await self.stream.find_dead_letter(dead_letter_id)
        if letter is None:
            raise DeadLetterNotFound(f"No dead letter '{dead_letter_id}'.")
        return letter


@frozen
class ReplayDeadLettersCommand:
    """Either ``ids``, or a selection by ``platform`` and failure time (``since`` ≤ t < ``until``)."""

    principal: Principal
    ids: tuple[str, ...] | None = None
    platform: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    dry_run: bool = False
    ip: str | None = None


@frozen
class ReplayReport:
    requeued: tuple[str, ...]  # dead-letter ids put back into the stream (would be, in a dry run)
    duplicates: tuple[str, ...]  # dropped: another event carries the same delivery or change
    remaining: int  # selected but left for another request (past the per-request bound)
    dry_run: bool


async def _asleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


@frozen
class ReplayDeadLetters:
    """Put the selected dead letters back through the same deduplication and processing as new
    deliveries, at most ``per_second`` a second and ``per_second`` per request (what remains is
    reported, for the next request). A dry run changes nothing: it says which would go back (it
    cannot know duplicates without taking the keys, so it lists every selected one)."""

    stream: IngestionStream
    uow: IdentityUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    horizon: timedelta
    per_second: int = 200
    pause: Callable[[float], Awaitable[None]] = _asleep

    async def __call__(self, command: ReplayDeadLettersCommand) -> ReplayReport:
        if command.ids is not None and (command.platform or command.since or command.until):
            raise InvalidInput("Give either 'ids' or a selection (platform, since, until), not both.", field="ids")
        if command.ids is not None and not command.ids:
            raise InvalidInput("'ids' must name at least one dead letter.", field="ids")
        bound = max(self.per_second, 1)
        selected = await self._selected(command, bound + 1)
        batch, remaining = selected[:bound], max(len(selected) - bound, 0)
        if command.dry_run:
            return ReplayReport(tuple(batch), (), remaining, dry_run=True)
        async with self.uow() as uow:
            outcome = await self._replay(batch)
            await record_event(
                uow,
                self.ids,
                command.principal.user_id,
                SecurityEventKind.WEBHOOK_DEAD_LETTERS_REPLAYED,
                self.clock.now(),
                command.ip,
                {
                    "ids": list(command.ids) if command.ids is not None else None,
                    "platform": command.platform,
                    "since": command.since.isoformat() if command.since else None,
                    "until": command.until.isoformat() if command.until else None,
                    "requeued": len(outcome.requeued),
                    "duplicates": len(outcome.duplicates),
                    "remaining": remaining,
                },
            )
            await uow.commit()
        return ReplayReport(outcome.requeued, outcome.duplicates, remaining, dry_run=False)

    async def _selected(self, command: ReplayDeadLettersCommand, limit: int) -> list[str]:
        if command.ids is not None:
            return [i for i in dict.fromkeys(command.ids) if await self.stream.find_dead_letter(i)]
        selection = DeadLetterFilter(platform=command.platform, since=command.since, until=command.until)
        return [letter.id for letter in await self.stream.dead_letters(selection, limit)]

    async def _replay(self, ids: Sequence[str]) -> ReplayOutcome:
        size = max(self.per_second // REPLAY_SLICES_PER_SECOND, 1)
        requeued: list[str] = []
        duplicates: list[str] = []
        for start in range(0, len(ids), size):
            if start:
                await self.pause(size / self.per_second)
            outcome = await self.stream.replay(ids[start : start + size], self.horizon)
            requeued += outcome.requeued
            duplicates += outcome.duplicates
        return ReplayOutcome(tuple(requeued), tuple(duplicates))


@frozen
class DiscardDeadLetterCommand:
    principal: Principal
    dead_letter_id: str
    ip: str | None = None


@frozen
class DiscardDeadLetter:
    stream: IngestionStream
    uow: IdentityUnitOfWorkFactory
    clock: Clock
    ids: IdGenerator

    async def __call__(self, command: DiscardDeadLetterCommand) -> DeadLetter:
        async with self.uow() as uow:
            letter = await self.stream.discard(command.dead_letter_id)
            if letter is None:
                raise DeadLetterNotFound(f"No dead letter '{command.dead_letter_id}'.")
            await record_event(
                uow,
                self.ids,
                command.principal.user_id,
                SecurityEventKind.WEBHOOK_DEAD_LETTER_DISCARDED,
                self.clock.now(),
                command.ip,
                {"dead_letter_id": letter.id, "event_id": letter.entry.event_id, "platform": letter.entry.platform},
            )
            await uow.commit()
        return letter
