from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.catalog_fixtures import movie, series_with_episodes

scenarios("playback/continue_watching.feature")

DUNE = movie("Dune", year=2021, platforms=("max",))
SHOW = series_with_episodes("Stranger Signals", episodes=3)
TITLES = {"Dune": DUNE}


class Viewer:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.headers: dict[str, str] = {}
        self.sequences = {"tv": count(1), "phone": count(1)}
        self.sessions = {"tv": "tv-1", "phone": "phone-1"}
        self.last: tuple[int, Any] = (0, None)

    def report(self, content: Any, seconds: float, device: str, sequence: int | None = None) -> tuple[int, Any]:
        self.api.world.clock.advance(timedelta(seconds=1))
        body = {
            "content_id": str(content.id),
            "position_seconds": seconds,
            "device_id": device,
            "session_id": self.sessions[device],
            "sequence": sequence if sequence is not None else next(self.sequences[device]),
        }
        self.last = self.api.call("post", "/api/v1/playback/progress", json=body, headers=self.headers)
        return self.last

    def continue_watching(self) -> list[dict[str, Any]]:
        status, body = self.api.call("get", "/api/v1/playback/continue-watching", headers=self.headers)
        assert status == 200
        return list(body["items"])

    def user_id(self) -> Any:
        return next(iter(self.api.world.identity.state.users))


@pytest.fixture
def ana(api: Api) -> Viewer:
    return Viewer(api)


@given(parsers.parse('the catalog has the film "{film}" and the series "{series}" with {episodes:d} episodes'))
def catalog(api: Api, film: str, series: str, episodes: int) -> None:
    assert (film, series, episodes) == ("Dune", "Stranger Signals", len(SHOW) - 1)
    api.run(api.world.catalog.upsert_many([DUNE, *SHOW]))


@given("Ana is signed in on her TV and her phone")
def signed_in(api: Api, ana: Viewer) -> None:
    credentials = {"email": "ana@example.com", "password": "a long passphrase for ana"}
    assert api.call("post", "/api/v1/auth/register", json=credentials)[0] == 201
    status, tokens = api.call("post", "/api/v1/auth/login", json=credentials)
    assert status == 200
    ana.headers = {"Authorization": f"Bearer {tokens['access_token']}"}


@given(parsers.parse('Ana paused "{title}" at {minutes:d} minutes on her TV'))
@when(parsers.parse('she watches "{title}" to {minutes:d} minutes on her TV'))
def paused(ana: Viewer, title: str, minutes: int) -> None:
    assert ana.report(TITLES[title], minutes * 60, "tv")[0] == 200


@when("she opens Continue Watching on her phone", target_fixture="listed")
def opens_list(ana: Viewer) -> list[dict[str, Any]]:
    return ana.continue_watching()


@then(parsers.parse('"{title}" is there at {minutes:d} minutes, last watched on her TV'))
def is_there(ana: Viewer, title: str, minutes: int) -> None:
    (item,) = ana.continue_watching()
    assert (item["title"], item["position_seconds"], item["device_id"]) == (title, minutes * 60, "tv")
    assert item["reason"] == "resume" and item["availability"][0]["deep_link"].startswith("https://")


@then(parsers.parse('her phone would start "{title}" at {minutes:d} minutes'))
@then(parsers.parse('both devices would start "{title}" at {minutes:d} minutes'))
def would_start(api: Api, ana: Viewer, title: str, minutes: int) -> None:
    status, resume = api.call("get", f"/api/v1/playback/progress/{TITLES[title].id}", headers=ana.headers)
    assert status == 200 and resume["position_seconds"] == minutes * 60


@when(parsers.parse('she watches "{title}" to 95% on her TV'))
def to_95(ana: Viewer, title: str) -> None:
    content = TITLES[title]
    status, body = ana.report(content, 0.95 * content.runtime_seconds, "tv")
    assert status == 200 and body["completed"] is True


@then("Continue Watching is empty")
def empty(ana: Viewer) -> None:
    assert ana.continue_watching() == []


@when(parsers.parse('she watches episode {number:d} of "{series}" to the end on her TV'))
def finish_episode(ana: Viewer, number: int, series: str) -> None:
    episode = SHOW[number]
    assert ana.report(episode, episode.runtime_seconds, "tv")[0] == 200


