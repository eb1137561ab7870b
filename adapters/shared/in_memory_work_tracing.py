"""Work tracing that records what it was asked to trace instead of making spans: for tests of
the use cases that process queued messages. It sorts the carriers by the same rule as the
OpenTelemetry one (``trace_carrier.continuation``), so a test can read what the span would
continue."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from attrs import frozen

from adapters.shared.trace_carrier import Continuation, continuation


@frozen
class TracedWork:
    name: str
    carriers: tuple[Mapping[str, str], ...]
    continues: Continuation


class InMemoryWorkTracing:
    def __init__(self) -> None:
        self.work: list[TracedWork] = []
        self._current: ContextVar[TracedWork | None] = ContextVar("traced_work", default=None)

    @property
    def current(self) -> TracedWork | None:
        """The work being traced where this is read, if any."""
        return self._current.get()

    @contextmanager
    def continuing(self, name: str, carriers: Sequence[Mapping[str, str]]) -> Iterator[None]:
        work = TracedWork(name, tuple(carriers), continuation(carriers))
        self.work.append(work)
        token = self._current.set(work)
        try:
            yield
        finally:
            self._current.reset(token)
