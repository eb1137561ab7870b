"""Issue 13 figures: the webhook accept path (verify + dedup + append to the Redis stream) for
`standard` deliveries signed as Standard Webhooks does, beside the floor, on the real server stack."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable

import aiohttp

from benchmarks.load import Request, Result, run
from benchmarks.server import admin_token

FLOOR = Request("GET", "/health/live")
ADMIN, PASSWORD = "bench-webhooks@example.com", "bench-webhooks-password-1"
ROUNDS = 3
PER_ROUND = 30_000  # more than a round sends (a repeat would be a duplicate, still a 202)
# The accept path only appends; with no worker applying (the suite runs a service without one), the
# stream must not fill up during the run.
EXTRA_ENV = {"MG_WEBHOOK_BACKLOG_LIMIT": "100000000"}


async def registered_secret(base: str, env: dict[str, str]) -> str:
    token = await admin_token(base, env, ADMIN, PASSWORD)
    async with (
        aiohttp.ClientSession(base) as session,
        session.post(
            "/api/v1/webhooks/registrations",
            json={"platform": "bench-netflix", "scheme": "standard", "description": "benchmark"},
            headers={"Authorization": f"Bearer {token}"},
        ) as response,
    ):
        assert response.status == 201, await response.text()
        return str((await response.json())["secret"])


def deliveries(secret: str, prefix: str, count: int) -> list[Request]:
    """``count`` new deliveries (new ids, new titles: no duplicates), signed over the exact bytes
    the load generator sends (it encodes ``json`` with ``json.dumps``), all made before the run so
    the load generator, which shares the cores, spends nothing on signing during it."""
    key = base64.b64decode(secret.removeprefix("whsec_"))

    def make(n: int) -> Request:
        payload = {
            "type": "content.upserted",
            "occurred_at": "2026-12-01T10:00:00Z",
            "data": {
                "platform_content_id": f"{prefix}-{n}",
                "title": f"Benchmark title {prefix} {n}",
                "kind": "movie",
                "release_year": 2021,
                "runtime_seconds": 9360,
                "genres": ["science-fiction"],
                "synopsis": "A delivery of the benchmark.",
                "external_ids": {"imdb": f"tt{n:07d}"},
                "availability": [{"region": "US", "deep_link": f"https://netflix.example/title/{prefix}-{n}"}],
            },
        }
        body = json.dumps(payload).encode()
        delivery_id, timestamp = f"msg_{prefix}_{n}", str(int(time.time()))
        signed = delivery_id.encode() + b"." + timestamp.encode() + b"." + body
        signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        headers = {"webhook-id": delivery_id, "webhook-timestamp": timestamp, "webhook-signature": f"v1,{signature}"}
        return Request("POST", "/api/v1/webhooks/bench-netflix", json=payload, headers=headers)

    return [make(n) for n in range(count)]


def in_turn(signed: list[Request]) -> Callable[[int], Request]:
    """Each delivery once, in turn: its own count, since the load generator restarts ``n`` after
    the warm-up (a repeat would be a duplicate, a cheaper answer)."""
    sent = itertools.count()
    return lambda _: signed[next(sent) % len(signed)]


async def webhooks_suite(
    base: str, env: dict[str, str], duration: float, concurrency: int
) -> tuple[list[tuple[Result, Result]], list[str]]:
    secret = await registered_secret(base, env)
    pairs: list[tuple[Result, Result]] = []
    for workers, suffix in ((concurrency, ""), (1, " (1 at a time)")):
        for round_number in range(ROUNDS):
            floor = await run(
                base, f"floor GET /health/live{suffix}", lambda _: FLOOR, duration=duration, concurrency=workers
            )
            signed = deliveries(secret, f"w{workers}r{round_number}", PER_ROUND)
            accepted = await run(
                base,
                f"POST /api/v1/webhooks/{{platform}} standard{suffix}",
                in_turn(signed),
                duration=duration,
                concurrency=workers,
                ok=(202,),
            )
            pairs.append((floor, accepted))
    notes = []
    for label, chosen in (("concurrent", pairs[:ROUNDS]), ("1 at a time", pairs[ROUNDS:])):
        ratios = sorted(m.rps / f.rps for f, m in chosen if f.rps)
        p50s = sorted(m.p50 for _, m in chosen)
        p99s = sorted(m.p99 for _, m in chosen)
        notes.append(
            f"Webhook accept path, {label}: median {ratios[len(ratios) // 2]:.2f}× floor, "
            f"median p50 {p50s[len(p50s) // 2]:.2f} ms, median p99 {p99s[len(p99s) // 2]:.2f} ms "
            "(targets: p99 ≤ 10 ms, ≥ 0.4× floor)"
        )
    return pairs, notes
