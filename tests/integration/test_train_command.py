"""`media-gateway train`: an operator trains a model from the real history and sees a summary;
with no history it says there is nothing to train and exits non-zero."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from dependency_injector import providers
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

import entrypoints.cli.train_command as train_module
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.recommendations.postgres_model_registry import PostgresModelRegistry
from application.playback.progress_archive_ports import WatchEvent
from application.recommendations.vector_index_ports import ItemPayload
from domain.identity.email import EmailAddress
from domain.identity.user import User
from domain.recommendations.models import ModelState
from entrypoints.config import Settings
from entrypoints.container import Container
from tests.support.archived_playback import NOW
from tests.support.catalog_fixtures import movie

pytestmark = pytest.mark.integration
TITLES = [movie(f"Orbit {n}", genres=("science-fiction",)) for n in range(4)]


class EveryTitle:
    """Until serving's PostgreSQL item catalog exists: every title is offered, as a movie."""

    async def payloads(self, item_ids: Sequence[uuid.UUID]) -> Mapping[uuid.UUID, ItemPayload]:
        return {i: ItemPayload(kind="movie") for i in item_ids}


def with_item_catalog(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.recommendations_adapters.item_catalog.override(providers.Object(EveryTitle()))
    return container


async def viewers_who_finished(engine: AsyncEngine, viewers: int) -> None:
    await PostgresContentRepository(engine).upsert_many(TITLES)
    events = []
    for n in range(viewers):
        user_id = uuid.uuid4()
        async with PostgresIdentityUnitOfWorkFactory(engine)() as uow:
            await uow.users.add(User(user_id, EmailAddress.parse(f"v{n}@example.com"), "V", "$x", NOW))
            await uow.commit()
        events += [WatchEvent(user_id, t.id, 7000, 97.0, True, "tv", NOW, f"{n}-{t.id}") for t in TITLES[n % 2 :]]
    await PostgresProgressArchive(engine).write([], events)


@pytest.fixture
def settings(engine: AsyncEngine, postgres_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=postgres_url, redis_url=redis_url)


async def test_with_no_history_it_says_there_is_nothing_to_train_and_exits_1(
    settings: Settings, engine: AsyncEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await train_module.train_command(settings, console=Console(file=None, quiet=True)) == 1
    assert "nothing to train" in capsys.readouterr().err
    assert await PostgresModelRegistry(engine).versions(10) == []


async def test_it_trains_a_version_puts_it_in_use_and_prints_the_summary(
    settings: Settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await viewers_who_finished(engine, viewers=6)
    monkeypatch.setattr(train_module, "Container", with_item_catalog)
    with (tmp_path / "out.txt").open("w") as out:
        status = await train_module.train_command(
            settings, console=Console(file=out, width=120), factors=4, iterations=3
        )
    assert status == 0
    printed = (tmp_path / "out.txt").read_text()
    assert "recommendation model trained" in printed
    in_use = await PostgresModelRegistry(engine).in_use()
    assert in_use is not None and in_use.state is ModelState.READY
    assert (in_use.parameters.factors, in_use.parameters.iterations) == (4, 3)
    assert (in_use.viewers, in_use.items, in_use.interactions) == (6, 4, 3 * 4 + 3 * 3)
    assert "interactions" in printed and " 21 " in printed
