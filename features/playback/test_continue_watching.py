from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from domain.catalog.content import Content
from features.conftest import Api
from tests.support.catalog_fixtures import movie, series_with_episodes

scenarios("playback/continue_watching.feature")

ANA = {"email": "ana@example.com", "password": "a long passphrase for ana"}
DUNE = movie("Dune", year=2021, platforms=("max", "netflix"))
SERIES, *EPISODES = series_with_episodes("Stranger Signals", episodes=3)
FILMS = {DUNE.title: DUNE}


def content(text: str) -> Content:
    """'"Dune"' or 'episode 2 of "Stranger Signals"', as written in the feature."""
    if episode := re.fullmatch(r'episode (\d+) of "(.+)"', text):
        assert episode[2] == SERIES.title
        return EPISODES[int(episode[1]) - 1]
    film = re.fullmatch(r'"(.+)"', text)
    assert film, text
    return FILMS[film[1]]


def minutes(count: float) -> float:
    return count * 60


class Device:
    """One of Ana's devices: its own sign-in, and a player that numbers the updates of each playback."""

    def __init__(self, api: Api, device_id: str) -> None:
        self.api = api
        self.device_id = device_id
        self.headers: dict[str, str] = {}
        self.playbacks = 0
        self.session_id = ""
        self.sequence = 0
        self.playing: Content | None = None
        self.sent: dict[str, Any] = {}
        self.answer: tuple[int, Any] = (0, None)

    def sign_in(self) -> None:
        status, tokens = self.api.call("post", "/api/v1/auth/login", json=ANA)
        assert status == 200, tokens
        self.headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return self.api.call("get", path, headers=self.headers, **kwargs)

    def play(self, title: Content) -> None:
        """Start a new playback: a new session whose updates are numbered from 1."""
        self.playbacks += 1
        self.session_id = f"{self.device_id}-playback-{self.playbacks}"
        self.sequence = 0
        self.playing = title

    def update(self, title: Content, position_seconds: float) -> dict[str, Any]:
        """The player's next update for `title`; it keeps the current playback if it is the same title."""
        if self.playing != title:
            self.play(title)
        self.sequence += 1
        return {
            "content_id": str(title.id),
            "position_seconds": position_seconds,
            "device_id": self.device_id,
            "session_id": self.session_id,
            "sequence": self.sequence,
        }

    def send(self, body: dict[str, Any]) -> tuple[int, Any]:
        self.api.world.clock.advance(timedelta(seconds=1))  # every delivery reaches the service a little later
        self.sent = body
        self.answer = self.api.call("post", "/api/v1/playback/progress", json=body, headers=self.headers)
        return self.answer

    def report(self, title: Content, position_seconds: float) -> Any:
        status, state = self.send(self.update(title, position_seconds))
        assert status == 200, state
        return state

    def continue_watching(self) -> list[dict[str, Any]]:
        status, page = self.get("/api/v1/playback/continue-watching")
        assert status == 200, page
        return list(page["items"])

    def resume_point(self, title: Content) -> Any:
        status, state = self.get(f"/api/v1/playback/progress/{title.id}")
        assert status == 200, state
        return state

    def history(self) -> list[Any]:
        status, profile = self.get("/api/v1/me")
        assert status == 200, profile
        return list(self.api.run(self.api.world.history(uuid.UUID(profile["user_id"]))))


class Ana:
    def __init__(self, api: Api) -> None:
        self.tv = Device(api, "living-room-tv")
        self.phone = Device(api, "ana-phone")
        self.held_back: dict[str, Any] = {}


@pytest.fixture
def ana(api: Api) -> Ana:
    return Ana(api)


# Background


@given(parsers.parse('the catalog has the film "{film}" and the series "{series}" with {episodes:d} episodes'))
def the_catalog(api: Api, film: str, series: str, episodes: int) -> None:
    assert (film, series, episodes) == (DUNE.title, SERIES.title, len(EPISODES))
    api.run(api.world.catalog.upsert_many([DUNE, SERIES, *EPISODES]))


@given("Ana is signed in on her TV and on her phone")
def signed_in_on_both(api: Api, ana: Ana) -> None:
    assert api.call("post", "/api/v1/auth/register", json=ANA)[0] == 202
    ana.tv.sign_in()
    ana.phone.sign_in()


