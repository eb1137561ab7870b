"""How a training reports its progress: the CLI draws bars, the worker logs."""

from __future__ import annotations

from typing import Protocol


class TrainingProgress(Protocol):
    def stage(self, name: str, total: int | None) -> None:
        """A new stage begins (reading history, fitting, writing items, writing viewers)."""

    def advance(self, amount: int) -> None: ...


class SilentProgress:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass
