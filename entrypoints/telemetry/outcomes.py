"""How an attempt ended, counted where the view knows: ``success`` (or what the view says, such
as ``mfa_required``), the code of the problem that refused it, or ``error``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from attrs import define
from prometheus_client import Counter

from domain.shared.errors import DomainError
from entrypoints.http.problems import problem_code


@define
class Outcome:
    value: str = "success"


def outcome_of(error: BaseException) -> str:
    """A refusal's problem code in label spelling (``invalid_credentials``); ``error`` otherwise."""
    return problem_code(error).replace("-", "_") if isinstance(error, DomainError) else "error"


@contextmanager
def counted_outcome(counter: Counter, **labels: str) -> Iterator[Outcome]:
    """Count the attempt inside the block once, under ``outcome`` and the fixed ``labels``."""
    outcome = Outcome()
    try:
        yield outcome
    except BaseException as error:
        outcome.value = outcome_of(error)
        raise
    finally:
        counter.labels(**labels, outcome=outcome.value).inc()
