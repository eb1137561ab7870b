"""The composition root as tests use it: a context's adapters swapped whole, never half."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import containers

from entrypoints.config import Settings
from entrypoints.container import Container
from tests.support.apps import fake_container
from tests.support.in_memory_adapters import InMemoryIdentityAdapters, swap


def test_an_in_memory_adapter_set_that_forgets_a_provider_fails_by_its_name(tmp_path: Path) -> None:
    container = Container(settings=Settings(data_dir=tmp_path))
    complete = InMemoryIdentityAdapters(settings=container.settings, shared=container.shared)
    forgetful = containers.DynamicContainer()
    for name, provider in complete.providers.items():
        if name != "login_throttle":
            setattr(forgetful, name, provider)
    with pytest.raises(LookupError, match="login_throttle"):
        swap(container.identity_adapters, forgetful)


def test_the_fake_world_refuses_to_reach_a_real_server(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    with pytest.raises(AssertionError, match="PostgreSQL"):
        world.container.shared.engine()
    with pytest.raises(AssertionError, match="Redis"):
        world.container.shared.redis()


def test_every_use_case_of_the_fake_world_is_built_on_in_memory_adapters(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    contexts = (world.container.identity, world.container.catalog, world.container.playback, world.container.operations)
    for context in contexts:
        for name, provider in context.providers.items():
            if name not in {"settings", "shared", "adapters", "contents"}:
                provider()  # a real adapter would reach for a server and raise
