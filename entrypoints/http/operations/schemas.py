from __future__ import annotations

from typing import Literal

from msgspec import Struct

from domain.operations.breakers import BreakerView

BreakerStateName = Literal["closed", "open", "half_open", "forced_open", "forced_closed"]
BreakerModeName = Literal["automatic", "forced_open", "forced_closed"]


class BreakerOut(Struct):
    """``failure_rate``, ``slow_call_rate`` and ``calls`` describe the window (the last calls counted);
    ``shared`` is false while Redis does not answer and the answering process shows its own state."""

    name: str
    state: BreakerStateName
    mode: BreakerModeName
    failure_rate: float
    slow_call_rate: float
    calls: int
    opened_at: str | None
    next_trial_at: str | None
    shared: bool


class BreakerListOut(Struct):
    items: list[BreakerOut]


class BreakerOverrideIn(Struct, forbid_unknown_fields=True):
    state: BreakerModeName


def breaker_out(view: BreakerView) -> BreakerOut:
    return BreakerOut(
        name=view.name,
        state=view.state.value,  # type: ignore[arg-type]
        mode=view.mode.value,  # type: ignore[arg-type]
        failure_rate=view.failure_rate,
        slow_call_rate=view.slow_call_rate,
        calls=view.calls,
        opened_at=view.opened_at.isoformat() if view.opened_at else None,
        next_trial_at=view.next_trial_at.isoformat() if view.next_trial_at else None,
        shared=view.shared,
    )
