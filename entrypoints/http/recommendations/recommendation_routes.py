from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart_schema import tag, validate_querystring, validate_response

from application.identity.authenticate import Authenticate
from application.recommendations.recommend_for_viewer import RecommendForViewer
from application.recommendations.recommend_similar import RecommendSimilar
from application.recommendations.results import RecommendationRequest
from application.recommendations.similar_viewers import FindSimilarViewers
from domain.recommendations.errors import UnknownViewer
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.catalog.content_ids import content_id as parse_content_id
from entrypoints.http.openapi_declarations import problems, signed_in

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.recommendations import problems as _  # noqa: F401
from entrypoints.http.recommendations.blueprint import recommendations
from entrypoints.http.recommendations.schemas import (
    RecommendationArgs,
    RecommendationsOut,
    SimilarArgs,
    SimilarViewersOut,
    recommendations_out,
    similar_viewers_out,
)
from entrypoints.http.uuid_parameters import parse_uuid


@recommendations.get("/api/v1/recommendations")
@tag(["recommendations"])
@signed_in("read")
@problems("invalid-recommendation-request")
@validate_querystring(RecommendationArgs)
@validate_response(RecommendationsOut, 200)
@inject
async def for_me(
    query_args: RecommendationArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    recommend: RecommendForViewer = Provide[Container.recommendations.recommend_for_viewer],
) -> RecommendationsOut:
    """Titles picked for you from what you watched and rated (`source: als`), each with up to two
    titles you watched that explain it (`because`); the most finished titles lately
    (`source: popular`) until the model knows you, or when it cannot answer. Never a title you
    finished, dismissed or rated 2 or less. Filter by `platform`, `region` and `kind`."""
    principal = await authenticated(authenticate, "read")
    answer = await recommend(
        principal.user_id,
        RecommendationRequest(
            limit=query_args.limit, platform=query_args.platform, region=query_args.region, kind=query_args.kind
        ),
    )
    return recommendations_out(answer)


@recommendations.get("/api/v1/content/<content_id>/similar")
@tag(["recommendations"])
@problems("content-not-found", "invalid-recommendation-request")
@validate_querystring(SimilarArgs)
@validate_response(RecommendationsOut, 200)
@inject
async def similar_titles(
    content_id: str,
    query_args: SimilarArgs,
    similar: RecommendSimilar = Provide[Container.recommendations.recommend_similar],
) -> RecommendationsOut:
    """Titles watched by the same viewers (an episode answers for its series); popular titles of
    the same genres (`source: popular`) for a title the model does not know yet."""
    return recommendations_out(await similar(parse_content_id(content_id), query_args.limit))


@recommendations.get("/api/v1/admin/users/<user_id>/similar-users")
@tag(["recommendations"])
@signed_in("admin")
@problems("viewer-not-found", "invalid-recommendation-request")
@validate_querystring(SimilarArgs)
@validate_response(SimilarViewersOut, 200)
@inject
async def similar_users(
    user_id: str,
    query_args: SimilarArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    find: FindSimilarViewers = Provide[Container.recommendations.find_similar_viewers],
) -> SimilarViewersOut:
    """For support and debugging: the viewers whose tastes are nearest this viewer's (cosine of
    their vectors in the model in use). Empty for a viewer the model has no vector for."""
    await authenticated(authenticate, "admin")
    parsed = parse_uuid(user_id, lambda: UnknownViewer(f"No account with id {user_id!r}."))
    return similar_viewers_out(await find(parsed, query_args.limit))
