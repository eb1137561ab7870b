"""`seed-demo` once per test session (per pytest-xdist worker), copied for each test that wants a
freshly seeded service: seeding takes 15-30 s, a copy well under one.

seed-demo writes three places, and each is kept as it left them: its PostgreSQL database (the
catalog, the demo accounts, their archived histories, the trained model), MG_DATA_DIR (the MFA
encryption key, the model's vector index) and Redis (playback's journal stream and its consumer
group, the demo viewers' progress, the registration limiter's count). A copy is a database made
with ``CREATE DATABASE ... TEMPLATE``, a copy of the directory, and every key restored from its
DUMP with the time to live it had when seeding ended.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import redis
from sqlalchemy.engine import make_url

from tests.support.servers import administer, fresh_database_url


@dataclass(frozen=True)
class RedisKey:
    name: bytes
    dump: bytes
    ttl_ms: int  # 0: no expiry


@dataclass(frozen=True)
class SeededDemo:
    database_url: str  # the template: nothing may be connected to it while it is copied
    data_dir: Path
    redis_keys: Sequence[RedisKey]


def seed_once(
    cli: Sequence[str], env: Mapping[str, str], server_url: str, scratch_redis_url: str, data_dir: Path
) -> SeededDemo:
    """Run seed-demo into a new database, ``data_dir`` and the empty Redis database ``scratch_redis_url``
    (emptied again afterwards), and keep what it wrote."""
    database = fresh_database_url(server_url)
    env = {**env, "MG_DATA_DIR": str(data_dir), "MG_DATABASE_URL": database, "MG_REDIS_URL": scratch_redis_url}
    scratch = redis.Redis.from_url(scratch_redis_url)
    try:
        assert scratch.dbsize() == 0, "seed-demo's Redis database is not empty"
        seeded = subprocess.run([*cli, "seed-demo"], env=env, capture_output=True, text=True, timeout=180)
        assert seeded.returncode == 0, seeded.stderr
        keys = []
        for name in scratch.scan_iter(count=1000):
            pipe = scratch.pipeline(transaction=False)
            pipe.dump(name)
            pipe.pttl(name)
            dump, ttl_ms = pipe.execute()
            if dump is not None:  # None: expired since the scan
                keys.append(RedisKey(name, dump, max(ttl_ms, 0)))
        scratch.flushdb()
    finally:
        scratch.close()
    return SeededDemo(database, data_dir, keys)


def copy_seeded(seeded: SeededDemo, server_url: str, redis_url: str, data_dir: Path) -> str:
    """A new database copied from the seeded one (its URL is returned), ``data_dir`` copied from the
    seeded one, and the seeded keys put back in ``redis_url`` in place of any ``mg:*`` key there."""
    database = fresh_database_url(server_url)
    _create_from_template(database, seeded.database_url)
    shutil.copytree(seeded.data_dir, data_dir)
    client = redis.Redis.from_url(redis_url)
    try:
        leftovers = list(client.scan_iter(match="mg:*", count=1000))
        pipe = client.pipeline(transaction=False)
        if leftovers:
            pipe.delete(*leftovers)
        for key in seeded.redis_keys:
            pipe.restore(key.name, key.ttl_ms, key.dump, replace=True)
        pipe.execute()
    finally:
        client.close()
    return database


def _create_from_template(database_url: str, template_url: str) -> None:
    database, template = make_url(database_url).database, make_url(template_url).database
    administer(database_url, f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
