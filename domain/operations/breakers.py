"""Circuit breakers: when to stop calling a dependency that keeps failing, and when to try again.

One breaker per outbound dependency, shared by every process (the state lives in Redis; the Lua
script ``adapters/operations/breaker.lua`` re-implements these rules so that each decision is one
atomic step, and the contract suite holds the two to the same cases):

- **Closed**: calls go through; the outcome of the last ``window_size`` calls is kept. Once at
  least ``minimum_calls`` are counted, the breaker opens when the failure rate or the slow-call
  rate of the window reaches its threshold. A timeout is a failure; an answer the caller declared
  as such (a 404, a domain error) is not.
- **Open**: calls are refused at once, until ``next_trial_at`` (``wait_seconds`` after opening).
- **Half-open**: the first calls after that are trials, at most ``half_open_trials`` at a time
  across all processes; the others are refused at once. A trial that succeeds in time closes the
  breaker (with an empty window); one that fails or is slow opens it again for another wait. A
  trial whose process died frees its place when its lease (the timeout and a second) runs out.
- **Forced** (an operator's override, until set back to ``automatic``): ``forced_open`` refuses
  everything, ``forced_closed`` lets everything through and never opens. Back to automatic, a
  forced-open breaker lets a trial through at once; a forced-closed one goes on from its window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import attrs
from attrs import field, frozen

from domain.shared.errors import NotFound

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class BreakerState(Enum):
    """What a breaker reports: its circuit's state, or the operator's override."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"
    FORCED_OPEN = "forced_open"
    FORCED_CLOSED = "forced_closed"


class BreakerMode(Enum):
    AUTOMATIC = "automatic"
    FORCED_OPEN = "forced_open"
    FORCED_CLOSED = "forced_closed"


_OPENED = frozenset({BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.FORCED_OPEN})


def _name(_: object, __: attrs.Attribute[str], value: str) -> None:
    if not NAME.match(value):
        raise ValueError(f"A breaker's name is lowercase letters, digits and dashes (at most 63): {value!r}")


