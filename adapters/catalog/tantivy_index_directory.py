"""Where the catalog's Tantivy index lives: ``<root>/<generation>/`` holds one complete index and
its feed mark (``feed-mark.json``, written after each commit); ``<root>/current`` names the live
generation. A rebuild fills a new generation beside the live one and publishes it by replacing
``current`` (atomically); readers and the writer follow ``current``, and generations older than
the one before it are removed."""

from __future__ import annotations

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


def _replace(path: Path, data: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(data, encoding="utf-8")
    os.replace(temporary, path)


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
            if old.is_dir() and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

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
