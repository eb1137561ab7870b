"""The worker finds every context's loops by itself."""

from __future__ import annotations

from entrypoints.worker_loops import discover_loops


def test_every_contexts_loops_are_found_once() -> None:
    names = [loop.__name__ for loop in discover_loops()]
    assert sorted(names) == [
        "archive_progress",
        "deliver_mail",
        "ingest_changes",
        "recommendations",
        "search_analytics",
        "search_index",
    ]
