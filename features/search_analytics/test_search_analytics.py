from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.admins import signed_in_admin
from tests.support.catalog_fixtures import small_catalog

scenarios("search_analytics/search_analytics.feature")

WORDS = {"four": 4, "five": 5, "six": 6}


class Searches:
    """The scenario's viewers: anonymous, told apart by their browsers (the User-Agent)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.viewers = 0

    def new_viewer(self) -> dict[str, str]:
        self.viewers += 1
        return {"User-Agent": f"Browser of viewer {self.viewers}"}

    def search(self, text: str, viewer: dict[str, str]) -> dict[str, Any]:
        status, page = self.api.call("get", "/api/v1/search", query_string={"q": text}, headers=viewer)
        assert status == 200, page
        return dict(page)

    def open_first(self, page: dict[str, Any]) -> None:
        body = {"search_id": page["search_id"], "content_id": page["items"][0]["id"], "position": 1}
        status, answer = self.api.call("post", "/api/v1/search/clicks", json=body)
        assert status == 204, answer


@pytest.fixture
def searches(api: Api) -> Searches:
    return Searches(api)


@pytest.fixture
def report() -> dict[str, Any]:
    return {}


@given(parsers.parse("a catalog with {description}"))
def a_catalog(api: Api) -> None:
    api.run(api.world.catalog.upsert_many(small_catalog()))


@given(parsers.parse('{count} viewers search for "{text}" and {clicking} of them open the first result'))
def viewers_search_and_click(searches: Searches, count: str, text: str, clicking: str) -> None:
    for n in range(WORDS[count]):
        page = searches.search(text, searches.new_viewer())
        assert page["items"], page
        if n < WORDS[clicking]:
            searches.open_first(page)


@given(parsers.parse('{count} viewers search for "{text}", which finds nothing'))
def viewers_find_nothing(searches: Searches, count: str, text: str) -> None:
    for _ in range(WORDS[count]):
        assert searches.search(text, searches.new_viewer())["total"] == 0


@given(parsers.parse('{count} viewers search for "{text}"'))
def viewers_search(searches: Searches, count: str, text: str) -> None:
    for _ in range(WORDS[count]):
        searches.search(text, searches.new_viewer())


@given(parsers.parse('one viewer searches for "{text}" ten times'))
def one_viewer_searches_often(searches: Searches, text: str) -> None:
    viewer = searches.new_viewer()
    for _ in range(10):
        searches.search(text, viewer)


@when("the worker rolls up the searches")
def roll_up(api: Api, report: dict[str, Any]) -> None:
    analytics = api.world.container.search_analytics
    api.run(analytics.flush_search_events()())
    api.run(analytics.roll_up_searches()())
    tokens = api.run(signed_in_admin(api.client, api.world.container))
    admin = {"Authorization": f"Bearer {tokens['access_token']}"}
    status, body = api.call("get", "/api/v1/admin/search/analytics?window=24h", headers=admin)
    assert status == 200, body
    report.update(body)


def listed(report: dict[str, Any], section: str, query: str) -> dict[str, Any]:
    found = [entry for entry in report[section] if entry["query"] == query]
    assert found, f"{query!r} is not in {section}: {report[section]}"
    return found[0]


@then(parsers.parse('the report lists "{query}" as popular with {searches:d} searches by {viewers:d} viewers'))
def popular(report: dict[str, Any], query: str, searches: int, viewers: int) -> None:
    entry = listed(report, "popular", query)
    assert (entry["searches"], entry["viewers"]) == (searches, viewers)


@then(parsers.parse("its click-through rate is {rate:f} and the average click position {position:f}"))
def click_through(report: dict[str, Any], rate: float, position: float) -> None:
    entry = report["popular"][0]
    assert round(entry["click_through_rate"], 2) == rate
    assert entry["average_click_position"] == position


@then(parsers.parse('the report lists "{query}" among the queries without results'))
def without_results(report: dict[str, Any], query: str) -> None:
    listed(report, "zero_results", query)


@then(parsers.parse('the nearest title it suggests is "{title}"'))
def nearest_title(report: dict[str, Any], title: str) -> None:
    assert report["zero_results"][0]["closest_titles"][0] == title


@then("neither query is in any of the report's lists")
def nothing_listed(report: dict[str, Any]) -> None:
    assert report["popular"] == report["zero_results"] == report["no_clicks"] == []


@then(parsers.parse("the report's totals count all {searches:d} searches by {viewers:d} viewers"))
def totals(report: dict[str, Any], searches: int, viewers: int) -> None:
    assert (report["totals"]["searches"], report["totals"]["viewers"]) == (searches, viewers)


@then("the address appears nowhere in the report")
def address_nowhere(report: dict[str, Any]) -> None:
    assert "ana.lopez" not in repr(report) and "example.com" not in repr(report)
