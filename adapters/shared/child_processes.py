from __future__ import annotations

import atexit
import subprocess
from typing import Any


def stop_at_exit(process: subprocess.Popen[Any], grace_seconds: float) -> None:
    """Stop ``process`` when this one exits: SIGTERM, then SIGKILL after ``grace_seconds``.

    Exit handlers run last-registered first, so register a process after those it depends on
    (the worker after the embedded servers): it is stopped before them."""

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                process.kill()

    atexit.register(stop)
