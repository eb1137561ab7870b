"""Rows of watch history and ratings, per (viewer, title), rolled up to items (films and series):
the one place both interaction histories turn what playback archived into ``Interaction``s.

Per title:
- watched fraction: the furthest point any recorded update reached (``watch_events``) or the
  current state holds (``watch_progress``);
- times finished: each run of completed updates counts once (a completion, then updates that are
  not complete, then a completion again is a rewatch: two); a completed current state with no
  completed update in the history counts as one;
- dismissed: the title's current state.

Per item, episodes roll up through ``TitleSignals.with_episode`` (furthest fraction, completions
added); a series is dismissed when its most recently updated episode (or the series entry) is.
Ratings: the series' own rating wins; without one, the viewer's most recent rating of any of its
episodes stands for the series.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import attrs

from domain.recommendations.interactions import Interaction, TitleSignals


@attrs.frozen
class TitleRow:
    user_id: UUID
    item_id: UUID  # the series of an episode, else the title itself
    fraction: float
    completions: int
    dismissed: bool
    updated_at: datetime | None  # the current state's, None when only history remains


@attrs.frozen
class RatingRow:
    user_id: UUID
    item_id: UUID
    rating: int
    rated_at: datetime
    of_item_itself: bool  # False for an episode's rating standing for its series


def completion_runs(flags: Iterable[bool]) -> int:
    """How many times a title was finished, from its updates' ``completed`` flags in order."""
    runs, before = 0, False
    for flag in flags:
        if flag and not before:
            runs += 1
        before = flag
    return runs


def rolled_up(titles: Iterable[TitleRow], ratings: Iterable[RatingRow]) -> list[Interaction]:
    signals: dict[tuple[UUID, UUID], TitleSignals] = {}
    latest: dict[tuple[UUID, UUID], datetime] = {}
    for row in titles:
        key = (row.user_id, row.item_id)
        known = signals.get(key, TitleSignals())
        known = known.with_episode(min(max(row.fraction, 0.0), 1.0), row.completions)
        if row.updated_at is not None and (key not in latest or row.updated_at >= latest[key]):
            latest[key] = row.updated_at
            known = attrs.evolve(known, dismissed=row.dismissed)
        signals[key] = known
    chosen: dict[tuple[UUID, UUID], RatingRow] = {}
    for rating in ratings:
        key = (rating.user_id, rating.item_id)
        held = chosen.get(key)
        if held is None or (rating.of_item_itself, rating.rated_at) > (held.of_item_itself, held.rated_at):
            chosen[key] = rating
    for key, rating in chosen.items():
        signals[key] = attrs.evolve(signals.get(key, TitleSignals()), rating=rating.rating)
    return [Interaction(user_id=u, item_id=i, signals=s) for (u, i), s in sorted(signals.items())]
