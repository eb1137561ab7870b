"""Tracing work taken from a queue, so it shows up in the traces of the requests that queued it.

Here, not in a context, because every queue needs it: playback's journal now, webhook
ingestion's stream next. A message's trace context travels as a plain carrier (W3C header names
to strings, empty for a message written outside any trace); only the adapter reads it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol


class WorkTracing(Protocol):
    def continuing(self, name: str, carriers: Sequence[Mapping[str, str]]) -> AbstractContextManager[None]:
        """A span around processing one batch of messages (``carriers``: one per message, in
        order), continuing the traces that produced them: a child of the producer's span when
        the traced messages all come from one trace, a new trace linked to each producer when
        they come from several, a root span when none is traced. Work inside it is traced even
        where the caller had turned tracing off (the worker does, around its empty polls)."""
