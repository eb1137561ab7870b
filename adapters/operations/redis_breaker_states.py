"""The breakers' states in Redis, shared by every process: each step is one call of
``breaker.lua``, so deciding and writing are one atomic step (no read-modify-write between
processes), and a half-open breaker's trials are counted across all of them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from domain.operations.breakers import (
    Admission,
    Breaker,
    BreakerMode,
    BreakerPolicy,
    BreakerState,
    BreakerView,
    CallResult,
    Settled,
    Verdict,
    transition,
)

_SOURCE = (Path(__file__).parent / "breaker.lua").read_text()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# A call's result as the script's window keeps it: one character per call.
_RESULTS = {
    "o": CallResult(failed=False, slow=False),
    "s": CallResult(failed=False, slow=True),
    "f": CallResult(failed=True, slow=False),
    "F": CallResult(failed=True, slow=True),
}
_CODES = {result: code for code, result in _RESULTS.items()}
_NO_RESULT = ""


def keys(name: str) -> list[str]:
    return [f"mg:breaker:{name}", f"mg:breaker:{name}:trials", f"mg:breaker:{name}:mode"]


def _ms(moment: datetime) -> int:
    return (moment - _EPOCH) // _MS


def _moment(ms: Any) -> datetime | None:
    return _EPOCH + int(ms) * _MS if ms not in (b"", "", None) else None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisBreakerStates:
    def __init__(self, redis: Redis, *, idle_expiry: timedelta = timedelta(hours=1)) -> None:
        """A breaker nobody called for ``idle_expiry`` (or its wait and a trial's lease, if longer)
        is forgotten: it starts again closed. An operator's override is never forgotten."""
        self._script = redis.register_script(_SOURCE)
        self._idle = idle_expiry

    @lru_cache(maxsize=256)  # noqa: B019 -- a few declared policies, for the adapter's lifetime
    def _policy_arg(self, policy: BreakerPolicy) -> str:
        idle = max(self._idle, policy.wait + policy.trial_lease + timedelta(seconds=1))
        return " ".join(
            (
                str(policy.window_size),
                str(policy.minimum_calls),
                repr(policy.failure_rate_threshold),
                repr(policy.slow_call_rate_threshold),
                str(policy.wait // _MS),
                str(policy.half_open_trials),
                str(policy.trial_lease // _MS),
                str(idle // _MS),
            )
        )

    async def _step(self, op: str, policy: BreakerPolicy, now: datetime, *extra: str) -> tuple[Breaker, Any, list[Any]]:
        reply = await self._script(keys(policy.name), [op, str(_ms(now)), self._policy_arg(policy), *extra])
        before, state, mode, window, opened, next_trial = reply[:6]
        breaker = Breaker(
            state=BreakerState(_text(state)),
            mode=BreakerMode(_text(mode)),
            window=tuple(_RESULTS[code] for code in _text(window)),
            opened_at=_moment(opened),
            next_trial_at=_moment(next_trial),
        )
        return breaker, BreakerState(_text(before)), reply[6:]

    def _settled(self, policy: BreakerPolicy, breaker: Breaker, before: BreakerState) -> Settled:
        return Settled(breaker.view(policy.name, shared=True), transition(policy.name, before, breaker.reported))

    async def admit(self, policy: BreakerPolicy, now: datetime) -> Admission:
        breaker, before, (verdict, token, retry) = await self._step("admit", policy, now, secrets.token_hex(8))
        return Admission(
            verdict=Verdict(_text(verdict)),
            view=breaker.view(policy.name, shared=True),
            token=_text(token) or None,
            retry_after=int(retry) * _MS if retry not in (b"", "") else None,
            transition=transition(policy.name, before, breaker.reported),
        )

    async def settle(
        self, policy: BreakerPolicy, now: datetime, result: CallResult | None, token: str | None
    ) -> Settled:
        code = _CODES[result] if result is not None else _NO_RESULT
        breaker, before, _ = await self._step("settle", policy, now, token or "", code)
        return self._settled(policy, breaker, before)

    async def count_successes(self, policy: BreakerPolicy, now: datetime, count: int) -> Settled:
        breaker, before, _ = await self._step("successes", policy, now, str(count))
        return self._settled(policy, breaker, before)

    async def force(self, policy: BreakerPolicy, mode: BreakerMode, now: datetime) -> Settled:
        breaker, before, _ = await self._step("force", policy, now, mode.value)
        return self._settled(policy, breaker, before)

    async def view(self, policy: BreakerPolicy, now: datetime) -> BreakerView:
        breaker, _, _ = await self._step("view", policy, now)
        return breaker.view(policy.name, shared=True)
