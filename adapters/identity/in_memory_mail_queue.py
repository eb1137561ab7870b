from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import attrs

from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from application.identity.mail_backlog_ports import MailBacklog
from application.identity.mail_queue_ports import QueuedMail
from application.shared.mail_ports import MailMessage


@attrs.define
class _Entry:
    id: UUID
    message: MailMessage
    queued_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    failed_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.failed_at is None


class InMemoryMailQueue:
    """The worker's side of the in-memory identity store's ``outgoing_mail``: that list keeps
    every message committed (tests read it), and this queue takes each one it has not seen yet
    when it is next asked, as queued at that moment. It is its own MailBacklogReader."""

    def __init__(self, store: InMemoryIdentityStore) -> None:
        self._store = store
        self._seen = 0
        self.entries: dict[UUID, _Entry] = {}

    def _take_new(self, now: datetime) -> None:
        committed = self._store.state.outgoing_mail
        for message in committed[self._seen :]:
            entry = _Entry(uuid4(), message, queued_at=now, next_attempt_at=now)
            self.entries[entry.id] = entry
        self._seen = len(committed)

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[QueuedMail]:
        self._take_new(now)
        due = [e for e in self.entries.values() if e.pending and e.next_attempt_at <= now]
        due = sorted(sorted(due, key=lambda e: e.next_attempt_at)[:limit], key=lambda e: e.queued_at)
        for entry in due:
            entry.attempts += 1
            entry.next_attempt_at = now + lease
        return [QueuedMail(e.id, e.message, e.queued_at, e.attempts) for e in due]

    def _ours(self, mail: QueuedMail, *, fenced: bool = True) -> _Entry | None:
        entry = self.entries.get(mail.id)
        if entry is None or not entry.pending or (fenced and entry.attempts != mail.attempt):
            return None
        return entry

    async def mark_sent(self, mail: QueuedMail, now: datetime) -> None:
        if entry := self._ours(mail, fenced=False):
            entry.sent_at, entry.last_error = now, None

    async def retry_at(self, mail: QueuedMail, at: datetime, error: str) -> None:
        if entry := self._ours(mail):
            entry.next_attempt_at, entry.last_error = at, error

    async def give_up(self, mail: QueuedMail, now: datetime, error: str) -> None:
        if entry := self._ours(mail):
            entry.failed_at, entry.last_error = now, error

    async def backlog(self, now: datetime, given_up_since: datetime) -> MailBacklog:
        self._take_new(now)
        waiting = [e.queued_at for e in self.entries.values() if e.pending]
        given_up = sum(1 for e in self.entries.values() if e.failed_at is not None and e.failed_at >= given_up_since)
        oldest = max(0.0, (now - min(waiting)).total_seconds()) if waiting else 0.0
        return MailBacklog(waiting=len(waiting), oldest_age_seconds=oldest, given_up=given_up)
