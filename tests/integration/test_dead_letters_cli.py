"""`media-gateway dead-letters`: an operator lists what the worker set aside, and replays it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.playback.redis_progress_codec import DEAD_LETTERS, STREAM
from entrypoints.cli.commands import dead_letters_command
from entrypoints.config import Settings

pytestmark = pytest.mark.integration


async def test_dead_letters_are_listed_as_json_lines_and_replayed_into_the_journal(
    redis: Redis, postgres_url: str, redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, redis_url=redis_url)
    original = {"e": "1", "s": '{"pos":null}'}
    await redis.xadd(
        DEAD_LETTERS, {"change_id": "1-0", "error": "unreadable: 'pos' is None", "fields": json.dumps(original)}
    )

    await dead_letters_command(settings)
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line) == {"change_id": "1-0", "error": "unreadable: 'pos' is None", "fields": original}

    await dead_letters_command(settings, replay=True)
    assert capsys.readouterr().out.strip() == "replayed 1 dead letters"
    assert await redis.xlen(DEAD_LETTERS) == 0
    ((_, replayed),) = await redis.xrange(STREAM)
    assert {k.decode(): v.decode() for k, v in replayed.items()} == original
