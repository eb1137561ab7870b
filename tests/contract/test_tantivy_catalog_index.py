"""What only the Tantivy index does: one writer, readers in other processes, a directory that goes bad."""

from __future__ import annotations

import asyncio
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from adapters.catalog.tantivy_catalog_index import CatalogIndexUnavailable, TantivyCatalogIndex
from adapters.catalog.tantivy_content_search import TantivyContentSearch
from domain.catalog.search import SearchQuery
from tests.support.catalog_fixtures import movie, small_catalog

_WRITE_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from adapters.catalog.tantivy_catalog_index import TantivyCatalogIndex
    from tests.support.catalog_fixtures import movie

    writer = TantivyCatalogIndex(Path(sys.argv[1]), heap_bytes=15_000_000, threads=1)
    asyncio.run(writer.upsert_many([movie("Arrival", year=2016)]))
    writer.close()
    """
)


def _writer(path: Path) -> TantivyCatalogIndex:
    return TantivyCatalogIndex(path, heap_bytes=15_000_000, threads=1)


async def _titles(search: TantivyContentSearch, text: str) -> list[str]:
    return [item.title for item in (await search.search(SearchQuery.create(text))).items]


async def test_a_reader_sees_what_a_writer_in_another_process_committed(tmp_path: Path) -> None:
    path = tmp_path / "catalog-index"
    writer = _writer(path)
    await writer.upsert_many(small_catalog())
    writer.close()  # the other process takes the writer lock
    reader = TantivyContentSearch(path)
    assert await _titles(reader, "arrival") == []

    root = Path(__file__).parents[2]
    writing = await asyncio.create_subprocess_exec(sys.executable, "-c", _WRITE_IN_ANOTHER_PROCESS, str(path), cwd=root)
    assert await asyncio.wait_for(writing.wait(), timeout=60) == 0

    assert await _titles(reader, "arrival") == ["Arrival"]
    assert await _titles(reader, "dune") == ["Dune", "Dune: Part Two"]


async def test_a_second_writer_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    writer = _writer(tmp_path / "catalog-index")
    try:
        with pytest.raises(CatalogIndexUnavailable, match="writer"):
            _writer(tmp_path / "catalog-index")
    finally:
        writer.close()


async def test_a_build_replaces_everything_the_index_held(tmp_path: Path) -> None:
    writer = _writer(tmp_path / "catalog-index")
    await writer.upsert_many(small_catalog())
    assert writer.build([movie("Arrival", year=2016)], batch_size=1) == 1
    writer.close()
    reader = TantivyContentSearch(tmp_path / "catalog-index")
    assert await _titles(reader, "arrival") == ["Arrival"]
    assert await _titles(reader, "dune") == []


async def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogIndexUnavailable, match="No catalog search index"):
        TantivyContentSearch(tmp_path / "never-built")


async def test_a_reader_whose_directory_was_removed_fails_clearly(tmp_path: Path) -> None:
    writer = _writer(tmp_path / "catalog-index")
    await writer.upsert_many(small_catalog())
    writer.close()
    reader = TantivyContentSearch(tmp_path / "catalog-index")
    shutil.rmtree(tmp_path / "catalog-index")
    with pytest.raises(CatalogIndexUnavailable, match="is gone"):
        await reader.search(SearchQuery.create("dune"))


async def test_a_corrupt_directory_is_a_clear_error(tmp_path: Path) -> None:
    writer = _writer(tmp_path / "catalog-index")
    await writer.upsert_many(small_catalog())
    writer.close()
    (tmp_path / "catalog-index" / "meta.json").write_text("{not json")
    with pytest.raises(CatalogIndexUnavailable, match="cannot be opened"):
        TantivyContentSearch(tmp_path / "catalog-index")