# Watching


@given(parsers.parse("Ana paused {title} at {count:d} minutes on her TV"))
def paused_on_tv(ana: Ana, title: str, count: int) -> None:
    ana.tv.report(content(title), minutes(count))


@when(parsers.parse("she watches {title} to {count:d} minutes on her TV"))
def watches_to_minutes(ana: Ana, title: str, count: int) -> None:
    ana.tv.report(content(title), minutes(count))


@when(parsers.parse("she watches {title} to 95% on her TV"))
def watches_to_95_percent(ana: Ana, title: str) -> None:
    watched = content(title)
    assert watched.runtime_seconds
    ana.tv.report(watched, 0.95 * watched.runtime_seconds)


@when(parsers.parse("she watches {title} to the end on her TV"))
def watches_to_the_end(ana: Ana, title: str) -> None:
    watched = content(title)
    assert watched.runtime_seconds
    ana.tv.report(watched, watched.runtime_seconds)


@when(parsers.parse("she watches {title} for {seconds:d} seconds on her TV"))
def watches_a_few_seconds(ana: Ana, title: str, seconds: int) -> None:
    ana.tv.report(content(title), seconds)


@when(parsers.parse("she starts {title} over on her TV and watches to {count:d} minutes"))
def starts_over(ana: Ana, title: str, count: int) -> None:
    ana.tv.play(content(title))
    ana.tv.report(content(title), minutes(count))


@then(parsers.parse("{title} counts as finished"))
def counts_as_finished(ana: Ana, title: str) -> None:
    status, state = ana.tv.answer
    assert status == 200 and state["content_id"] == str(content(title).id)
    assert state["completed"] is True and state["progress_percent"] == 95.0


# Continue Watching


@when("she opens Continue Watching on her phone", target_fixture="screen")
def opens_continue_watching(ana: Ana) -> list[dict[str, Any]]:
    return ana.phone.continue_watching()


@then(parsers.parse("she sees {title} at {count:d} minutes, last watched on her TV, with a link to watch it"))
def sees_title(ana: Ana, screen: list[dict[str, Any]], title: str, count: int) -> None:
    (item,) = screen
    assert item["id"] == str(content(title).id) and item["kind"] == "movie"
    assert (item["position_seconds"], item["device_id"], item["reason"]) == (minutes(count), ana.tv.device_id, "resume")
    assert {link["platform"] for link in item["availability"]} == {"max", "netflix"}
    assert all(link["deep_link"].startswith("https://") for link in item["availability"])


@then(parsers.parse("her phone would resume {title} at {count:d} minutes"))
def phone_would_resume(ana: Ana, title: str, count: int) -> None:
    assert ana.phone.resume_point(content(title))["position_seconds"] == minutes(count)


@then("Continue Watching is empty")
def continue_watching_is_empty(ana: Ana) -> None:
    assert ana.phone.continue_watching() == []


@then(
    parsers.parse('Continue Watching shows only episode {number:d} of "{series}", from the start, as the next episode')
)
def shows_next_episode(ana: Ana, number: int, series: str) -> None:
    (item,) = ana.phone.continue_watching()
    assert item["id"] == str(content(f'episode {number} of "{series}"').id)
    assert (item["series_id"], item["season_number"], item["episode_number"]) == (str(SERIES.id), 1, number)
    assert (item["position_seconds"], item["reason"]) == (0, "next_episode")


@when(parsers.parse("she removes {title} from Continue Watching on her phone"))
def removes_title(api: Api, ana: Ana, title: str) -> None:
    path = f"/api/v1/playback/continue-watching/{content(title).id}"
    assert api.call("delete", path, headers=ana.phone.headers)[0] == 204


@then(parsers.parse("{title} is back in Continue Watching at {count:d} minutes"))
def back_in_the_list(ana: Ana, title: str, count: int) -> None:
    (item,) = ana.phone.continue_watching()
    assert (item["id"], item["position_seconds"]) == (str(content(title).id), minutes(count))


# Devices that disagree


