"""One contract for the viewer hash with a daily salt: in memory and with the salt in Redis.
Each backend gives two hashers standing for two processes of one deployment."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.search_analytics.in_memory_viewer_hasher import InMemoryViewerHasher
from adapters.search_analytics.keyed_viewer_hash import load_or_create_viewer_key
from adapters.search_analytics.redis_viewer_hasher import RedisViewerHasher, salt_key
from adapters.shared.system import UrandomSecretGenerator
from application.search_analytics.viewer_hash_ports import ViewerHasher

DAY = date(2026, 3, 14)
ANA = "user:0190f5a4-3b2c-7d4e-8f00-112233445566"
BOB = "client:203.0.113.7 Mozilla/5.0"

NewProcess = Callable[[], ViewerHasher]


@pytest.fixture(params=["in-memory", "redis"])
def new_process(request: pytest.FixtureRequest, tmp_path: Path) -> NewProcess:
    key_file = tmp_path / "secrets" / "search-viewer-key"
    if request.param == "in-memory":
        salts: dict[date, bytes] = {}
        key = load_or_create_viewer_key(key_file)
        return lambda: InMemoryViewerHasher(server_key=key, salts=salts)
    redis = request.getfixturevalue("redis")
    return lambda: RedisViewerHasher(redis, load_or_create_viewer_key(key_file), UrandomSecretGenerator())


async def test_two_processes_hash_one_viewer_on_one_day_alike(new_process: NewProcess) -> None:
    first, second = new_process(), new_process()
    assert await first.hash(ANA, DAY) == await second.hash(ANA, DAY) == await first.hash(ANA, DAY)


async def test_another_day_or_another_viewer_hashes_differently(new_process: NewProcess) -> None:
    hasher = new_process()
    today = await hasher.hash(ANA, DAY)
    assert await hasher.hash(ANA, DAY + timedelta(days=1)) != today
    assert await hasher.hash(BOB, DAY) != today


async def test_a_hash_fits_a_signed_64_bit_column(new_process: NewProcess) -> None:
    hasher = new_process()
    hashes = [await hasher.hash(f"user:{n}", DAY) for n in range(100)]
    assert all(-(2**63) <= value < 2**63 for value in hashes)
    assert len(set(hashes)) == 100


async def test_a_deployment_with_another_server_key_cannot_recompute_the_hashes(
    new_process: NewProcess, tmp_path: Path
) -> None:
    ours = new_process()
    theirs = InMemoryViewerHasher(server_key=load_or_create_viewer_key(tmp_path / "elsewhere" / "key"))
    assert await ours.hash(ANA, DAY) != await theirs.hash(ANA, DAY)


def test_the_server_key_file_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "search-viewer-key"
    key = load_or_create_viewer_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_viewer_key(path) == key and len(key) == 32


async def test_the_days_salt_in_redis_expires_within_two_days(redis: Redis, tmp_path: Path) -> None:
    hasher = RedisViewerHasher(redis, load_or_create_viewer_key(tmp_path / "key"), UrandomSecretGenerator())
    await hasher.hash(ANA, DAY)
    ttl = await redis.ttl(salt_key(DAY))
    assert 0 < ttl <= 2 * 24 * 3600
