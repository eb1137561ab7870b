"""pytest-bdd never awaits an async step (it would silently pass), so steps are sync and
drive the async app through one asyncio.Runner per scenario."""

from __future__ import annotations

import os

# implicit's ALS wants one BLAS thread (it warns otherwise); set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import asyncio
import inspect
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from quart.typing import TestClientProtocol

from tests.support.apps import FakeWorld, fake_container, running

T = TypeVar("T")


def pytest_bdd_before_step_call(step_func: Callable[..., Any], **_: Any) -> None:
    if inspect.iscoroutinefunction(step_func):
        raise TypeError(f"step {step_func.__name__} is async; pytest-bdd would never await it")


class Api:
    """A scenario's view of the service: the real app on in-memory adapters."""

    def __init__(self, runner: asyncio.Runner, client: TestClientProtocol, world: FakeWorld) -> None:
        self._runner = runner
        self.client = client
        self.world = world

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coroutine)

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async def request() -> tuple[int, Any]:
            response = await getattr(self.client, method)(path, **kwargs)
            return response.status_code, await response.get_json()

        return self.run(request())


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    world = fake_container(tmp_path)
    with asyncio.Runner() as runner:
        context = running(world.container)
        _, client = runner.run(context.__aenter__())
        try:
            yield Api(runner, client, world)
        finally:
            runner.run(context.__aexit__(None, None, None))
