from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client

from tests.support.apps import FakeWorld, fake_container, running


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    return fake_container(tmp_path)


@pytest.fixture
async def client(world: FakeWorld) -> AsyncIterator[Client]:
    async with running(world.container) as (_, test_client):
        yield test_client
