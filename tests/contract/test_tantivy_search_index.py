"""The Tantivy search index's generations: a build beside the live writer, readers that follow the
live one, and the fallback while there is none."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.catalog.tantivy_index_directory import TantivyIndexDirectory
from adapters.catalog.tantivy_live_content_search import TantivyLiveContentSearch
from adapters.catalog.tantivy_search_index import TantivySearchIndex
from application.catalog.search_index_ports import FeedMark
from domain.catalog.search import SearchQuery
from tests.support.catalog_fixtures import movie, small_catalog

MARK = FeedMark(7, UUID(int=7))


def _index(root: Path) -> TantivySearchIndex:
    return TantivySearchIndex(TantivyIndexDirectory(root), heap_bytes=15_000_000, build_heap_bytes=15_000_000)


async def _titles(search: TantivyLiveContentSearch, text: str) -> list[str]:
    return [item.title for item in (await search.search(SearchQuery.create(text))).items]


async def _publish(index: TantivySearchIndex, mark: FeedMark, *titles: str) -> None:
    build = await index.new_build()
    await build.add([movie(title) for title in titles])
    await build.publish(mark)


async def test_searches_use_the_fallback_until_an_index_is_published_then_the_index(tmp_path: Path) -> None:
    fallback = InMemoryCatalog()
    await fallback.upsert_many(small_catalog())
    search = TantivyLiveContentSearch(TantivyIndexDirectory(tmp_path / "search-index"), fallback)
    assert await _titles(search, "dune") == ["Dune", "Dune: Part Two"] and not search.using_index
    index = _index(tmp_path / "search-index")
    await _publish(index, MARK, "Arrival")
    assert await _titles(search, "arrival") == ["Arrival"] and search.using_index
    assert await index.mark() == MARK


async def test_a_rebuild_beside_the_live_writer_becomes_live_and_the_writer_follows_it(tmp_path: Path) -> None:
    worker, command = _index(tmp_path / "search-index"), _index(tmp_path / "search-index")
    await _publish(worker, MARK, "Arrival")
    await worker.apply([movie("Dune")], FeedMark(8, UUID(int=8)))  # the worker holds the live writer
    search = TantivyLiveContentSearch(TantivyIndexDirectory(tmp_path / "search-index"), InMemoryCatalog())
    assert await _titles(search, "dune") == ["Dune"]

    await _publish(command, FeedMark(9, UUID(int=9)), "Heat", "Dune")  # not refused by the worker's lock
    assert await _titles(search, "heat") == ["Heat"] and await _titles(search, "arrival") == []
    assert await worker.mark() == FeedMark(9, UUID(int=9))
    await worker.apply([movie("Arrival")], FeedMark(10, UUID(int=10)))
    assert await _titles(search, "arrival") == ["Arrival"]
    await _publish(command, FeedMark(11, UUID(int=11)), "Tenet")
    assert len(list((tmp_path / "search-index").glob("gen-*"))) == 2  # the live one and the one before
    await worker.close()


async def test_a_build_still_being_written_elsewhere_is_left_alone_when_another_publishes(tmp_path: Path) -> None:
    """Two workers starting at once, or a worker's rebuild beside `media-gateway reindex`."""
    root = tmp_path / "search-index"
    slow = await _index(root).new_build()
    await slow.add([movie("Heat")])
    await _publish(_index(root), MARK, "Arrival")
    await slow.add([movie("Dune")])
    await slow.publish(FeedMark(9, UUID(int=9)))
    search = TantivyLiveContentSearch(TantivyIndexDirectory(root), InMemoryCatalog())
    assert await _titles(search, "heat") == ["Heat"] and await _titles(search, "dune") == ["Dune"]


async def _published_and_closed(root: Path) -> Path:
    """The live generation of an index published at MARK with one title, its writer gone."""
    index = _index(root)
    await _publish(index, MARK, "Arrival")
    await index.close()
    live = TantivyIndexDirectory(root).current()
    assert live is not None
    return live


async def test_an_index_that_cannot_be_opened_has_no_mark(tmp_path: Path) -> None:
    live = await _published_and_closed(tmp_path / "search-index")
    (live / "meta.json").write_text("{not json")
    assert await _index(tmp_path / "search-index").mark() is None
    fallback = InMemoryCatalog()
    await fallback.upsert_many(small_catalog())
    search = TantivyLiveContentSearch(TantivyIndexDirectory(tmp_path / "search-index"), fallback)
    assert await _titles(search, "dune") == ["Dune", "Dune: Part Two"]


async def test_an_index_written_by_an_older_schema_has_no_mark_so_the_worker_rebuilds_it(tmp_path: Path) -> None:
    live = await _published_and_closed(tmp_path / "search-index")
    (live / "feed-mark.json").write_text(json.dumps({"number": MARK.number, "content_id": str(MARK.content_id)}))
    assert await _index(tmp_path / "search-index").mark() is None
