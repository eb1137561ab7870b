"""Security headers on every response, and no-store on everything that may carry personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import bearer, register_and_sign_in
from tests.support.apps import FakeWorld, fake_container, running
from tests.support.catalog_fixtures import movie

DUNE = movie("Dune", year=2021, platforms=("max",))
PROGRESS = {"content_id": str(DUNE.id), "position_seconds": 600, "device_id": "tv", "session_id": "s", "sequence": 1}


def assert_secured(response: Any) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def broken(*_: object) -> None:
    raise RuntimeError("a bug in a view")


async def test_every_kind_of_response_carries_the_security_headers(tmp_path: Path) -> None:
    world = fake_container(tmp_path, max_body_bytes=1024)
    world.container.catalog.get_content.override(providers.Object(broken))
    async with running(world.container) as (_, client):
        responses = {
            "ok": await client.get("/health/live"),
            "problem": await client.get("/api/v1/me"),
            "no route": await client.get("/api/v1/nothing-here"),
            "wrong method": await client.delete("/api/v1/search"),
            "too large": await client.post(
                "/api/v1/auth/register", data=b"{" + b" " * 5000 + b"}", headers={"Content-Type": "application/json"}
            ),
            "bad query text": await client.get("/api/v1/search", query_string={"q": "a\x00b"}),
            "server error": await client.get(f"/api/v1/content/{DUNE.id}"),
        }
    assert {name: r.status_code for name, r in responses.items()} == {
        "ok": 200,
        "problem": 401,
        "no route": 404,
        "wrong method": 405,
        "too large": 413,
        "bad query text": 400,
        "server error": 500,
    }
    for response in responses.values():
        assert_secured(response)
        if response.content_type != "text/html":
            assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_the_docs_page_may_load_swagger_ui_but_not_be_framed(client: Client) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200 and docs.mimetype == "text/html"
    assert_secured(docs)
    # No default-src: the page's own inline script and the Swagger UI bundle it loads must run.
    assert docs.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "swagger-ui-bundle.js" in await docs.get_data(as_text=True)


@pytest.fixture
async def ana(client: Client, world: FakeWorld) -> dict[str, str]:
    await world.catalog.upsert_many([DUNE])
    return bearer((await register_and_sign_in(client))["access_token"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/me", None),
        ("PATCH", "/api/v1/me", {"display_name": "Ana Lima"}),
        ("GET", "/api/v1/auth/api-keys", None),
        ("GET", "/api/v1/me/security-events", None),
        ("GET", "/api/v1/auth/mfa", None),
        ("GET", "/api/v1/playback/continue-watching", None),
        ("POST", "/api/v1/playback/progress", PROGRESS),
        ("GET", f"/api/v1/playback/progress/{DUNE.id}", None),
    ],
)
async def test_personal_responses_are_never_stored(
    client: Client, ana: dict[str, str], method: str, path: str, body: dict[str, Any] | None
) -> None:
    if path.startswith("/api/v1/playback/progress/"):
        await client.post("/api/v1/playback/progress", json=PROGRESS, headers=ana)
    response = await client.open(path, method=method, json=body, headers=ana)
    assert response.status_code == 200, await response.get_json()
    assert response.headers["Cache-Control"] == "no-store"


async def test_refusals_on_private_routes_and_unmatched_paths_are_not_stored(client: Client) -> None:
    for response in (
        await client.get("/api/v1/me"),
        await client.get("/api/v1/auth/api-keys", headers={"X-API-Key": "mg_not_a_key"}),
        await client.post("/api/v1/auth/login", json={"email": "ana@example.com", "password": "not her password"}),
        await client.get("/api/v1/not-a-route"),
    ):
        assert response.status_code >= 400
        assert response.headers["Cache-Control"] == "no-store"


async def test_public_answers_stay_cacheable_unless_the_request_carried_credentials(
    client: Client, ana: dict[str, str]
) -> None:
    for path in ("/api/v1/search?q=dune", f"/api/v1/content/{DUNE.id}", "/openapi.json", "/health/live"):
        anonymous = await client.get(path)
        assert anonymous.status_code == 200 and "Cache-Control" not in anonymous.headers, path
        signed_in = await client.get(path, headers=ana)
        assert signed_in.status_code == 200 and signed_in.headers["Cache-Control"] == "no-store", path


async def test_a_view_that_chose_its_own_cache_policy_keeps_it(client: Client) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.headers["Cache-Control"] == "public, max-age=300"


async def test_the_event_stream_keeps_its_own_no_cache_and_gets_the_security_headers(
    client: Client, ana: dict[str, str]
) -> None:
    async with client.request("/api/v1/sync/events", query_string={"device_id": "tv"}, headers=ana) as stream:
        assert await stream.receive() == b": connected\n\n"
        assert stream.status_code == 200 and stream.headers is not None
        assert stream.headers["Cache-Control"] == "no-cache"
        assert_secured(stream)
        await stream.disconnect()
