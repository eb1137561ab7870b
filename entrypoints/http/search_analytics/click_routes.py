from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart_schema import tag, validate_request

from application.search_analytics.record_click import RecordClick, RecordClickCommand
from entrypoints.container import Container
from entrypoints.http.openapi_declarations import problems, responds

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.search_analytics import problems as _  # noqa: F401
from entrypoints.http.search_analytics.blueprint import search_analytics
from entrypoints.http.search_analytics.schemas import ClickIn


@search_analytics.post("/api/v1/search/clicks")
@tag(["search analytics"])
@problems("invalid-click")
@responds(204, description="Counted (a repeated click on the same title counts once)")
@validate_request(ClickIn)
@inject
async def record_click(
    data: ClickIn, record: RecordClick = Provide[Container.search_analytics.record_click]
) -> tuple[str, int]:
    """Tell which result of a search the viewer opened: the answer's `search_id`, the title's id
    and its 1-based position among all the search's results. No credential is needed; the search
    must be this service's, from the last 24 hours, with that title at that position."""
    await record(RecordClickCommand(data.search_id, data.content_id, data.position))
    return "", 204
