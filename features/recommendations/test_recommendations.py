from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from domain.catalog.content import Content
from features.conftest import Api
from tests.support.apps import fake_container, running
from tests.support.catalog_fixtures import movie

scenarios("recommendations/recommendations.feature")

SCIENCE_FICTION = [movie(f"Star Voyage {n}", genres=("science-fiction",)) for n in range(1, 21)]
ROMANCES = [movie(f"Love Letters {n}", genres=("romance",)) for n in range(1, 21)]
GENRE = {
    film.id: genre for films, genre in ((SCIENCE_FICTION, "science-fiction"), (ROMANCES, "romance")) for film in films
}
# Every romance fan and three science-fiction fans finished it: the most finished title of all.
MOST_FINISHED = ROMANCES[0]
LEAS_FILMS = SCIENCE_FICTION[:3]
PASSWORD = "a long passphrase for everyone"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """The fake world, with room for two dozen sign-ups from one address."""
    world = fake_container(tmp_path, registrations_per_ip=100, registrations_per_minute=100)
    with asyncio.Runner() as runner:
        context = running(world.container)
        _, client = runner.run(context.__aenter__())
        try:
            yield Api(runner, client, world)
        finally:
            runner.run(context.__aexit__(None, None, None))


class Viewer:
    def __init__(self, api: Api, name: str) -> None:
        self.api = api
        email = f"{name.lower()}@example.com"
        status, body = api.call("post", "/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        assert status == 202, body
        status, tokens = api.call("post", "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert status == 200, tokens
        self.headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        self.finished: list[Content] = []

    def finish(self, film: Content) -> None:
        assert film.runtime_seconds
        self.api.world.clock.advance(timedelta(minutes=1))
        body = {
            "content_id": str(film.id),
            "position_seconds": film.runtime_seconds,
            "device_id": "tv",
            "session_id": f"tv-{film.id}",
            "sequence": 1,
        }
        status, state = self.api.call("post", "/api/v1/playback/progress", json=body, headers=self.headers)
        assert status == 200 and state["completed"], state
        self.finished.append(film)

    def recommendations(self) -> dict[str, Any]:
        status, answer = self.api.call("get", "/api/v1/recommendations?limit=10", headers=self.headers)
        assert status == 200, answer
        return dict(answer)


class Story:
    def __init__(self) -> None:
        self.lea: Viewer | None = None
        self.version: int | None = None
        self.answer: dict[str, Any] = {}
        self.rated: str = ""
        self.new_film: Content | None = None


@pytest.fixture
def story() -> Story:
    return Story()


def caught_up(api: Api) -> None:
    """What the worker does continuously: archive the journalled changes, then update the
    vectors of the viewers whose history changed."""
    api.run(api.world.archive_all())
    api.run(api.world.refresh_recommendations())


def science_fiction_share(items: list[dict[str, Any]]) -> float:
    assert items
    return sum(GENRE.get(_id(item)) == "science-fiction" for item in items) / len(items)


def _id(item: dict[str, Any]) -> Any:
    from uuid import UUID

    return UUID(item["id"])


# Background


@given("a catalog of science-fiction films and romances")
def catalog(api: Api) -> None:
    api.run(api.world.catalog.upsert_many([*SCIENCE_FICTION, *ROMANCES]))


@given("a dozen viewers who finish science-fiction films and a dozen who finish romances")
def two_tastes(api: Api) -> None:
    pick = random.Random(14)
    for n in range(12):
        fan = Viewer(api, f"sf{n}")
        for film in pick.sample(SCIENCE_FICTION, 8):
            fan.finish(film)
        if n < 3:
            fan.finish(MOST_FINISHED)
    for n in range(12):
        fan = Viewer(api, f"romance{n}")
        for film in [MOST_FINISHED, *pick.sample(ROMANCES[1:], 7)]:
            fan.finish(film)
    api.run(api.world.archive_all())


# Training and watching


@given("the recommendation model has been trained")
def trained(api: Api, story: Story) -> None:
    api.run(api.world.archive_all())
    trained = api.run(api.world.container.recommendation_training.train_model()())
    assert trained is not None
    story.version = trained.version


@given("Lea, who is new, finishes three science-fiction films")
@when("Lea, who is new, finishes three science-fiction films")
def lea_finishes(api: Api, story: Story) -> None:
    story.lea = Viewer(api, "Lea")
    for film in LEAS_FILMS:
        story.lea.finish(film)
    caught_up(api)


@when("she rates her first recommended film 1 star")
def rates_low(api: Api, story: Story) -> None:
    assert story.lea
    first = story.lea.recommendations()["items"][0]
    story.rated = first["id"]
    status, rating = api.call("put", f"/api/v1/me/ratings/{first['id']}", json={"rating": 1}, headers=story.lea.headers)
    assert status == 200, rating


@given("a science-fiction film arrives in the catalog after the training")
def new_film(api: Api, story: Story) -> None:
    story.new_film = movie("Star Voyage: The Newest", genres=("science-fiction",))
    GENRE[story.new_film.id] = "science-fiction"
    api.run(api.world.catalog.upsert_many([story.new_film]))


@when("someone asks for titles similar to a science-fiction film")
def similar_to_science_fiction(api: Api, story: Story) -> None:
    status, story.answer = api.call("get", f"/api/v1/content/{SCIENCE_FICTION[5].id}/similar?limit=10")
    assert status == 200, story.answer


@when("someone asks for titles similar to the new film")
def similar_to_new(api: Api, story: Story) -> None:
    assert story.new_film
    status, story.answer = api.call("get", f"/api/v1/content/{story.new_film.id}/similar?limit=5")
    assert status == 200, story.answer


# Outcomes


@then("her recommendations are mostly science fiction, from the trained model")
def mostly_science_fiction(story: Story) -> None:
    assert story.lea
    story.answer = story.lea.recommendations()
    assert story.answer["source"] == "als"
    assert story.answer["model_version"] == story.version
    assert len(story.answer["items"]) == 10
    assert science_fiction_share(story.answer["items"]) >= 0.7, [i["title"] for i in story.answer["items"]]


@then("each of them names up to two of her films as the reason")
def reasons(story: Story) -> None:
    hers = {str(film.id): film.title for film in LEAS_FILMS}
    for item in story.answer["items"]:
        assert 1 <= len(item["because"]) <= 2, item
        assert {(b["id"], b["title"]) for b in item["because"]} <= set(hers.items()), item


@then("none of the films she finished is among them")
def nothing_finished(story: Story) -> None:
    assert not {item["id"] for item in story.answer["items"]} & {str(film.id) for film in LEAS_FILMS}


@then("that film is no longer among her recommendations")
def rated_film_gone(story: Story) -> None:
    assert story.lea
    again = story.lea.recommendations()
    assert again["source"] == "als"
    assert story.rated not in {item["id"] for item in again["items"]}


@then("most of the similar titles are science fiction")
def similar_mostly_science_fiction(story: Story) -> None:
    assert story.answer["source"] == "als"
    assert str(SCIENCE_FICTION[5].id) not in {item["id"] for item in story.answer["items"]}
    assert science_fiction_share(story.answer["items"]) >= 0.7, [i["title"] for i in story.answer["items"]]


@then("her recommendations are the most finished titles, marked as popular")
def popular_for_lea(story: Story) -> None:
    assert story.lea
    answer = story.lea.recommendations()
    assert answer["source"] == "popular"
    assert answer["model_version"] is None
    assert answer["items"][0]["id"] == str(MOST_FINISHED.id)
    scores = [item["score"] for item in answer["items"]]
    assert scores == sorted(scores, reverse=True)
    assert not {item["id"] for item in answer["items"]} & {str(film.id) for film in LEAS_FILMS}


@then("the similar titles are popular science fiction, marked as popular")
def popular_like_new(story: Story) -> None:
    assert story.answer["source"] == "popular"
    assert story.answer["items"]
    assert science_fiction_share(story.answer["items"]) == 1.0
    scores = [item["score"] for item in story.answer["items"]]
    assert scores == sorted(scores, reverse=True)


_ = parsers  # the steps above are all literal
