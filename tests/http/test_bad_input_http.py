"""No input produces a 500: every refusal is an RFC 9457 problem with the right status."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as Client

from tests.support.accounts import bearer, register_and_sign_in
from tests.support.apps import FakeWorld, fake_container, running

PROBLEM = "application/problem+json"


async def post(client: Client, path: str, body: bytes, content_type: str = "application/json") -> object:
    return await client.post(path, data=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00garbage", 400),
        (b"[]", 422),
        (b"null", 422),
        (b'"a string"', 422),
        (b'{"email": 5, "password": "long enough pw"}', 422),
        (b'{"email": "ana@example.com"}', 422),
        (b'{"email": "ana@example.com", "password": "long enough pw", "admin": true}', 422),
        (b'{"email": "not-an-email", "password": "long enough pw"}', 422),
    ],
)
async def test_malformed_registration_bodies_are_problems(client: Client, body: bytes, status: int) -> None:
    response = await post(client, "/api/v1/auth/register", body)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.content_type == PROBLEM  # type: ignore[attr-defined]
    problem = await response.get_json()  # type: ignore[attr-defined]
    assert problem["status"] == status and problem["type"].startswith("/problems/")


async def test_a_body_that_is_not_json_at_all_is_refused(client: Client) -> None:
    response = await post(client, "/api/v1/auth/login", b"email=a&password=b", "application/x-www-form-urlencoded")
    assert response.status_code in (400, 415, 422)  # type: ignore[attr-defined]
    assert response.content_type == PROBLEM  # type: ignore[attr-defined]


async def test_a_huge_body_is_413(tmp_path: object) -> None:
    world: FakeWorld = fake_container(tmp_path, max_body_bytes=1024)  # type: ignore[arg-type]
    async with running(world.container) as (_, client):
        response = await client.post(
            "/api/v1/auth/register",
            data=b'{"email": "' + b"a" * 5000 + b'"}',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.content_type == PROBLEM


async def test_unknown_routes_and_methods_are_problems(client: Client) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.content_type == PROBLEM
    wrong_method = await client.delete("/api/v1/search")
    assert wrong_method.status_code == 405 and wrong_method.content_type == PROBLEM
    assert "GET" in wrong_method.headers["Allow"]


async def test_every_response_carries_a_request_id(client: Client) -> None:
    chosen = await client.get("/health/live", headers={"X-Request-ID": "trace-me-123"})
    assert chosen.headers["X-Request-ID"] == "trace-me-123"
    generated = await client.get("/health/live")
    assert len(generated.headers["X-Request-ID"]) == 32


async def test_the_openapi_document_describes_the_api(client: Client) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    paths = (await response.get_json())["paths"]
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/me",
        "/api/v1/search",
        "/api/v1/content/{content_id}",
    ]:
        assert path in paths, path
    assert (await client.get("/docs")).status_code == 200


async def test_an_unreachable_database_is_a_503_problem_not_a_500(tmp_path: object) -> None:
    from tests.support.apps import real_container

    container = real_container(tmp_path, "postgresql://nobody@127.0.0.1:1/none", "redis://127.0.0.1:1/0")  # type: ignore[arg-type]
    async with running(container) as (_, client):
        response = await client.get("/api/v1/search", query_string={"q": "dune"})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert (await ready.get_json())["checks"] == {"postgres": "down", "redis": "down"}


async def test_problem_types_are_documented_at_their_uri(client: Client) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "wrong one!"})
    problem_type = (await response.get_json())["type"]
    described = await client.get(problem_type)
    assert described.status_code == 200
    assert (await described.get_json())["status"] == 401
    assert (await client.get("/problems/no-such-thing")).status_code == 404


async def test_text_postgres_cannot_store_is_refused_not_a_500(client: Client) -> None:
    nul = await client.post("/api/v1/auth/register", json={"email": "a\u0000@example.com", "password": "long enough!"})
    assert nul.status_code == 400 and nul.content_type == PROBLEM
    surrogate = await client.post(
        "/api/v1/auth/register",
        data=b'{"email": "ana@example.com", "password": "long enough \\ud800 pw"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 400
    search = await client.get("/api/v1/search", query_string={"q": "du\u0000ne"})
    assert search.status_code == 400 and search.content_type == PROBLEM


@pytest.mark.parametrize("depth", [65, 990, 100_000])
async def test_deeply_nested_json_is_a_400_problem(client: Client, depth: int) -> None:
    body = b'{"email": ' + b"[" * depth + b"]" * depth + b', "password": "long enough pw"}'
    response = await post(client, "/api/v1/auth/register", body)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert (await response.get_json())["type"] == "/problems/malformed-request"  # type: ignore[attr-defined]


async def test_unstorable_text_is_found_at_any_depth(client: Client) -> None:
    nested = b'{"keys": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\\u0000"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}'
    response = await post(client, "/api/v1/auth/api-keys/leaked", nested)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert (await response.get_json())["type"] == "/problems/malformed-request"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/me/security-events", {"page": "9223372036854775807"}),
        ("/api/v1/me/security-events", {"page": "1001"}),
        ("/api/v1/me/security-events", {"page_size": "101"}),
        ("/api/v1/playback/continue-watching", {"limit": "9223372036854775807"}),
        ("/api/v1/playback/continue-watching", {"limit": "0"}),
    ],
)
async def test_paging_parameters_are_capped_with_a_400(client: Client, path: str, query: dict[str, str]) -> None:
    tokens = await register_and_sign_in(client)
    response = await client.get(path, query_string=query, headers=bearer(tokens["access_token"]))
    assert response.status_code == 400
    assert (await response.get_json())["type"] == "/problems/invalid-query"
