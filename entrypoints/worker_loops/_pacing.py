"""What every loop shares: how long to wait after a failure, and a wait that ends early on stop."""

from __future__ import annotations

import asyncio
import contextlib

RETRY_SECONDS = 1.0


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less if the worker is told to stop meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
