from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from application.recommendations.results import Recommendations, SimilarViewers
from domain.recommendations.ratings import HIGHEST_RATING, LOWEST_RATING, Rating
from entrypoints.http.catalog.schemas import ContentOut, Slug, content_out

Limit = Annotated[int, Meta(ge=1, description="At most MG_RECS_MAX_LIMIT (100 by default).")]
Kind = Literal["movie", "series"]


class RatingIn(Struct, forbid_unknown_fields=True):
    # Any, checked by the domain: msgspec's lax mode would take the string "5" for 5, and a
    # rating is a JSON number (true, "5" and 4.5 are invalid-rating problems).
    rating: Annotated[
        Any,
        Meta(extra_json_schema={"type": "integer", "minimum": LOWEST_RATING, "maximum": HIGHEST_RATING}),
    ]


class RatingOut(Struct):
    content_id: str
    rating: int
    rated_at: str


class RatingListOut(Struct):
    items: list[RatingOut]


class RecommendationArgs(Struct):
    limit: Limit = 20
    platform: Slug | None = None
    region: Annotated[str, Meta(min_length=2, max_length=8)] | None = None
    kind: Kind | None = None


class SimilarArgs(Struct):
    limit: Limit = 10


class BecauseOut(Struct):
    id: str
    title: str


class RecommendedTitleOut(ContentOut, kw_only=True):
    score: float
    because: list[BecauseOut]


class RecommendationsOut(Struct):
    items: list[RecommendedTitleOut]
    model_version: int | None
    source: Literal["als", "popular"]


class SimilarViewerOut(Struct):
    user_id: str
    score: float


class SimilarViewersOut(Struct):
    items: list[SimilarViewerOut]
    model_version: int | None


def rating_out(rating: Rating) -> RatingOut:
    return RatingOut(content_id=str(rating.content_id), rating=rating.rating, rated_at=rating.rated_at.isoformat())


def recommendations_out(answer: Recommendations) -> RecommendationsOut:
    return RecommendationsOut(
        items=[
            RecommendedTitleOut(
                **msgspec.structs.asdict(content_out(item.content)),
                score=item.score,
                because=[BecauseOut(id=str(c.id), title=c.title) for c in item.because],
            )
            for item in answer.items
        ],
        model_version=answer.model_version,
        source="als" if answer.source.value == "als" else "popular",
    )


def similar_viewers_out(answer: SimilarViewers) -> SimilarViewersOut:
    return SimilarViewersOut(
        items=[SimilarViewerOut(user_id=str(v.user_id), score=v.score) for v in answer.items],
        model_version=answer.model_version,
    )
