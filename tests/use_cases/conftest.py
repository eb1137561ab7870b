from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apps import FakeWorld, fake_container


@pytest.fixture
def world(tmp_path: Path) -> FakeWorld:
    """The composition root on in-memory adapters, as the HTTP and BDD tests use it, driven here
    through its use cases directly."""
    return fake_container(tmp_path)