@then(parsers.parse('Continue Watching shows episode {number:d} of "{series}" from the start, as the next episode'))
def next_up(ana: Viewer, number: int, series: str) -> None:
    (item,) = ana.continue_watching()
    assert item["series_id"] == str(SHOW[0].id) and item["episode_number"] == number
    assert item["position_seconds"] == 0 and item["reason"] == "next_episode"


@when(parsers.parse('she watches "{title}" for {seconds:d} seconds on her TV'))
def few_seconds(ana: Viewer, title: str, seconds: int) -> None:
    assert ana.report(TITLES[title], seconds, "tv")[0] == 200


@when(parsers.parse('she removes "{title}" from Continue Watching'))
def dismiss(api: Api, ana: Viewer, title: str) -> None:
    path = f"/api/v1/playback/continue-watching/{TITLES[title].id}"
    assert api.call("delete", path, headers=ana.headers)[0] == 204


@when(parsers.parse('her phone reports "{title}" at {minutes:d} minutes'))
def phone_reports(ana: Viewer, title: str, minutes: int) -> None:
    assert ana.report(TITLES[title], minutes * 60, "phone")[0] == 200


@when(parsers.parse('her TV then reports "{title}" at {minutes:d} minutes'))
def tv_reports(ana: Viewer, title: str, minutes: int) -> None:
    assert ana.report(TITLES[title], minutes * 60, "tv")[0] == 200


@given(parsers.parse('Ana\'s TV has reported "{title}" at {minutes:d} minutes as update {sequence:d} of its playback'))
def tv_update(ana: Viewer, title: str, minutes: int, sequence: int) -> None:
    assert ana.report(TITLES[title], minutes * 60, "tv", sequence)[0] == 200


@when(parsers.parse("update {sequence:d} of that playback arrives late at {minutes:d} minutes"))
def late(ana: Viewer, sequence: int, minutes: int) -> None:
    ana.report(DUNE, minutes * 60, "tv", sequence)


@then(parsers.parse('it is refused and the answer shows "{title}" at {minutes:d} minutes'))
def refused_with_winner(ana: Viewer, title: str, minutes: int) -> None:
    status, problem = ana.last
    assert status == 409 and problem["current"]["position_seconds"] == minutes * 60


@when(parsers.parse("update {sequence:d} of that playback arrives again"), target_fixture="before")
def again(api: Api, ana: Viewer, sequence: int) -> Any:
    before = api.call("get", f"/api/v1/playback/progress/{DUNE.id}", headers=ana.headers)[1]
    ana.report(DUNE, 40 * 60, "tv", sequence)
    return before


@then("it is accepted without changing anything")
def unchanged(api: Api, ana: Viewer, before: Any) -> None:
    assert ana.last[0] == 200
    assert api.call("get", f"/api/v1/playback/progress/{DUNE.id}", headers=ana.headers)[1] == before


@then("her viewing history has one entry")
def one_entry(api: Api, ana: Viewer) -> None:
    assert len(api.run(api.world.playback.history(ana.user_id()))) == 1


@when(parsers.parse('she starts "{title}" again on her TV and reports {minutes:d} minutes'))
def restart(ana: Viewer, title: str, minutes: int) -> None:
    ana.sessions["tv"] = "tv-2"
    assert ana.report(TITLES[title], minutes * 60, "tv", 1)[0] == 200


@when(parsers.parse("{days:d} days pass and the nightly cleanup runs"))
def cleanup(api: Api, ana: Viewer, days: int) -> None:
    api.world.clock.advance(timedelta(days=days))
    assert api.run(api.world.container.remove_stale_progress()()) == 1
    credentials = {"email": "ana@example.com", "password": "a long passphrase for ana"}
    tokens = api.call("post", "/api/v1/auth/login", json=credentials)[1]
    ana.headers = {"Authorization": f"Bearer {tokens['access_token']}"}


@then(parsers.parse('her viewing history still has "{title}"'))
def history_kept(api: Api, ana: Viewer, title: str) -> None:
    history = api.run(api.world.playback.history(ana.user_id()))
    assert [e.content_id for e in history] == [TITLES[title].id]


@when("her TV reports progress for a title that does not exist")
def unknown_title(ana: Viewer) -> None:
    ana.report(movie("Not In The Catalog"), 600, "tv")


@then("it is refused as not found")
def not_found(ana: Viewer) -> None:
    status, problem = ana.last
    assert status == 404 and problem["type"] == "/problems/content-not-found"
