from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from entrypoints.http import playback_routes
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


async def test_progress_is_recorded_with_percent_and_resumes_on_another_device(
    client: Client, ana: dict[str, str]
) -> None:
    response = await record(client, ana, DUNE, 2400)
    assert response.status_code == 200
    body = await response.get_json()
    assert body["position_seconds"] == 2400 and body["progress_percent"] == 33.33 and body["completed"] is False
    resume = await (await client.get(f"/api/v1/playback/progress/{DUNE.id}", headers=ana)).get_json()
    assert resume["position_seconds"] == 2400 and resume["device_id"] == "tv"
    items = (await listed(client, ana))["items"]
    assert [i["title"] for i in items] == ["Dune"]
    item = items[0]
    assert item["reason"] == "resume" and item["device_id"] == "tv" and item["runtime_seconds"] == 7200
    assert item["availability"][0]["deep_link"].startswith("https://")


async def test_under_thirty_seconds_is_not_a_resume_point(client: Client, ana: dict[str, str]) -> None:
    await record(client, ana, DUNE, 29)
    assert (await listed(client, ana))["items"] == []
    await record(client, ana, DUNE, 30, sequence=2)
    assert len((await listed(client, ana))["items"]) == 1


async def test_completion_at_95_percent_removes_a_movie_and_adds_nothing(client: Client, ana: dict[str, str]) -> None:
    await record(client, ana, DUNE, 600)
    done = await (await record(client, ana, DUNE, 0.95 * 7200, sequence=2)).get_json()
    assert done["completed"] is True
    assert (await listed(client, ana))["items"] == []


async def test_finishing_an_episode_queues_the_next_one(client: Client, ana: dict[str, str]) -> None:
    await record(client, ana, EP1, 2600)
    items = (await listed(client, ana))["items"]
    assert [(i["id"], i["reason"], i["position_seconds"]) for i in items] == [(str(EP2.id), "next_episode", 0)]
    assert items[0]["series_id"] == str(SERIES.id) and items[0]["episode_number"] == 2


async def test_finishing_the_last_episode_adds_nothing(client: Client, ana: dict[str, str]) -> None:
    await record(client, ana, EP3, 2700)
    assert (await listed(client, ana))["items"] == []


async def test_one_entry_per_series_newest_first(client: Client, ana: dict[str, str], world: FakeWorld) -> None:
    await record(client, ana, EP1, 600, session="a")
    world.clock.advance(timedelta(minutes=1))
    await record(client, ana, DUNE, 600, session="b")
    world.clock.advance(timedelta(minutes=1))
    await record(client, ana, EP2, 900, session="c")
    items = (await listed(client, ana))["items"]
    assert [i["title"] for i in items] == ["Stranger Signals: Chapter 2", "Dune"]


async def test_dismissed_titles_stay_hidden_until_new_progress(client: Client, ana: dict[str, str]) -> None:
    await record(client, ana, DUNE, 600)
    gone = await client.delete(f"/api/v1/playback/continue-watching/{DUNE.id}", headers=ana)
    assert gone.status_code == 204
    assert (await listed(client, ana))["items"] == []
    await record(client, ana, DUNE, 700, sequence=2)
    assert len((await listed(client, ana))["items"]) == 1
    missing = await client.delete(f"/api/v1/playback/continue-watching/{EP3.id}", headers=ana)
    assert missing.status_code == 404


async def test_two_devices_converge_on_the_last_write(client: Client, ana: dict[str, str], world: FakeWorld) -> None:
    await record(client, ana, DUNE, 1000, device="tv", session="tv-1", sequence=1)
    await record(client, ana, DUNE, 1500, device="phone", session="phone-1", sequence=1)
    await record(client, ana, DUNE, 1100, device="tv", session="tv-1", sequence=2)
    for device in ("tv", "phone"):
        resume = await (await client.get(f"/api/v1/playback/progress/{DUNE.id}", headers=ana)).get_json()
        assert (resume["position_seconds"], resume["device_id"]) == (1100, "tv"), device


async def test_late_delivery_within_a_session_is_refused_with_the_winning_state(
    client: Client, ana: dict[str, str]
) -> None:
    await record(client, ana, DUNE, 1200, sequence=5)
    late = await record(client, ana, DUNE, 900, sequence=4)
    assert late.status_code == 409
    problem = await late.get_json()
    assert problem["type"] == "/problems/stale-progress" and problem["current"]["position_seconds"] == 1200


async def test_a_duplicate_delivery_changes_nothing(client: Client, ana: dict[str, str], world: FakeWorld) -> None:
    first = await (await record(client, ana, DUNE, 1200, sequence=5)).get_json()
    world.clock.advance(timedelta(seconds=10))
    again = await record(client, ana, DUNE, 1200, sequence=5)
    assert again.status_code == 200 and (await again.get_json()) == first
    assert len(await world.history(next(iter(world.identity.state.users)))) == 1


async def test_a_new_session_may_move_backwards(client: Client, ana: dict[str, str]) -> None:
    await record(client, ana, DUNE, 5000, session="first-viewing", sequence=40)
    rewatch = await record(client, ana, DUNE, 300, session="rewatch", sequence=1)
    assert rewatch.status_code == 200 and (await rewatch.get_json())["position_seconds"] == 300


async def test_every_change_is_appended_to_the_history(client: Client, ana: dict[str, str], world: FakeWorld) -> None:
    await record(client, ana, DUNE, 600, sequence=1)
    await record(client, ana, DUNE, 7000, device="phone", session="p", sequence=1)
    history = await world.history(next(iter(world.identity.state.users)))
    assert [(e.position_seconds, e.completed, e.device_id) for e in history] == [
        (600, False, "tv"),
        (7000, True, "phone"),
    ]


async def test_stale_entries_leave_the_list_but_history_stays(
    client: Client, ana: dict[str, str], world: FakeWorld
) -> None:
    await record(client, ana, DUNE, 600)
    world.clock.advance(timedelta(days=31))
    await world.archive_all()
    removed = await world.container.playback.remove_stale_progress()()
    assert removed == 1
    fresh = await client.post(
        "/api/v1/auth/login", json={"email": "ana@example.com", "password": "a long passphrase for ana"}
    )
    headers = bearer((await fresh.get_json())["access_token"])
    assert (await listed(client, headers))["items"] == []
    assert len(await world.history(next(iter(world.identity.state.users)))) == 1


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
        ({"content_id": "00000000-0000-0000-0000-000000000000"}, 404),
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
    monkeypatch.setattr(playback_routes, "HEARTBEAT_SECONDS", 0.05)
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
