from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from quart_schema import tag, validate_querystring, validate_response

from application.identity.authenticate import Authenticate
from application.search_analytics.get_search_analytics import GetSearchAnalytics
from domain.search_analytics.models import AnalyticsWindow
from entrypoints.container import Container
from entrypoints.http.authentication import authenticated
from entrypoints.http.openapi_declarations import signed_in

# Registered before any route below declares one of its codes with @problems (checked there).
from entrypoints.http.search_analytics import problems as _  # noqa: F401
from entrypoints.http.search_analytics.blueprint import search_analytics
from entrypoints.http.search_analytics.schemas import AnalyticsArgs, AnalyticsOut, analytics_out


@search_analytics.get("/api/v1/admin/search/analytics")
@tag(["search analytics"])
@signed_in("admin")
@validate_querystring(AnalyticsArgs)
@validate_response(AnalyticsOut, 200)
@inject
async def search_report(
    query_args: AnalyticsArgs,
    authenticate: Authenticate = Provide[Container.identity.authenticate],
    report: GetSearchAnalytics = Provide[Container.search_analytics.get_search_analytics],
) -> AnalyticsOut:
    """What people searched for over the last hour, 24 hours, 7 or 30 UTC days (`window`, today
    included), from the rollups (at most one rollup interval behind): totals, latency percentiles,
    the popular queries, those that found nothing (with the catalog titles nearest each), those
    whose results nobody clicked, and one trend point per hour or day. A query is listed only
    once at least the configured number of distinct viewers (5) searched it on one UTC day of the
    window; totals count every search. `platform`: only the searches filtered to that platform."""
    await authenticated(authenticate, "admin")
    answer = await report(AnalyticsWindow(query_args.window), query_args.platform, query_args.limit)
    return analytics_out(answer)
