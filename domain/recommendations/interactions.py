"""How much a viewer's history says they like a title: the confidence ALS learns from.

The item is what a person would say they like: a film, or a series. An episode's progress, its
completions and its rating roll up to its series (ten episodes finished is a viewer who likes the
show, not ten separate likes), so series and films are recommended, never single episodes.

Per (viewer, item) the *strength* is

    progress   * furthest fraction watched (0..1; for a series, of any one episode)
  + completion * log2(1 + times finished)    (a film rewatched, or each finished episode: more, with
                                              diminishing returns: 1 -> 1.0, 2 -> 1.58, 10 -> 3.46)
  + the rating's weight                      (5: +4, 4: +2, 3: +0.5; 1 and 2 are dislikes, below)

times ``dismissed_factor`` (0.5) when the viewer dismissed it from Continue Watching: a weak
negative, it halves what the watching said but does not erase it. A rating of 1 or 2 is an explicit
dislike: strength 0 (no positive at all, whatever was watched), and the title is never recommended
to that viewer. ALS reads strength s as confidence 1 + alpha * s (``AlsParameters.alpha``).
"""

from __future__ import annotations

import math
from uuid import UUID

from attrs import field, frozen

from domain.recommendations.ratings import DISLIKED_AT_OR_BELOW


@frozen
class ConfidenceWeights:
    progress: float = 1.0
    completion: float = 1.0
    rating: tuple[float, float, float, float, float] = (0.0, 0.0, 0.5, 2.0, 4.0)  # for 1..5
    dismissed_factor: float = 0.5


@frozen
class TitleSignals:
    """What one viewer did with one item (a film, or a series with its episodes rolled up)."""

    watched_fraction: float = 0.0
    completions: int = 0
    rating: int | None = None
    dismissed: bool = False

    @property
    def disliked(self) -> bool:
        return self.rating is not None and self.rating <= DISLIKED_AT_OR_BELOW

    def with_episode(self, fraction: float, completions: int) -> TitleSignals:
        """These signals with one more episode of the series (or another view of the title)."""
        return TitleSignals(
            watched_fraction=max(self.watched_fraction, fraction),
            completions=self.completions + completions,
            rating=self.rating,
            dismissed=self.dismissed,
        )


def strength(signals: TitleSignals, weights: ConfidenceWeights = ConfidenceWeights()) -> float:
    """The weight of the evidence that the viewer likes the item; 0 means none (or a dislike)."""
    if signals.disliked:
        return 0.0
    fraction = min(max(signals.watched_fraction, 0.0), 1.0)
    value = weights.progress * fraction + weights.completion * math.log2(1 + max(signals.completions, 0))
    if signals.rating is not None:
        value += weights.rating[signals.rating - 1]
    if signals.dismissed:
        value *= weights.dismissed_factor
    return value


@frozen
class Interaction:
    """One viewer's evidence about one item, as training and the incremental update read it."""

    user_id: UUID
    item_id: UUID
    signals: TitleSignals = field(factory=TitleSignals)

    def strength(self, weights: ConfidenceWeights = ConfidenceWeights()) -> float:
        return strength(self.signals, weights)

    @property
    def excluded(self) -> bool:
        """Never recommend this item to this viewer: finished, dismissed or disliked."""
        return self.signals.completions > 0 or self.signals.dismissed or self.signals.disliked
