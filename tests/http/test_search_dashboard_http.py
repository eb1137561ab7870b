"""What is about HTTP in the search analytics dashboard (`GET /admin/search`): content types, its
strict policy, the vendored chart library served by the app, unknown assets 404. What an
administrator sees on it is tests/integration/test_search_dashboard_in_chromium.py."""

from __future__ import annotations

import re

import pytest
from quart.typing import TestClientProtocol as Client

DASHBOARD_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
ASSETS = [
    ("dashboard.js", "text/javascript"),
    ("dashboard.css", "text/css"),
    ("uPlot.iife.min.js", "text/javascript"),
    ("uPlot.min.css", "text/css"),
]


async def test_the_page_is_html_no_cache_keeps_with_its_own_strict_policy(client: Client) -> None:
    response = await client.get("/admin/search")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == DASHBOARD_CSP
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_page_needs_no_credential_and_holds_no_data(client: Client) -> None:
    html = await (await client.get("/admin/search")).get_data(as_text=True)
    assert '<html lang="en">' in html and 'name="viewport"' in html
    assert 'for="token"' in html and 'id="token"' in html and 'type="password"' in html
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == [
        "/admin/search/assets/uPlot.min.css",
        "/admin/search/assets/dashboard.css",
        "/admin/search/assets/uPlot.iife.min.js",
        "/admin/search/assets/dashboard.js",
    ]


@pytest.mark.parametrize(("name", "content_type"), ASSETS)
async def test_its_script_style_sheet_and_chart_library_are_served_by_the_app(
    client: Client, name: str, content_type: str
) -> None:
    response = await client.get(f"/admin/search/assets/{name}")
    assert response.status_code == 200 and response.mimetype == content_type
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_chart_library_is_the_vendored_uplot(client: Client) -> None:
    library = await (await client.get("/admin/search/assets/uPlot.iife.min.js")).get_data(as_text=True)
    assert library.startswith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */")


@pytest.mark.parametrize("name", ["search.html", "uPlot.LICENSE", "nope.js", "..%2Fdashboard_routes.py"])
async def test_an_unknown_asset_is_a_404(client: Client, name: str) -> None:
    assert (await client.get(f"/admin/search/assets/{name}")).status_code == 404


async def test_the_script_never_writes_markup_and_keeps_the_token_for_the_tab_only(client: Client) -> None:
    script = await (await client.get("/admin/search/assets/dashboard.js")).get_data(as_text=True)
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "localStorage", "eval("):
        assert unsafe not in script
    assert "sessionStorage" in script and '"Bearer "' in script


async def test_the_page_is_not_in_the_openapi_document(client: Client) -> None:
    paths = (await (await client.get("/openapi.json")).get_json())["paths"]
    assert not any(path.startswith("/admin/search") for path in paths)
