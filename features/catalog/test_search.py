from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.catalog_fixtures import small_catalog

scenarios("catalog/search.feature")


@pytest.fixture
def answer() -> dict[str, Any]:
    return {}


@given(parsers.parse("a catalog with {description}"))
def a_catalog(api: Api, description: str) -> None:
    items = small_catalog()
    for title in ["Dune", "Dune: Part Two", "The Matrix", "The Silent Harbor", "Stranger Signals"]:
        assert title in description and any(i.title == title for i in items)
    api.run(api.world.catalog.upsert_many(items))


@when(parsers.parse('a viewer searches for "{text}" on "{platform}"'))
def search_on_platform(api: Api, answer: dict[str, Any], text: str, platform: str) -> None:
    answer["status"], answer["body"] = api.call("get", "/api/v1/search", query_string={"q": text, "platform": platform})


@when(parsers.parse('a viewer searches for "{text}"'))
def search(api: Api, answer: dict[str, Any], text: str) -> None:
    answer["status"], answer["body"] = api.call("get", "/api/v1/search", query_string={"q": text})


def result_titles(answer: dict[str, Any]) -> list[str]:
    assert answer["status"] == 200, answer["body"]
    return [item["title"] for item in answer["body"]["items"]]


@then(parsers.parse('the first result is "{title}"'))
def first_result(answer: dict[str, Any], title: str) -> None:
    assert result_titles(answer)[0] == title


@then(parsers.parse('"{title}" is also found'))
def also_found(answer: dict[str, Any], title: str) -> None:
    assert title in result_titles(answer)


@then(parsers.parse('the only result is "{title}"'))
def only_result(answer: dict[str, Any], title: str) -> None:
    assert result_titles(answer) == [title]


@when(parsers.parse('a viewer opens "{title}"'))
def opens(api: Api, answer: dict[str, Any], title: str) -> None:
    item = next(i for i in small_catalog() if i.title == title)
    answer["status"], answer["body"] = api.call("get", f"/api/v1/content/{item.id}")


@then("it lists a link for each platform it streams on")
def lists_links(answer: dict[str, Any]) -> None:
    assert answer["status"] == 200
    availability = answer["body"]["availability"]
    assert {a["platform"] for a in availability} == {"max", "netflix"}
    assert all(a["deep_link"].startswith("https://") for a in availability)


@then(parsers.parse('the first result is the series "{title}"'))
def first_is_series(answer: dict[str, Any], title: str) -> None:
    first = answer["body"]["items"][0]
    assert (first["title"], first["kind"]) == (title, "series")


@then("its episodes follow with their season and episode numbers")
def episodes_follow(answer: dict[str, Any]) -> None:
    items = answer["body"]["items"]
    series_id = items[0]["id"]
    episodes = items[1:]
    assert episodes and all(e["kind"] == "episode" and e["series_id"] == series_id for e in episodes)
    assert sorted(e["episode_number"] for e in episodes) == [1, 2, 3]
    assert {e["season_number"] for e in episodes} == {1}


@then("they are told the search needs some words")
def told_needs_words(answer: dict[str, Any]) -> None:
    assert answer["status"] == 400
    assert "must not be empty" in answer["body"]["detail"]
