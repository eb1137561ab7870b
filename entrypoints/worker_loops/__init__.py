"""The worker's loops, one module per context, each exposing ``LOOPS``: a tuple of
``async def (container, stop) -> None`` that run until ``stop`` is set. A new context's loops are
found here; nothing lists them by hand. Modules whose name starts with ``_`` are helpers."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entrypoints.container import Container

WorkerLoop = Callable[["Container", asyncio.Event], Awaitable[None]]


def discover_loops() -> list[WorkerLoop]:
    loops: list[WorkerLoop] = []
    for found in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
        if found.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{found.name}")
        declared = getattr(module, "LOOPS", None)
        if not isinstance(declared, tuple) or not all(callable(loop) for loop in declared):
            raise TypeError(f"{module.__name__} is a context's worker loops: it must expose a LOOPS tuple")
        loops.extend(declared)
    return loops
