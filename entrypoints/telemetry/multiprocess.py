"""Bookkeeping for prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``).

Every process writes its values to files named by its pid. Counters and histograms of a process
that ended still count (a counter must not go down), but a ``live*`` gauge (requests in flight,
event-stream clients) must forget it: this process's files go when it exits, and a process
killed before it could clean up is forgotten when the next one starts.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path

import psutil
from prometheus_client.multiprocess import mark_process_dead

from entrypoints.telemetry.exposition import multiprocess_directory


def track_this_process() -> None:
    """At start-up of a serving process: forget the dead, and be forgotten at exit."""
    directory = multiprocess_directory()
    if directory is None:
        return
    for pid in _pids_with_live_gauges(Path(directory)):
        if not psutil.pid_exists(pid):
            mark_process_dead(pid, directory)
    atexit.register(mark_process_dead, os.getpid(), directory)


def _pids_with_live_gauges(directory: Path) -> set[int]:
    # gauge_livesum_1234.db and the like
    return {int(path.stem.rpartition("_")[2]) for path in directory.glob("gauge_live*_*.db")}
