"""One contract for the catalog's repository: the in-memory fake and Postgres pass it (search has
its own, test_content_search_contract.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import attrs

from application.catalog.ports import ContentRepository, ContentSearch
from domain.catalog.external_ids import ExternalIds
from tests.support.catalog_fixtures import movie, small_catalog

Catalog = tuple[ContentRepository, ContentSearch]


async def loaded(catalog: Catalog) -> Catalog:
    await catalog[0].upsert_many(small_catalog())
    return catalog


async def test_content_reads_back_with_its_availability(catalog: Catalog) -> None:
    repository, _ = await loaded(catalog)
    dune = movie("Dune", year=2021, genres=("science-fiction", "adventure"), platforms=("max", "netflix"))
    stored = await repository.get(dune.id)
    assert stored is not None
    assert stored.title == "Dune"
    assert stored.platforms == {"max", "netflix"}
    assert await repository.get(uuid.uuid4()) is None
    assert await repository.count() == 9


async def test_upserting_again_replaces_instead_of_duplicating(catalog: Catalog) -> None:
    repository, _ = await loaded(catalog)
    retitled = movie("The Matrix", year=1999, platforms=("hulu",), synopsis="Now on Hulu.")
    await repository.upsert_many([retitled])
    stored = await repository.get(retitled.id)
    assert stored is not None and stored.platforms == {"hulu"} and stored.synopsis == "Now on Hulu."
    assert await repository.count() == 9


async def test_external_ids_platform_ids_windows_and_withdrawal_read_back(catalog: Catalog) -> None:
    repository, _ = catalog
    dune = movie("Dune", platforms=("netflix",))
    window = (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    offer = attrs.evolve(dune.availability[0], platform_content_id="81000001", available_from=window[0])
    offer = attrs.evolve(offer, available_until=window[1])
    ids = ExternalIds(imdb="tt1160419", eidr="10.5240/0EF3-54F9-2642-0B49-6829-R")
    await repository.upsert_many([attrs.evolve(dune, availability=(offer,), external_ids=ids)])
    stored = await repository.get(dune.id)
    assert stored is not None and stored.external_ids == ids and stored.availability == (offer,)
    after = datetime(2026, 3, 1, tzinfo=UTC)
    await repository.upsert_many([attrs.evolve(dune, withdrawn_at=after)])
    kept = await repository.get(dune.id)  # playback's lookup: the history keeps its title
    assert kept is not None and kept.withdrawn_at == after
