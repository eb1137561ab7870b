"""What is about HTTP in playback: validation, status codes, scopes, paging parameters and the
event stream. The product behaviour is features/playback/continue_watching.feature; edge cases are
tests/use_cases/test_playback_use_cases.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from entrypoints.http.playback import event_stream
from tests.support.accounts import PASSWORD, bearer, register_and_sign_in
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie, series_with_episodes

DUNE = movie("Dune", year=2021, platforms=("max",))
SHOW = series_with_episodes("Stranger Signals", episodes=3)
SERIES, EP1, EP2, EP3 = SHOW


@pytest.fixture
async def ana(client: Client, world: FakeWorld) -> dict[str, str]:
    await world.catalog.upsert_many([DUNE, *SHOW, movie("The Matrix", year=1999)])
    tokens = await register_and_sign_in(client)
    return bearer(tokens["access_token"])


async def record(
    client: Client,
    headers: dict[str, str],
    content: Any,
    position: float,
    device: str = "tv",
    session: str = "tv-1",
    sequence: int = 1,
    **extra: Any,
) -> Any:
    body = {
        "content_id": str(content.id),
        "position_seconds": position,
        "device_id": device,
        "session_id": session,
        "sequence": sequence,
        **extra,
    }
    return await client.post("/api/v1/playback/progress", json=body, headers=headers)


async def listed(client: Client, headers: dict[str, str], **query: Any) -> Any:
    response = await client.get("/api/v1/playback/continue-watching", query_string=query, headers=headers)
    assert response.status_code == 200
    return await response.get_json()


async def test_dismissing_a_title_not_in_the_list_or_not_a_title_at_all_is_a_404_problem(
    client: Client, ana: dict[str, str]
) -> None:
    for content_id in (str(EP3.id), "not-a-uuid"):
        missing = await client.delete(f"/api/v1/playback/continue-watching/{content_id}", headers=ana)
        assert missing.status_code == 404 and missing.content_type == "application/problem+json"
        assert (await missing.get_json())["type"] == "/problems/progress-not-found"


async def test_pages_follow_the_cursor(client: Client, ana: dict[str, str], world: FakeWorld) -> None:
    titles = [movie(f"Film {n}") for n in range(5)]
    await world.catalog.upsert_many(titles)
    for n, film in enumerate(titles):
        world.clock.advance(timedelta(seconds=1))
        await record(client, ana, film, 100 + n, session=f"s{n}")
    first = await listed(client, ana, limit=2)
    second = await listed(client, ana, limit=2, cursor=first["next_cursor"])
    third = await listed(client, ana, limit=2, cursor=second["next_cursor"])
    seen = [i["title"] for page in (first, second, third) for i in page["items"]]
    assert seen == ["Film 4", "Film 3", "Film 2", "Film 1", "Film 0"] and third["next_cursor"] is None
    bad = await client.get("/api/v1/playback/continue-watching", query_string={"cursor": "!!"}, headers=ana)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"position_seconds": -1}, 422),
        ({"position_seconds": 7201}, 422),
        ({"device_id": ""}, 422),
        ({"sequence": -1}, 422),
        ({"content_id": "not-a-uuid"}, 404),
    ],
)
async def test_bad_progress_is_refused(
    client: Client, ana: dict[str, str], change: dict[str, Any], status: int
) -> None:
    body = {"content_id": str(DUNE.id), "position_seconds": 10, "device_id": "tv", "session_id": "s", "sequence": 1}
    response = await client.post("/api/v1/playback/progress", json={**body, **change}, headers=ana)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"


WEEK = 7 * 24 * 3600


@pytest.mark.parametrize(
    "change",
    [
        {"position_seconds": "NaN"},
        {"position_seconds": "Infinity"},
        {"position_seconds": "-Infinity"},
        {"position_seconds": "1e999"},
        {"position_seconds": "Infinity", "duration_seconds": "Infinity"},
        {"position_seconds": 10, "duration_seconds": "NaN"},
        {"position_seconds": 10, "duration_seconds": "Infinity"},
        {"position_seconds": 10, "duration_seconds": "1e999"},
        {"position_seconds": WEEK + 1, "duration_seconds": WEEK + 2},
        {"position_seconds": 10, "duration_seconds": 1e300},
    ],
    ids=str,
)
async def test_non_finite_and_absurd_numbers_are_refused_and_playback_still_works(
    client: Client, ana: dict[str, str], change: dict[str, Any]
) -> None:
    await record(client, ana, DUNE, 2400, sequence=2)
    body = {"content_id": str(DUNE.id), "device_id": "tv", "session_id": "tv-1", "sequence": 3, **change}
    refused = await client.post("/api/v1/playback/progress", json=body, headers=ana)
    assert refused.status_code == 422 and refused.content_type == "application/problem+json"
    assert (await refused.get_json())["status"] == 422
    resume = await client.get(f"/api/v1/playback/progress/{DUNE.id}", headers=ana)
    assert resume.status_code == 200 and (await resume.get_json())["position_seconds"] == 2400
    assert [i["position_seconds"] for i in (await listed(client, ana))["items"]] == [2400]
    stale = await record(client, ana, DUNE, 600, sequence=1)  # the 409 path shows the state that stands
    assert stale.status_code == 409 and (await stale.get_json())["current"]["position_seconds"] == 2400


@pytest.mark.parametrize("number", [b"1e999", b"-1e999", b"NaN", b"Infinity"])
async def test_numbers_json_cannot_hold_are_a_malformed_body(
    client: Client, ana: dict[str, str], number: bytes
) -> None:
    body = b'{"content_id": "%s", "position_seconds": %s, "device_id": "tv", "session_id": "s", "sequence": 1}'
    response = await client.post(
        "/api/v1/playback/progress",
        data=body % (str(DUNE.id).encode(), number),
        headers={**ana, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.content_type == "application/problem+json"


async def test_missing_device_id_and_series_level_progress_are_422(client: Client, ana: dict[str, str]) -> None:
    no_device = {"content_id": str(DUNE.id), "position_seconds": 10, "session_id": "s", "sequence": 1}
    assert (await client.post("/api/v1/playback/progress", json=no_device, headers=ana)).status_code == 422
    series_level = await record(client, ana, SERIES, 10)
    assert series_level.status_code == 422


async def test_recording_needs_write_and_listing_read(client: Client, ana: dict[str, str]) -> None:
    created = await client.post(
        "/api/v1/auth/api-keys", json={"name": "widget", "scopes": ["read"], "password": PASSWORD}, headers=ana
    )
    key = {"X-API-Key": (await created.get_json())["key"]}
    assert (await record(client, key, DUNE, 100)).status_code == 403
    assert (await client.get("/api/v1/playback/continue-watching", headers=key)).status_code == 200
    assert (await client.get("/api/v1/playback/continue-watching")).status_code == 401


async def test_an_open_event_stream_ends_when_its_session_is_logged_out(
    client: Client, world: FakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(event_stream, "HEARTBEAT_SECONDS", 0.05)
    tokens = await register_and_sign_in(client)
    headers = bearer(tokens["access_token"])
    async with client.request("/api/v1/sync/events", headers=headers) as stream:
        assert await stream.receive() == b": connected\n\n"
        assert await stream.receive() == b": keep-alive\n\n"
        logout = await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
        assert logout.status_code == 204
        received = b""
        async with asyncio.timeout(5):
            while b"session_ended" not in received:
                received += await stream.receive()
        assert received.endswith(b"event: session_ended\ndata: {}\n\n")
        await stream.disconnect()
