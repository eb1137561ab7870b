"""Another service process calling the flaky upstream through a breaker shared over Redis, for the
tests that need two processes: run as ``python -m tests.support.breaker_process REDIS UPSTREAM
POLICY_JSON``. It prints ``ready``, then makes one call per ``call`` line on stdin and prints its
outcome as one JSON line; ``view`` prints the breaker as this process sees it; EOF ends it."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import httpx
from redis.asyncio import Redis

from adapters.operations.purgatory_circuit_breaker import PurgatoryCircuitBreaker
from adapters.operations.redis_breaker_states import RedisBreakerStates
from adapters.operations.redis_or_local_breaker_states import RedisOrLocalBreakerStates
from adapters.shared.httpx_dependency_client import HttpxDependencyClient
from adapters.shared.system import SystemClock
from domain.operations.breakers import BreakerPolicies, BreakerPolicy
from domain.shared.errors import CircuitOpen


async def one_call(client: HttpxDependencyClient) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        response = await client.request("GET", "/item")
        outcome: dict[str, Any] = {"outcome": "answered", "status": response.status_code}
    except CircuitOpen as refused:
        outcome = {"outcome": "rejected", "retry_after_seconds": refused.retry_after_seconds}
    except Exception as error:
        outcome = {"outcome": "failed", "error": type(error).__name__}
    return {**outcome, "seconds": time.perf_counter() - started}


async def main(redis_url: str, upstream: str, policy_json: str) -> None:
    policy = BreakerPolicy(**json.loads(policy_json))
    redis = Redis.from_url(redis_url)
    states = RedisOrLocalBreakerStates(RedisBreakerStates(redis), retry_every=0.2)
    breakers = PurgatoryCircuitBreaker(BreakerPolicies([policy]), states, SystemClock())
    async with httpx.AsyncClient(base_url=upstream) as http:
        client = HttpxDependencyClient(http, breakers, policy.name)
        print("ready", flush=True)
        while line := (await asyncio.to_thread(sys.stdin.readline)).strip():
            if line == "call":
                answer = await one_call(client)
            else:
                await breakers.settled()
                view = await states.view(policy, SystemClock().now())
                answer = {"state": view.state.value, "shared": view.shared, "calls": view.calls}
            print(json.dumps(answer), flush=True)
    await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
