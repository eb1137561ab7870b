from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart_schema import tag, validate_request, validate_response

from application.identity.authenticate import Authenticate
from application.recommendations.ratings import (
    ListRatings,
    RateTitle,
    RateTitleCommand,
    RemoveRating,
    RemoveRatingCommand,
)
from domain.recommendations.errors import RatingNotFound
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.catalog.content_ids import content_id as parse_content_id
from entrypoints.http.openapi_declarations import problems, responds, signed_in

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.recommendations import problems as _  # noqa: F401
from entrypoints.http.recommendations.blueprint import recommendations
from entrypoints.http.recommendations.schemas import RatingIn, RatingListOut, RatingOut, rating_out
from entrypoints.http.uuid_parameters import parse_uuid


@recommendations.put("/api/v1/me/ratings/<content_id>")
@tag(["recommendations"])
@signed_in("write")
@problems("content-not-found", "invalid-rating")
@validate_request(RatingIn)
@validate_response(RatingOut, 200)
@inject
async def rate(
    content_id: str,
    data: RatingIn,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    rate_title: RateTitle = Provide[Container.recommendations.rate_title],
) -> RatingOut:
    """Rate a title from 1 (disliked: never recommended to you again) to 5 (loved), replacing
    your earlier rating of it. Your recommendations take it into account at once."""
    principal = await authenticated(authenticate, "write")
    rating = await rate_title(RateTitleCommand(principal.user_id, parse_content_id(content_id), data.rating))
    return rating_out(rating)


@recommendations.delete("/api/v1/me/ratings/<content_id>")
@tag(["recommendations"])
@signed_in("write")
@problems("rating-not-found")
@responds(204, description="Removed")
@inject
async def unrate(
    content_id: str,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    remove_rating: RemoveRating = Provide[Container.recommendations.remove_rating],
) -> tuple[str, int]:
    """Take back your rating of a title."""
    principal = await authenticated(authenticate, "write")
    parsed = parse_uuid(content_id, lambda: RatingNotFound("You have not rated this title."))
    await remove_rating(RemoveRatingCommand(principal.user_id, parsed))
    return "", 204


@recommendations.get("/api/v1/me/ratings")
@tag(["recommendations"])
@signed_in("read")
@validate_response(RatingListOut, 200)
@inject
async def my_ratings(
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    list_ratings: ListRatings = Provide[Container.recommendations.list_ratings],
) -> RatingListOut:
    """Your ratings, most recent first."""
    principal = await authenticated(authenticate, "read")
    return RatingListOut(items=[rating_out(r) for r in await list_ratings(principal.user_id)])
