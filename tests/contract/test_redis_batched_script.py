"""Script calls gathered into one pipeline still answer each caller on its own, on real Redis."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from adapters.shared.redis_batched_script import BatchedScript

ECHO = """
if ARGV[1] == 'boom' then return redis.error_reply('boom: ' .. KEYS[1]) end
redis.call('INCR', KEYS[1])
return ARGV[1]
"""


async def test_each_caller_gets_its_own_reply_when_many_call_at_once(redis: Redis) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    replies = await asyncio.gather(*(script([f"mg:test:{n % 3}"], [str(n)]) for n in range(50)))
    assert [int(r) for r in replies] == list(range(50))
    assert sum([int(await redis.get(f"mg:test:{k}")) for k in range(3)]) == 50


async def test_one_failing_call_fails_alone(redis: Redis) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    outcomes = await asyncio.gather(
        script(["mg:test:a"], ["1"]),
        script(["mg:test:b"], ["boom"]),
        script(["mg:test:c"], ["3"]),
        return_exceptions=True,
    )
    assert outcomes[0] == b"1" and outcomes[2] == b"3"
    assert isinstance(outcomes[1], ResponseError) and "boom: mg:test:b" in str(outcomes[1])


async def test_calls_work_after_redis_forgets_its_scripts(redis: Redis) -> None:
    script = BatchedScript(redis, ECHO, "echo")
    assert await script(["mg:test:a"], ["1"]) == b"1"
    await redis.script_flush()
    assert await asyncio.gather(script(["mg:test:a"], ["2"]), script(["mg:test:b"], ["3"])) == [b"2", b"3"]


async def test_a_redis_that_does_not_answer_fails_every_caller() -> None:
    nobody = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    script = BatchedScript(nobody, ECHO, "echo")
    outcomes = await asyncio.gather(script(["a"], ["1"]), script(["b"], ["2"]), return_exceptions=True)
    assert all(isinstance(o, RedisConnectionError) for o in outcomes)
    await nobody.aclose()
