"""The embedded index shared by two OS processes on one root, as serve and ``media-gateway train``
share MG_DATA_DIR: the other process writes, seals and updates; this one reads from its own
replica and sees every update at its next read; nothing is damaged (an EdgeShard directory open in
two processes is: the WAL lock fails and the first process's next flush breaks its files)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qdrant_edge import CountRequest, EdgeShard
from redis.asyncio import Redis

from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex, viewer_log_key
from application.recommendations.vector_index_ports import ItemFilter, VectorPoint
from tests.support.line_process import LineProcess
from tests.support.vector_index_process import ITEMS, VIEWERS, item, viewer

pytestmark = pytest.mark.integration


class OtherProcess(LineProcess):
    def __init__(self, root: Path, redis_url: str) -> None:
        super().__init__("tests.support.vector_index_process", str(root), redis_url)


@pytest.fixture
def other(tmp_path: Path, redis_url: str) -> Iterator[OtherProcess]:
    process = OtherProcess(tmp_path / "vectors", redis_url)
    yield process
    process.close()


def rounded(vector: Any) -> list[float]:
    return [round(float(x), 4) for x in vector]


async def test_a_version_written_and_updated_elsewhere_reads_here_and_nothing_breaks(
    other: OtherProcess, tmp_path: Path, redis: Redis
) -> None:
    root = tmp_path / "vectors"
    here = QdrantEdgeVectorIndex(root, redis)
    assert await here.rank_items(1, (1.0, 0.0, 0.0), ItemFilter(), 3) == []  # nothing sealed yet

    assert other.ask("write 1") == {"sealed": 1}
    top = [s.id for s in await here.rank_items(1, (1.0, 0.0, 0.0), ItemFilter(), 3)]
    assert top == [item(ITEMS - 1), item(ITEMS - 2), item(ITEMS - 3)]
    assert rounded(await here.viewer_vector(1, viewer(1)) or []) == [1.0, 0.0, 1.0]
    assert other.ask("read 1")["top"] == [str(i) for i in top]  # the writer reads its own replica too

    # Updates in both directions, each seen by the other process's next read.
    assert other.ask("update 1 0 5 0") == {"updated": 1}
    assert rounded(await here.viewer_vector(1, viewer(1)) or []) == [0.0, 5.0, 0.0]
    await here.update_viewer(1, VectorPoint(viewer(1), (0.0, 0.0, 7.0)))
    assert rounded(other.ask("read 1")["viewer"]) == [0.0, 0.0, 7.0]
    assert rounded(await here.viewer_vector(1, viewer(1)) or []) == [0.0, 0.0, 7.0]

    # A retrain elsewhere: version 2 sealed beside 1, each process reads both.
    assert other.ask("write 2") == {"sealed": 2}
    assert await here.count(2) == (ITEMS, VIEWERS)
    assert rounded(await here.viewer_vector(1, viewer(1)) or []) == [0.0, 0.0, 7.0]

    assert other.close() == 0
    await here.close()

    # Nobody holds a shard now: the sealed directories load as they are, untouched by the updates
    # (which live in the log), and a fresh process reads everything back.
    for version in (1, 2):
        for name, expected in (("items", ITEMS), ("viewers", VIEWERS)):
            shard = EdgeShard.load(str(root / f"v{version}" / name))
            assert shard.count(CountRequest()) == expected
            shard.close()
    assert await redis.xlen(viewer_log_key(1)) == 2
    assert not [p for p in (root / "replicas").iterdir() if not p.name.startswith(".")]  # replicas removed

    fresh = QdrantEdgeVectorIndex(root, redis)
    try:
        assert rounded(await fresh.viewer_vector(1, viewer(1)) or []) == [0.0, 0.0, 7.0]
        assert rounded(await fresh.viewer_vector(2, viewer(1)) or []) == [1.0, 0.0, 1.0]
        await fresh.drop(1)
        assert not (root / "v1").exists() and await redis.exists(viewer_log_key(1)) == 0
        assert await fresh.count(1) == (0, 0)
    finally:
        await fresh.close()


async def test_replicas_of_a_dead_process_are_removed_on_start(tmp_path: Path, redis: Redis, redis_url: str) -> None:
    root = tmp_path / "vectors"
    writer = OtherProcess(root, redis_url)
    writer.ask("write 1")
    writer.ask("read 1")  # it now holds a replica
    writer.process.kill()  # no clean shutdown: its replica stays behind
    writer.process.wait(10)
    assert len(list((root / "replicas").iterdir())) == 1

    here = QdrantEdgeVectorIndex(root, redis)
    try:
        assert await here.count(1) == (ITEMS, VIEWERS)
        assert [p.name.split("-")[0] for p in (root / "replicas").iterdir()] == [str(os.getpid())]
    finally:
        await here.close()
