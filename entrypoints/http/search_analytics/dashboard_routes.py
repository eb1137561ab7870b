"""``GET /admin/search``: the search analytics dashboard. Static HTML plus its script, style sheet
and the vendored uPlot chart library (1.6.32, MIT, ``dashboard/uPlot.LICENSE``), all served from
``dashboard/``: no CDN, no build step. The page asks for an admin token or API key, keeps it in the
tab's sessionStorage only and calls ``GET /api/v1/admin/search/analytics`` like any other client;
the HTML carries no data, so the page itself needs no credential."""

from __future__ import annotations

import functools
from importlib.resources import files

from quart import Response, abort
from quart_schema import hide

from entrypoints.http.search_analytics.blueprint import search_analytics

HTML = "text/html; charset=utf-8"
ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "uPlot.iife.min.js": "text/javascript; charset=utf-8",
    "uPlot.min.css": "text/css; charset=utf-8",
}
# Only its own files run and load; it talks to this service only. uPlot styles the chart through
# the CSSOM (element.style), which style-src 'self' allows, so no 'unsafe-inline' is needed.
DASHBOARD_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": DASHBOARD_CSP, "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@functools.cache
def _read(name: str) -> bytes:
    return (files("entrypoints.http.search_analytics") / "dashboard" / name).read_bytes()


@search_analytics.get("/admin/search")
@hide
async def search_dashboard() -> Response:
    return Response(_read("search.html"), content_type=HTML, headers=PAGE_HEADERS)


@search_analytics.get("/admin/search/assets/<name>")
@hide
async def search_dashboard_asset(name: str) -> Response:
    if name not in ASSETS:
        abort(404)
    # Short-lived and revalidated: the files change with each release and their URLs do not.
    return Response(_read(name), content_type=ASSETS[name], headers={"Cache-Control": "public, max-age=300"})
