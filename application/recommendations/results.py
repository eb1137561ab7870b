"""What serving answers: personal picks with their reasons, similar titles, similar viewers."""

from __future__ import annotations

from enum import Enum
from uuid import UUID

from attrs import frozen

from domain.catalog.content import Content


class RecommendationSource(Enum):
    ALS = "als"  # the model in use, from the vector index
    POPULAR = "popular"  # no model, the index unavailable, or a title or viewer the model does not know yet


@frozen
class RecommendedTitle:
    content: Content
    score: float
    because: tuple[Content, ...] = ()  # up to two titles the viewer watched that most explain the pick


@frozen
class Recommendations:
    items: tuple[RecommendedTitle, ...]
    source: RecommendationSource
    model_version: int | None = None  # the version every item came from (None when popular)


@frozen
class RecommendationRequest:
    limit: int = 20
    platform: str | None = None
    region: str | None = None
    kind: str | None = None  # movie or series


@frozen
class SimilarViewer:
    user_id: UUID
    score: float


@frozen
class SimilarViewers:
    items: tuple[SimilarViewer, ...]
    model_version: int | None
