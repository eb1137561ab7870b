from __future__ import annotations

from uuid import UUID

from dependency_injector.wiring import Provide, inject
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_response

from application.catalog.get_content import GetContent
from application.catalog.search_catalog import SearchCatalog, SearchCatalogCommand
from domain.catalog.errors import ContentNotFound
from entrypoints.container import Container
from entrypoints.http.catalog_schemas import (
    ContentOut,
    SearchArgs,
    SearchPageOut,
    content_out,
    search_page_out,
)
from entrypoints.http.openapi import problems

catalog = Blueprint("catalog", __name__)


@catalog.get("/api/v1/content/<content_id>")
@tag(["catalog"])
@problems("content-not-found")
@validate_response(ContentOut, 200)
@inject
async def get_content(content_id: str, get: GetContent = Provide[Container.catalog.get_content]) -> ContentOut:
    """One title, series or episode, with where to watch it."""
    try:
        parsed = UUID(content_id)
    except ValueError:
        raise ContentNotFound(f"No content with id {content_id!r}.") from None
    return content_out(await get(parsed))


@catalog.get("/api/v1/search")
@tag(["catalog"])
@problems("invalid-search")
@validate_querystring(SearchArgs)
@validate_response(SearchPageOut, 200)
@inject
async def search(
    query_args: SearchArgs, search_catalog: SearchCatalog = Provide[Container.catalog.search_catalog]
) -> SearchPageOut:
    """Full-text, typo-tolerant search, ranked best first; filter by genre, platform and year."""
    page = await search_catalog(
        SearchCatalogCommand(
            q=query_args.q,
            genre=query_args.genre,
            platform=query_args.platform,
            year=query_args.year,
            page=query_args.page,
            page_size=query_args.page_size,
        )
    )
    return search_page_out(page)