def _fraction(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 < value <= 1:
        raise ValueError(f"{attribute.name} must be in (0, 1], got {value}")


def _positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


class BreakerNotFound(NotFound):
    code = "breaker-not-found"


@frozen
class BreakerPolicy:
    name: str = field(validator=_name)
    window_size: int = field(default=20, validator=_positive)
    minimum_calls: int = field(default=10, validator=_positive)
    failure_rate_threshold: float = field(default=0.5, validator=_fraction)
    # A call slower than this is slow (even if it succeeds); 1.0 means "only if every call is".
    slow_call_seconds: float = field(default=2.0, validator=_positive)
    slow_call_rate_threshold: float = field(default=1.0, validator=_fraction)
    wait_seconds: float = field(default=30.0, validator=_positive)
    half_open_trials: int = field(default=1, validator=_positive)
    timeout_seconds: float = field(default=5.0, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.minimum_calls > self.window_size:
            raise ValueError(f"minimum_calls ({self.minimum_calls}) exceeds window_size ({self.window_size})")

    @property
    def wait(self) -> timedelta:
        return timedelta(seconds=self.wait_seconds)

    @property
    def trial_lease(self) -> timedelta:
        """How long a trial holds its place: no trial may run longer than the timeout."""
        return timedelta(seconds=self.timeout_seconds + 1)


class BreakerPolicies(Mapping[str, BreakerPolicy]):
    """The breakers this service declares, by name."""

    def __init__(self, policies: Iterable[BreakerPolicy]) -> None:
        self._policies: dict[str, BreakerPolicy] = {}
        for policy in policies:
            if policy.name in self._policies:
                raise ValueError(f"Breaker {policy.name!r} is declared twice")
            self._policies[policy.name] = policy

    def __getitem__(self, name: str) -> BreakerPolicy:
        return self._policies[name]

    def named(self, name: str) -> BreakerPolicy:
        """The declared breaker, or a ``BreakerNotFound`` (an operator asked for a name we lack)."""
        try:
            return self._policies[name]
        except KeyError:
            raise BreakerNotFound(f"There is no breaker named {name!r}.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._policies)

    def __len__(self) -> int:
        return len(self._policies)


@frozen
class CallResult:
    failed: bool
    slow: bool


class Verdict(Enum):
    CALL = "call"  # closed (or forced closed): go ahead
    TRIAL = "trial"  # half-open: go ahead as one of the trials
    REJECT = "reject"


@frozen
class Trial:
    token: str
    lease_until: datetime


@frozen
class BreakerView:
    """One breaker as a process sees it: its state and the window behind it. ``shared`` says the
    view is the one every process shares (read from Redis), not this process's own."""

    name: str
    state: BreakerState
    calls: int
    failures: int
    slow_calls: int
    opened_at: datetime | None
    next_trial_at: datetime | None
    shared: bool

    @property
    def mode(self) -> BreakerMode:
        if self.state is BreakerState.FORCED_OPEN:
            return BreakerMode.FORCED_OPEN
        if self.state is BreakerState.FORCED_CLOSED:
            return BreakerMode.FORCED_CLOSED
        return BreakerMode.AUTOMATIC

    @property
    def failure_rate(self) -> float:
        return self.failures / self.calls if self.calls else 0.0

    @property
    def slow_call_rate(self) -> float:
        return self.slow_calls / self.calls if self.calls else 0.0


@frozen
class Transition:
    breaker: str
    previous: BreakerState
    current: BreakerState


def transition(name: str, before: BreakerState, after: BreakerState) -> Transition | None:
    return Transition(name, before, after) if before is not after else None


@frozen
class Admission:
    verdict: Verdict
    view: BreakerView
    token: str | None = None  # a trial's, to settle it with
    retry_after: timedelta | None = None  # when rejected: until the next trial may go through
    transition: Transition | None = None


@frozen
class Settled:
    view: BreakerView
    transition: Transition | None = None


@frozen
class Breaker:
    """What the store keeps of one breaker; each rule returns the breaker after it."""

    state: BreakerState = BreakerState.CLOSED  # the circuit: closed, open or half-open
    mode: BreakerMode = BreakerMode.AUTOMATIC
    window: tuple[CallResult, ...] = ()
    opened_at: datetime | None = None
    next_trial_at: datetime | None = None
    trials: tuple[Trial, ...] = ()

    @property
    def reported(self) -> BreakerState:
        if self.mode is BreakerMode.FORCED_OPEN:
            return BreakerState.FORCED_OPEN
        if self.mode is BreakerMode.FORCED_CLOSED:
            return BreakerState.FORCED_CLOSED
        return self.state

    def view(self, name: str, *, shared: bool) -> BreakerView:
        reported = self.reported
        return BreakerView(
            name=name,
            state=reported,
            calls=len(self.window),
            failures=sum(1 for result in self.window if result.failed),
            slow_calls=sum(1 for result in self.window if result.slow),
            opened_at=self.opened_at if reported in _OPENED else None,
            next_trial_at=self.next_trial_at if reported is BreakerState.OPEN else None,
            shared=shared,
        )

    def admit(self, policy: BreakerPolicy, now: datetime, token: str) -> tuple[Breaker, Verdict, timedelta | None]:
        """Whether a call may go now; a trial takes ``token``'s place among the trials."""
        if self.mode is BreakerMode.FORCED_OPEN:
            return self, Verdict.REJECT, policy.wait
        if self.mode is BreakerMode.FORCED_CLOSED or self.state is BreakerState.CLOSED:
            return self, Verdict.CALL, None
        breaker = self
        if breaker.state is BreakerState.OPEN:
            assert breaker.next_trial_at is not None
            if now < breaker.next_trial_at:
                return breaker, Verdict.REJECT, breaker.next_trial_at - now
            breaker = attrs.evolve(breaker, state=BreakerState.HALF_OPEN, trials=())
        running = tuple(trial for trial in breaker.trials if trial.lease_until > now)
        if len(running) >= policy.half_open_trials:
            return attrs.evolve(breaker, trials=running), Verdict.REJECT, min(t.lease_until for t in running) - now
        trials = (*running, Trial(token, now + policy.trial_lease))
        return attrs.evolve(breaker, trials=trials), Verdict.TRIAL, None

    def settle(self, policy: BreakerPolicy, now: datetime, result: CallResult | None, token: str | None) -> Breaker:
        """A call's outcome (``None``: abandoned, e.g. cancelled, which only frees its trial's place)."""
        held = token is not None and any(trial.token == token for trial in self.trials)
        breaker = attrs.evolve(self, trials=tuple(t for t in self.trials if t.token != token)) if held else self
        if result is None or breaker.mode is BreakerMode.FORCED_OPEN:
            return breaker
        if held and breaker.state is BreakerState.HALF_OPEN and breaker.mode is BreakerMode.AUTOMATIC:
            return breaker.opened(policy, now) if result.failed or result.slow else Breaker()
        if breaker.state is not BreakerState.CLOSED:
            return breaker  # a call let through before the breaker opened elsewhere: the window is gone
        window = (*breaker.window, result)[-policy.window_size :]
        breaker = attrs.evolve(breaker, window=window)
        if breaker.mode is BreakerMode.AUTOMATIC and _tripped(policy, window):
            return breaker.opened(policy, now)
        return breaker

    def succeeded(self, policy: BreakerPolicy, now: datetime, count: int) -> Breaker:
        """``count`` fast successes of calls let through closed, settled together (each as ``settle``
        would; past a full window more of them can change nothing, so at most that many are)."""
        breaker = self
        for _ in range(min(count, policy.window_size)):
            breaker = breaker.settle(policy, now, _SUCCESS, None)
        return breaker

    def opened(self, policy: BreakerPolicy, now: datetime) -> Breaker:
        return Breaker(BreakerState.OPEN, self.mode, (), now, now + policy.wait)

    def forced(self, mode: BreakerMode, now: datetime) -> Breaker:
        if mode is BreakerMode.FORCED_OPEN:
            return Breaker(BreakerState.OPEN, mode, (), now, None)
        if mode is BreakerMode.FORCED_CLOSED:
            return Breaker(BreakerState.CLOSED, mode)
        if self.mode is BreakerMode.FORCED_OPEN:
            return Breaker(BreakerState.OPEN, mode, (), self.opened_at, now)  # the next call is a trial
        return attrs.evolve(self, mode=mode)


_SUCCESS = CallResult(failed=False, slow=False)


def _tripped(policy: BreakerPolicy, window: tuple[CallResult, ...]) -> bool:
    calls = len(window)
    if calls < policy.minimum_calls:
        return False
    failures = sum(1 for result in window if result.failed)
    slow = sum(1 for result in window if result.slow)
    # Compared as the Lua script compares them (a product of doubles), so both decide alike.
    return failures >= policy.failure_rate_threshold * calls or slow >= policy.slow_call_rate_threshold * calls
