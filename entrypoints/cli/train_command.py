"""``media-gateway train``: a new model version with a progress bar per stage and a summary.

It works beside a running ``serve``: the version is written to its own collections and only put
in use once complete; serving reads the version in use and picks the new one up."""

from __future__ import annotations

import sys
from typing import Any

import attrs
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from application.recommendations.train_model import TrainModelCommand
from domain.recommendations.models import ModelVersion
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.lifecycle import opened, prepare_servers

NOTHING_TO_TRAIN = "nothing to train: no viewer has watched or rated anything yet"


class RichProgress:
    """TrainingProgress as rich bars: one per stage (a spinner when its size is unknown)."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, name: str, total: int | None) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, total=task.completed if task.total is None else task.total)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)


def summary(version: ModelVersion) -> Table:
    table = Table(title="recommendation model trained")
    for column in ("version", "viewers", "items", "interactions", "fit seconds", "total seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(version.version),
        f"{version.viewers:,}",
        f"{version.items:,}",
        f"{version.interactions:,}",
        f"{version.fit_seconds:.2f}",
        f"{version.total_seconds:.2f}",
    )
    return table


async def train_command(settings: Settings, console: Console | None = None, **overrides: Any) -> int:
    console = console or Console()
    settings = await prepare_servers(settings)
    parameters = attrs.evolve(settings.recommendations.als, **overrides) if overrides else None
    async with opened(Container(settings=settings)) as container:
        train = container.recommendation_training.train_model()
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as bars:
            progress = RichProgress(bars)
            trained = await train(TrainModelCommand(parameters=parameters), progress)
    if trained is None:
        print(NOTHING_TO_TRAIN, file=sys.stderr)
        return 1
    console.print(summary(trained))
    return 0
