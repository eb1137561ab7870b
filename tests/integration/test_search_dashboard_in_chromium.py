"""The search analytics dashboard the way an administrator uses it: a real `serve --with-worker`
on the suite's PostgreSQL and Redis, rolling up every second; searches from several viewers and a
click over real HTTP; the page at phone width in Debian's chromium (driven by Playwright), asking
for the token, then showing the tables and the chart from the live API, with no request leaving the
service. The screenshot goes into the test's tmp dir (and, with MG_SAVE_SCREENSHOTS=1, into docs/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Route, expect

from tests.integration.test_account_pages_in_chromium import Watched, browser  # noqa: F401  (a fixture)
from tests.integration.test_service_process import CLI

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "search-analytics-dashboard.png"
# a film found (and clicked once), a sequel the catalog lacks, a film found and never clicked
POPULAR, MISSING, UNCLICKED = "dune", "matrix reborn 2099", "the matrix"
VIEWERS = [f"Mozilla/5.0 (viewer {n}; phone)" for n in range(1, 7)]
PASSWORD = "a long passphrase for the operator"
# Every page asks only its own service for its data; a CSP refusal is recorded even when chromium
# would not log it (an init script is not bound by the page's policy).
RECORD_CSP_VIOLATIONS = """
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
        window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
    });
"""


@pytest.fixture
def service(start: Any) -> Iterator[httpx.Client]:
    base, _ = start("--with-worker", MG_SEARCH_ROLLUP_SECONDS="1")
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client


def searches_from_several_viewers(service: httpx.Client) -> None:
    """Six viewers (one user agent each: six anonymous viewers) search for each; one clicks."""
    for agent in VIEWERS:
        for query in (POPULAR, MISSING, UNCLICKED):
            found = service.get("/api/v1/search", params={"q": query}, headers={"User-Agent": agent})
            assert found.status_code == 200, found.text
            page = found.json()
            if query == MISSING:
                assert page["total"] == 0, f"{MISSING!r} must find nothing: {page['items']}"
            elif query == POPULAR and agent == VIEWERS[0]:
                first = page["items"][0]
                clicked = service.post(
                    "/api/v1/search/clicks",
                    json={"search_id": page["search_id"], "content_id": first["id"], "position": 1},
                    headers={"User-Agent": agent},
                )
                assert clicked.status_code == 204, clicked.text


def admin_credentials(service: httpx.Client, env: dict[str, str]) -> tuple[str, str]:
    """An operator's account made admin by `grant-admin`: its access token, and an admin API key."""
    email = "ops@example.com"
    assert service.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}).status_code == 202
    granted = subprocess.run([*CLI, "grant-admin", email], env=env, capture_output=True, timeout=60)
    assert granted.returncode == 0, granted.stderr
    tokens = service.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
    created = service.post(
        "/api/v1/auth/api-keys",
        json={"name": "search dashboard", "scopes": ["read", "admin"], "password": PASSWORD},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert created.status_code == 201, created.text
    return str(tokens["access_token"]), str(created.json()["key"])


def viewer_token(service: httpx.Client) -> str:
    email = "viewer@example.com"
    assert service.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}).status_code == 202
    return str(service.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"])


def rolled_up(service: httpx.Client, token: str) -> dict[str, Any]:
    """The report once the worker has rolled up the queries (one rollup interval after the flush)."""
    deadline = time.monotonic() + 60
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        answer = service.get(
            "/api/v1/admin/search/analytics", params={"window": "24h"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
        report = answer.json()
        listed = {(name, q["query"]) for name in ("popular", "zero_results", "no_clicks") for q in report[name]}
        if listed >= {("popular", POPULAR), ("zero_results", MISSING), ("no_clicks", UNCLICKED)}:
            return report
        time.sleep(0.5)
    raise AssertionError(f"the rollup did not show the queries within 60 s: {report}")


def test_an_admin_sees_popular_and_zero_result_searches_and_the_trend_on_a_phone(
    service: httpx.Client,
    shared_env: dict[str, str],
    browser: Browser,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    searches_from_several_viewers(service)
    token, key = admin_credentials(service, shared_env)
    report = rolled_up(service, token)  # polled with the token: the key has a rate limit per minute
    closest = next(q for q in report["zero_results"] if q["query"] == MISSING)["closest_titles"]
    assert closest, report
    not_an_admin = viewer_token(service)

    watched = Watched(browser)
    page = watched.page
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    service_host = urlsplit(str(service.base_url)).netloc
    elsewhere: list[str] = []

    def only_the_service(route: Route) -> None:
        if urlsplit(route.request.url).netloc != service_host:
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_the_service)
    page.goto(str(service.base_url).rstrip("/") + "/admin/search")
    token_field = page.get_by_label("Admin access token or API key")
    expect(token_field).to_be_visible()

    token_field.fill("mg_live_not-a-real-key")
    page.get_by_role("button", name="Show the analytics").click()
    expect(page.locator("#token-error")).to_contain_text("did not accept this token")
    token_field.fill(not_an_admin)
    page.get_by_role("button", name="Show the analytics").click()
    expect(page.locator("#token-error")).to_contain_text("not an administrator's")

    token_field.fill(key)
    page.get_by_role("button", name="Show the analytics").click()
    popular = page.locator("#popular tbody tr").filter(has_text=POPULAR)
    expect(popular).to_have_count(1)
    expect(popular.locator("td").nth(1)).to_have_text(str(len(VIEWERS)))  # searches
    expect(popular.locator("td").nth(3)).to_have_text(f"{100 / len(VIEWERS):.1f} %")  # one click in six
    zero = page.locator("#zero-results tbody tr").filter(has_text=MISSING)
    expect(zero).to_have_count(1)
    expect(zero.locator("td").nth(1)).to_have_text(", ".join(closest))
    expect(page.locator("#no-clicks tbody tr").filter(has_text=UNCLICKED)).to_have_count(1)
    expect(page.locator("#card-searches")).to_have_text(str(report["totals"]["searches"]))
    canvas = page.locator("#trend-chart canvas")
    expect(canvas).to_be_visible()
    painted = canvas.evaluate(
        """(canvas) => {
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
            return painted;
        }"""
    )
    assert painted > 1000  # axes, grid and the series are drawn
    # tables scroll in their own box; the page itself never scrolls sideways at 390 px
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # the token lives in this tab's session only
    assert page.evaluate("() => Object.keys(localStorage).length") == 0
    assert page.evaluate("() => Object.keys(sessionStorage).length") == 1
    page.screenshot(path=tmp_path / "search-dashboard.png", full_page=True)
    if os.environ.get("MG_SAVE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "search-dashboard.png", DOCS_SCREENSHOT)

    page.get_by_role("button", name="Forget the token").click()
    expect(token_field).to_be_visible()
    assert page.evaluate("() => Object.keys(sessionStorage).length") == 0

    assert elsewhere == []
    assert page.evaluate("() => window.__cspViolations") == []
    watched.assert_nothing_went_wrong()
    refused = [error for error in watched.console_errors if "status of 401" in error or "status of 403" in error]
    assert watched.console_errors == refused  # only the two refused tokens, logged by chromium as failed loads
