from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_response

from application.catalog.get_content import GetContent
from application.catalog.search_catalog import SearchCatalog, SearchCatalogCommand
from entrypoints.container import Container
from entrypoints.http.authentication import Authenticate

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.catalog import problems as _  # noqa: F401
from entrypoints.http.catalog.content_ids import content_id as parse_content_id
from entrypoints.http.catalog.schemas import (
    ContentOut,
    SearchArgs,
    SearchPageOut,
    content_out,
    search_page_out,
)
from entrypoints.http.catalog.searcher import searcher_of_request
from entrypoints.http.openapi_declarations import problems

catalog = Blueprint("catalog", __name__)


@catalog.get("/api/v1/content/<content_id>")
@tag(["catalog"])
@problems("content-not-found")
@validate_response(ContentOut, 200)
@inject
async def get_content(content_id: str, get: GetContent = Provide[Container.catalog.get_content]) -> ContentOut:
    """One title, series or episode, with where to watch it."""
    return content_out(await get(parse_content_id(content_id)))


@catalog.get("/api/v1/search")
@tag(["catalog"])
@problems("invalid-search")
@validate_querystring(SearchArgs)
@validate_response(SearchPageOut, 200)
@inject
async def search(
    query_args: SearchArgs,
    search_catalog: SearchCatalog = Provide[Container.catalog.search_catalog],
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    analytics_on: bool = Provide[Container.settings.provided.search_analytics.enabled],
) -> SearchPageOut:
    """Full-text, typo-tolerant search, ranked best first; filter by genre, platform and year.
    No credential is needed; one sent only tells search analytics who searched (hashed daily)."""
    page = await search_catalog(
        SearchCatalogCommand(
            q=query_args.q,
            genre=query_args.genre,
            platform=query_args.platform,
            year=query_args.year,
            page=query_args.page,
            page_size=query_args.page_size,
            searcher=await searcher_of_request(authenticate) if analytics_on else None,
        )
    )
    return search_page_out(page)
