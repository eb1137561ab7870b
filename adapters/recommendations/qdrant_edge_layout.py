"""Where the embedded index keeps its files (qdrant-index-layout.md): sealed versions, versions
being written, and each reading process's private replicas. Plain file work, run in threads."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from pathlib import Path

SEALED_MARK = "SEALED"  # inside a sealed version: its token, new at every prepare


class EdgeLayout:
    def __init__(self, root: Path) -> None:
        self.root = root

    def sealed(self, version: int) -> Path:
        return self.root / f"v{version}"

    def writing_dirs(self, version: int) -> list[Path]:
        writing = self.root / ".writing"
        return sorted(writing.glob(f"v{version}-*")) if writing.is_dir() else []

    def new_writing(self, version: int) -> Path:
        return self.root / ".writing" / f"v{version}-{secrets.token_hex(4)}"

    def seal_token(self, version: int) -> str | None:
        try:
            return (self.sealed(version) / SEALED_MARK).read_text()
        except OSError:
            return None

    def remove_version(self, version: int) -> None:
        """The sealed directory and any try at writing it. Renamed away first, so a reader that
        looks meanwhile sees the version gone, not half deleted."""
        doomed = self.root / ".dropped" / f"v{version}-{secrets.token_hex(4)}"
        doomed.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.rename(self.sealed(version), doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        for path in self.writing_dirs(version):
            shutil.rmtree(path, ignore_errors=True)

    def publish(self, writing: Path, token: str, version: int) -> None:
        """Mark the closed shards sealed and move them where readers look, in one rename."""
        mark = writing / SEALED_MARK
        with open(mark, "w") as out:
            out.write(token)
            out.flush()
            os.fsync(out.fileno())
        os.rename(writing, self.sealed(version))
        _fsync_dir(self.root)


class ReplicaHome:
    """This process's directory of replicas, ``replicas/<pid>-<token>/``, held by an exclusive
    lock for the process's life: a directory whose lock anyone can take belongs to a dead process."""

    def __init__(self, root: Path) -> None:
        self._parent = root / "replicas"
        self._lock: int | None = None
        self.path: Path | None = None

    def open(self) -> Path:
        if self.path is not None:
            return self.path
        self._parent.mkdir(parents=True, exist_ok=True)
        self._remove_dead()
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        # Locked under a hidden name first, so no cleaner ever sees it unlocked.
        hidden, path = self._parent / f".{name}", self._parent / name
        hidden.mkdir()
        fd = os.open(hidden / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(hidden, path)
        self._lock, self.path = fd, path
        return path

    def copy(self, sealed: Path, version: int) -> Path | None:
        """A private copy of the sealed version, or None if it went (dropped) meanwhile."""
        home = self.open()
        target = home / f"v{version}-{secrets.token_hex(4)}"
        try:
            shutil.copytree(sealed, target)
        except (FileNotFoundError, shutil.Error):
            shutil.rmtree(target, ignore_errors=True)
            return None
        return target

    def close(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _remove_dead(self) -> None:
        for other in self._parent.iterdir():
            if other.name.startswith("."):
                continue
            try:
                fd = os.open(other / ".lock", os.O_RDWR)
            except FileNotFoundError:  # being made this instant, or lost its lock file
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # alive
            finally:
                os.close(fd)
            shutil.rmtree(other, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
