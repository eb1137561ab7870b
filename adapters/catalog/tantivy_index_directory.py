"""Where the catalog's Tantivy index lives: ``<root>/<generation>/`` holds one complete index and
its feed mark (``feed-mark.json``, written after each commit); ``<root>/current`` names the live
generation. A rebuild fills a new generation beside the live one and publishes it by replacing
``current`` (atomically); readers and the writer follow ``current``, and generations older than
the one before it are removed, unless a writer still holds one (another process building it:
a worker's rebuild beside ``media-gateway reindex``, or two workers starting at once)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from pathlib import Path
from uuid import UUID

import tantivy

from adapters.catalog.tantivy_catalog_schema import SCHEMA_VERSION
from application.catalog.search_index_ports import FeedMark

CURRENT = "current"
MARK = "feed-mark.json"
WRITER_LOCK = ".tantivy-writer.lock"


def _replace(path: Path, data: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(data, encoding="utf-8")
    os.replace(temporary, path)


def _started_before(one: Path, other: Path) -> bool:
    """By the start times in their names: a generation begun after this one is still being built."""
    try:
        return int(one.name.split("-")[1]) < int(other.name.split("-")[1])
    except (IndexError, ValueError):
        return True


def _remove_unless_written(generation: Path) -> None:
    """Remove a generation unless a writer holds it (Tantivy's writer lock is an flock)."""
    try:
        lock = open(generation / WRITER_LOCK, "a")  # noqa: SIM115  # held while the tree goes
    except OSError:
        shutil.rmtree(generation, ignore_errors=True)
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        shutil.rmtree(generation, ignore_errors=True)


class TantivyIndexDirectory:
    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> Path | None:
        """The live generation's directory, or None when none was ever published (or it is gone)."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        path = self.root / name
        return path if name and path.is_dir() else None

    def new_generation(self) -> Path:
        path = self.root / f"gen-{time.time_ns()}-{os.getpid()}"
        path.mkdir(parents=True)
        return path

    def publish(self, generation: Path) -> None:
        previous = self.current()
        _replace(self.root / CURRENT, generation.name)
        keep = {generation.name, previous.name if previous else ""}
        for old in self.root.glob("gen-*"):
            if old.is_dir() and old.name not in keep and _started_before(old, generation):
                _remove_unless_written(old)

    @staticmethod
    def read_mark(generation: Path, *, verify: bool = False) -> FeedMark | None:
        """The generation's mark, or None when it has none, when its index has another schema
        version than this code's (it must be rebuilt), or (with ``verify``) when it cannot be opened."""
        try:
            record = json.loads((generation / MARK).read_text(encoding="utf-8"))
            mark = FeedMark(int(record["number"]), UUID(record["content_id"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if record.get("schema") != SCHEMA_VERSION:
            return None
        if verify:
            try:
                tantivy.Index.open(str(generation))
            except ValueError:
                return None
        return mark

    @staticmethod
    def write_mark(generation: Path, mark: FeedMark) -> None:
        record = {"number": mark.number, "content_id": str(mark.content_id), "schema": SCHEMA_VERSION}
        _replace(generation / MARK, json.dumps(record))
