"""Issue 8 figure: registering a taken email must cost what registering a new one costs, or the
answer's timing tells which addresses have an account."""

from __future__ import annotations

import time

import aiohttp

from benchmarks.load import Result

PASSWORD = "a registration benchmark passphrase"


async def registration_timing(base: str, samples: int = 50, warm_up: int = 5) -> tuple[Result, Result]:
    """One request at a time (service time, not queueing), new and taken emails interleaved and
    alternating which goes first, so drift on the shared machine hits both alike."""
    taken_email = "already-registered@example.com"
    new: list[float] = []
    taken: list[float] = []
    errors = {"new": 0, "taken": 0}
    async with aiohttp.ClientSession(base) as session:

        async def register(email: str) -> tuple[float, int]:
            started = time.perf_counter()
            async with session.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}) as response:
                await response.read()
                return (time.perf_counter() - started) * 1000, response.status

        await register(taken_email)
        started = time.perf_counter()
        for n in range(-warm_up, samples):
            pair = [("new", f"new-{n + warm_up}@example.com", new), ("taken", taken_email, taken)]
            for kind, email, latencies in pair if n % 2 else reversed(pair):
                elapsed, status = await register(email)
                errors[kind] += status != 202
                if n >= 0:
                    latencies.append(elapsed)
        seconds = time.perf_counter() - started
    return (
        Result("POST /api/v1/auth/register, new email (1 at a time)", len(new), errors["new"], seconds, new),
        Result("POST /api/v1/auth/register, taken email (1 at a time)", len(taken), errors["taken"], seconds, taken),
    )
