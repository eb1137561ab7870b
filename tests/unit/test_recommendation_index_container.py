"""Which vector index the service uses (a Qdrant server when MG_QDRANT_URL is set, else the
embedded engine under MG_DATA_DIR), and that shutdown closes it."""

from __future__ import annotations

from pathlib import Path

from dependency_injector import providers

from adapters.operations.in_memory_breaker_states import InMemoryBreakerStates
from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex
from adapters.recommendations.qdrant_server_vector_index import QdrantServerVectorIndex
from application.recommendations.vector_index_ports import ItemFilter
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.lifecycle import close_connections


def container(settings: Settings) -> Container:
    made = Container(settings=settings)
    made.operations_adapters.breaker_states.override(providers.Singleton(InMemoryBreakerStates))
    return made


async def test_the_embedded_index_lives_under_the_data_dir_and_closes_with_the_process(
    tmp_path: Path, redis_url: str
) -> None:
    made = container(Settings(data_dir=tmp_path, redis_url=redis_url))
    index = made.recommendation_index.vector_index()
    assert isinstance(index, QdrantEdgeVectorIndex)
    assert made.recommendation_index.vector_index() is index  # one per process
    await index.prepare(1, 2)
    await index.seal(1)
    assert await index.rank_items(1, (1.0, 0.0), ItemFilter(), 5) == []
    assert [p.name for p in (tmp_path / "vectors").iterdir()] != []
    await close_connections(made)
    assert not [p for p in (tmp_path / "vectors" / "replicas").iterdir() if not p.name.startswith(".")]


async def test_a_qdrant_url_chooses_the_server_adapter(tmp_path: Path) -> None:
    made = container(Settings(data_dir=tmp_path, qdrant_url="http://127.0.0.1:9"))
    assert isinstance(made.recommendation_index.vector_index(), QdrantServerVectorIndex)
    await close_connections(made)
    assert not (tmp_path / "vectors").exists()