@given(parsers.parse("Ana is watching {title} on her TV at {tv:d} minutes and on her phone at {phone:d} minutes"))
def watching_on_both(ana: Ana, title: str, tv: int, phone: int) -> None:
    ana.tv.report(content(title), minutes(tv))
    ana.phone.report(content(title), minutes(phone))


@when(parsers.parse("her phone reports {phone:d} minutes and her TV reports {tv:d} minutes just after"))
def both_report(ana: Ana, phone: int, tv: int) -> None:
    assert ana.phone.playing and ana.tv.playing
    ana.phone.report(ana.phone.playing, minutes(phone))
    ana.tv.report(ana.tv.playing, minutes(tv))


@then(parsers.parse("her TV and her phone both show {title} at {count:d} minutes, last watched on her TV"))
def both_show(ana: Ana, title: str, count: int) -> None:
    for device in (ana.tv, ana.phone):
        (item,) = device.continue_watching()
        assert (item["id"], item["position_seconds"], item["device_id"]) == (
            str(content(title).id),
            minutes(count),
            ana.tv.device_id,
        )
        resume = device.resume_point(content(title))
        assert (resume["position_seconds"], resume["device_id"]) == (minutes(count), ana.tv.device_id)


@given(
    parsers.parse(
        "Ana's TV sent {title} at {first:d} minutes and then at {second:d} minutes, "
        "but only the {arrived:d} minutes arrived"
    )
)
def one_update_delayed(ana: Ana, title: str, first: int, second: int, arrived: int) -> None:
    assert arrived == second
    ana.held_back = ana.tv.update(content(title), minutes(first))
    ana.tv.send(ana.tv.update(content(title), minutes(second)))
    assert ana.tv.answer[0] == 200


@when(parsers.parse("the update at {count:d} minutes arrives late"))
def late_update_arrives(ana: Ana, count: int) -> None:
    assert ana.held_back["position_seconds"] == minutes(count)
    ana.tv.send(ana.held_back)


@then(parsers.parse("it is refused and the answer shows {title} at {count:d} minutes"))
def refused_with_winner(ana: Ana, title: str, count: int) -> None:
    status, problem = ana.tv.answer
    assert status == 409 and problem["type"] == "/problems/stale-progress", problem
    winner = problem["current"]
    assert (winner["content_id"], winner["position_seconds"]) == (str(content(title).id), minutes(count))


@when("the same update from her TV is delivered again", target_fixture="first_answer")
def delivered_again(ana: Ana) -> Any:
    first_answer = ana.tv.answer
    ana.tv.send(dict(ana.tv.sent))
    return first_answer


@then("the answer is the position already recorded, unchanged")
def answer_unchanged(ana: Ana, first_answer: tuple[int, Any]) -> None:
    assert ana.tv.answer == first_answer
    content_id = first_answer[1]["content_id"]
    assert ana.phone.get(f"/api/v1/playback/progress/{content_id}") == first_answer


@then("her viewing history records that pause only once")
def history_once(ana: Ana) -> None:
    (event,) = ana.phone.history()
    sent = ana.tv.sent
    assert (str(event.content_id), event.position_seconds) == (sent["content_id"], sent["position_seconds"])


# Housekeeping


@when(parsers.parse("{days:d} days pass and the nightly cleanup runs"))
def nightly_cleanup(api: Api, days: int) -> None:
    api.world.clock.advance(timedelta(days=days))
    api.run(api.world.archive_all())
    assert api.run(api.world.container.playback.remove_stale_progress()()) == 1


@when("she signs in again on her phone")
def signs_in_again(ana: Ana) -> None:
    ana.phone.sign_in()


@then(parsers.parse("her viewing history still shows {title} at {count:d} minutes"))
def history_kept(ana: Ana, title: str, count: int) -> None:
    (event,) = ana.phone.history()
    assert (event.content_id, event.position_seconds) == (content(title).id, minutes(count))


@when("her TV reports progress for a title that is not in the catalog")
def unknown_title(ana: Ana) -> None:
    ana.tv.send(ana.tv.update(movie("Not In The Catalog"), minutes(10)))


@then("it is refused as not found")
def refused_as_not_found(ana: Ana) -> None:
    status, problem = ana.tv.answer
    assert status == 404 and problem["type"] == "/problems/content-not-found", problem
