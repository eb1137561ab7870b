"""Another process on the same embedded index root (the trainer beside serve), for the two-process
test: run as ``python -m tests.support.vector_index_process ROOT REDIS_URL``. It prints ``ready``,
then answers one JSON line per stdin command: ``write V`` (prepare, write and seal version V),
``update V x y z`` (viewer 1's new vector), ``read V`` (viewer 1's vector and the top items as
this process sees them); EOF closes the index and ends it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from uuid import UUID

from redis.asyncio import Redis

from adapters.recommendations.qdrant_edge_vector_index import QdrantEdgeVectorIndex
from application.recommendations.vector_index_ports import ItemFilter, ItemPayload, VectorPoint

ITEMS = 200
VIEWERS = 300


def item(i: int) -> UUID:
    return UUID(int=1_000_000 + i)


def viewer(i: int) -> UUID:
    return UUID(int=i)


def item_vector(i: int) -> tuple[float, float, float]:
    return (float(i), 1.0, float(ITEMS - i))


async def main(root: str, redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    index = QdrantEdgeVectorIndex(Path(root), redis)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command, version, *rest = line.split()
        v = int(version)
        if command == "write":
            await index.prepare(v, 3)
            points = [VectorPoint(item(i), item_vector(i), ItemPayload("movie")) for i in range(ITEMS)]
            await index.write_items(v, points)
            await index.write_viewers(v, [VectorPoint(viewer(i), (1.0, 0.0, float(i))) for i in range(VIEWERS)])
            await index.seal(v)
            answer: object = {"sealed": v}
        elif command == "update":
            await index.update_viewer(v, VectorPoint(viewer(1), tuple(float(x) for x in rest)))
            answer = {"updated": v}
        else:
            vector = await index.viewer_vector(v, viewer(1))
            top = await index.rank_items(v, (1.0, 0.0, 0.0), ItemFilter(), 3)
            answer = {"viewer": list(vector) if vector else None, "top": [str(s.id) for s in top]}
        print(json.dumps(answer), flush=True)
    await index.close()
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
