"""Issue 2 and 3 figures: search, login, /me (JWT and API key) beside the floor; TOTP challenges."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pyotp

from benchmarks.load import Request, Result, run

QUERIES = ["dune", "matrix", "the silent", "matrx", "crown", "planet earth", "midnight in lisbon"]
FLOOR = Request("GET", "/health/live")


async def _json(session: aiohttp.ClientSession, method: str, path: str, **kwargs: object) -> dict[str, object]:
    async with session.request(method, path, **kwargs) as response:  # type: ignore[arg-type]
        body = await response.json()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status}: {body}")
        return body  # type: ignore[no-any-return]


async def accounts(base: str, count: int, prefix: str = "bench") -> list[tuple[str, str]]:
    async with aiohttp.ClientSession(base) as session:
        made = []
        for n in range(count):
            email, password = f"{prefix}{n}@example.com", f"{prefix}-password-{n}-long"
            await _json(session, "POST", "/api/v1/auth/register", json={"email": email, "password": password})
            made.append((email, password))
        return made


async def token_for(base: str, email: str, password: str) -> str:
    async with aiohttp.ClientSession(base) as session:
        tokens = await _json(session, "POST", "/api/v1/auth/login", json={"email": email, "password": password})
        return str(tokens["access_token"])


async def identity_suite(base: str, duration: float, concurrency: int) -> list[tuple[Result, Result]]:
    users = await accounts(base, 20)
    token = await token_for(base, *users[0])
    async with aiohttp.ClientSession(base) as session:
        created = await _json(
            session,
            "POST",
            "/api/v1/auth/api-keys",
            json={"name": "bench", "scopes": ["read"], "rate_limit_per_minute": 10_000, "password": users[0][1]},
            headers={"Authorization": f"Bearer {token}"},
        )
    key = str(created["key"])
    rotation = itertools.cycle(users)
    queries = itertools.cycle(QUERIES)
    pairs = []
    for name, make, workers in [
        ("GET /api/v1/search", lambda _: Request("GET", f"/api/v1/search?q={next(queries)}"), concurrency),
        (
            "POST /api/v1/auth/login",
            lambda _: (lambda u: Request("POST", "/api/v1/auth/login", json={"email": u[0], "password": u[1]}))(
                next(rotation)
            ),
            min(concurrency, 8),
        ),
        (
            "GET /api/v1/me (JWT)",
            lambda _: Request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
            concurrency,
        ),
        ("GET /api/v1/me (API key)", lambda _: Request("GET", "/api/v1/me", headers={"X-API-Key": key}), concurrency),
    ]:
        floor = await run(base, "floor GET /health/live", lambda _: FLOOR, duration=duration, concurrency=workers)
        measured = await run(base, name, make, duration=duration, concurrency=workers)
        pairs.append((floor, measured))
    return pairs


async def api_key_overhead(base: str, duration: float) -> list[Result]:
    """One request at a time, so the numbers are service time rather than queueing: the same
    `read` endpoint with an API key, with a JWT, and the floor."""
    ((email, password),) = await accounts(base, 1, prefix="latency")
    token = await token_for(base, email, password)
    async with aiohttp.ClientSession(base) as session:
        created = await _json(
            session,
            "POST",
            "/api/v1/auth/api-keys",
            json={"name": "latency", "scopes": ["read"], "rate_limit_per_minute": 10_000, "password": password},
            headers={"Authorization": f"Bearer {token}"},
        )
    results = []
    for name, request in [
        ("floor GET /health/live (1 at a time)", FLOOR),
        (
            "GET /api/v1/me with JWT (1 at a time)",
            Request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        ),
        (
            "GET /api/v1/me with API key (1 at a time)",
            Request("GET", "/api/v1/me", headers={"X-API-Key": str(created["key"])}),
        ),
        ("GET /api/v1/search (1 at a time)", Request("GET", "/api/v1/search?q=matrx")),
    ]:
        results.append(await run(base, name, lambda _, r=request: r, duration=duration, concurrency=1))
    return results


async def session_check(base: str, duration: float, concurrency: int, rounds: int = 3) -> list[tuple[Result, Result]]:
    """`GET /api/v1/me` with a JWT, whose session is checked against the revoked ones on every
    request, beside the floor: alternating rounds, concurrent and one at a time, so a noisy
    machine shows up as spread between rounds rather than as a cost."""
    ((email, password),) = await accounts(base, 1, prefix="session")
    token = await token_for(base, email, password)
    me = Request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    pairs = []
    for workers, label in [(concurrency, ""), (1, " (1 at a time)")]:
        for _ in range(rounds):
            floor = await run(
                base, f"floor GET /health/live{label}", lambda _: FLOOR, duration=duration, concurrency=workers
            )
            measured = await run(
                base,
                f"GET /api/v1/me with JWT{label}",
                lambda _: me,
                duration=duration,
                concurrency=workers,
            )
            pairs.append((floor, measured))
    return pairs


class _NothingRevoked:
    async def is_revoked(self, session_id: uuid.UUID) -> bool:
        return False

    async def revoke(self, session_id: uuid.UUID) -> None:
        pass


async def session_check_in_process(
    data_dir: Path, redis_url: str, calls: int = 2000, rounds: int = 5
) -> list[tuple[Result, Result]]:
    """What the check adds to `Authenticate` itself, away from HTTP: a remembered JWT resolved
    without the check (the floor) and with the check against the service's Redis, alternating,
    one call at a time and 16 at once (concurrent checks share a pipeline)."""
    import attrs

    from entrypoints.config import Settings
    from entrypoints.container import Container
    from entrypoints.lifecycle import opened

    # A JWT is resolved without PostgreSQL: the engine is made but never connects.
    settings = Settings(data_dir=data_dir, database_url="postgresql://unused@127.0.0.1:1/unused", redis_url=redis_url)
    async with opened(Container(settings=settings)) as container:
        checked = container.identity.authenticate()
        clock = container.shared.clock()
        issued = container.identity.access_tokens().issue(uuid.uuid4(), frozenset({"read"}), clock.now(), uuid.uuid4())
        header = "Bearer " + issued.token
        variants = {
            "Authenticate, JWT, no session check": attrs.evolve(checked, revoked_sessions=_NothingRevoked()),
            "Authenticate, JWT, session checked in Redis": checked,
        }
        return await _alternate(variants, header, calls, rounds)


async def _alternate(variants: dict[str, Any], header: str, calls: int, rounds: int) -> list[tuple[Result, Result]]:
    async def measure(name: str, width: int) -> Result:
        authenticate = variants[name]
        latencies: list[float] = []

        async def one() -> None:
            started = time.perf_counter()
            await authenticate(header)
            latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        for _ in range(calls // width):
            await asyncio.gather(*(one() for _ in range(width)))
        label = " (1 at a time)" if width == 1 else f" ({width} at once)"
        return Result(name + label, len(latencies), 0, time.perf_counter() - started, latencies)

    pairs = []
    for width in (1, 16):
        for _ in range(rounds):
            floor_name, checked_name = variants
            pairs.append((await measure(floor_name, width), await measure(checked_name, width)))
    return pairs


async def totp_challenge_throughput(base: str, users: int = 150, concurrency: int = 16) -> Result:
    """Successful second-factor sign-ins per second: each user completes one challenge with a fresh code."""
    prepared: list[tuple[str, pyotp.TOTP]] = []
    async with aiohttp.ClientSession(base) as session:
        for n in range(users):
            email, password = f"totp{n}@example.com", f"totp-password-{n}-long"
            await _json(session, "POST", "/api/v1/auth/register", json={"email": email, "password": password})
            tokens = await _json(session, "POST", "/api/v1/auth/login", json={"email": email, "password": password})
            auth = {"Authorization": f"Bearer {tokens['access_token']}"}
            enrolled = await _json(
                session, "POST", "/api/v1/auth/mfa/enroll", json={"password": password}, headers=auth
            )
            totp = pyotp.TOTP(str(enrolled["secret"]))
            await _json(session, "POST", "/api/v1/auth/mfa/verify", json={"code": totp.now()}, headers=auth)
            login = await _json(session, "POST", "/api/v1/auth/login", json={"email": email, "password": password})
            prepared.append((str(login["mfa_token"]), totp))
        # The enrollment used this step's code; the next step's code is inside the ±1 window.
        latencies: list[float] = []
        errors = 0
        queue = list(prepared)

        async def worker() -> None:
            nonlocal errors
            while queue:
                mfa_token, totp = queue.pop()
                code = totp.at(time.time() + 30)
                started = time.perf_counter()
                async with session.post(
                    "/api/v1/auth/mfa/challenge", json={"mfa_token": mfa_token, "code": code}
                ) as response:
                    await response.read()
                    errors += response.status != 200
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result("POST /api/v1/auth/mfa/challenge (success)", len(latencies), errors, elapsed, latencies)
