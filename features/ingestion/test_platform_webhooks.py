"""Steps of the platform webhooks feature: Netflix and YouTube registered in their own feed
formats, announcing through the real app (signed with the registration's secret as Standard
Webhooks), the worker's processing run as the worker would, and what viewers and operators see."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from features.conftest import Api
from tests.support.admins import signed_in_admin
from tests.support.webhook_signers import standard_headers

scenarios("ingestion/platform_webhooks.feature")

PLATFORMS = {"Netflix": ("netflix", "netflix-feed"), "YouTube": ("youtube", "youtube-feed")}
COUNTRIES = {"the US": "US", "Canada": "CA", "the UK": "GB", "Germany": "DE"}
NETFLIX_IDS = {"Dune": 81234567, "Dark": 80100172, "Secrets": 80083977}
YOUTUBE_IDS = {"The Silent Harbor": "Zr4Nw0Qe8kA"}


def countries(text: str) -> list[str]:
    """ "the US, Canada and the UK" -> ["US", "CA", "GB"]."""
    return [COUNTRIES[name.strip()] for name in re.split(r",| and ", text) if name.strip()]


class Newsroom:
    """The platforms' side: their secrets, and what each has announced, in order."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.secrets: dict[str, str] = {}
        self.admin: dict[str, Any] = {}
        self.sent: list[tuple[str, bytes]] = []
        self.answers: list[tuple[int, Any]] = []

    def token(self) -> str:
        if not self.admin:
            self.admin = self.api.run(signed_in_admin(self.api.client, self.api.world.container))
        return str(self.admin["access_token"])

    def register(self, platform: str) -> None:
        name, format_ = PLATFORMS[platform]
        status, body = self.api.call(
            "post",
            "/api/v1/webhooks/registrations",
            json={"platform": name, "scheme": "standard", "format": format_},
            headers={"Authorization": f"Bearer {self.token()}"},
        )
        assert status == 201, body
        self.secrets[platform] = body["secret"]

    def announce(self, platform: str, payload: dict[str, Any], *, delivery_id: str | None = None) -> Any:
        """Sign and send one delivery, then let the worker apply what was accepted."""
        body = json.dumps(payload).encode()
        self.sent.append((platform, body))
        return self.send(platform, body, delivery_id or f"msg_{uuid.uuid4().hex}")

    def send(self, platform: str, body: bytes, delivery_id: str) -> Any:
        world = self.api.world
        headers = standard_headers(self.secrets[platform], delivery_id, world.clock.now(), body)
        status, answer = self.api.call("post", f"/api/v1/webhooks/{PLATFORMS[platform][0]}", data=body, headers=headers)
        self.answers.append((status, answer))
        assert status == 202, answer
        self.api.run(world.process_ingested())
        world.clock.advance(timedelta(seconds=1))
        return answer

    def event_time_ms(self) -> int:
        return int(self.api.world.clock.now().timestamp() * 1000)

    def admin_call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        return self.api.call(method, path, headers={"Authorization": f"Bearer {self.token()}"}, **kwargs)


@pytest.fixture
def newsroom(api: Api) -> Newsroom:
    return Newsroom(api)


def netflix_title(
    newsroom: Newsroom,
    name: str,
    year: int,
    where: list[str],
    *,
    title_type: str = "MOVIE",
    episode_of: tuple[str, int, int] | None = None,
) -> dict[str, Any]:
    title: dict[str, Any] = {
        "titleId": NETFLIX_IDS[name],
        "titleType": title_type,
        "defaultLocale": "en-US",
        "names": {"en-US": name},
        "synopses": {"en-US": f"The story of {name}."},
        "releaseYear": year,
        "availability": [{"country": c} for c in where],
    }
    if episode_of:
        series, season, episode = episode_of
        title.update(showId=NETFLIX_IDS[series], seasonNumber=season, episodeNumber=episode, runtime=3060)
    return {
        "eventId": f"nf-evt-{uuid.uuid4()}",
        "eventType": "TITLE_ADDED",
        "eventTimeMs": newsroom.event_time_ms(),
        "title": title,
    }


def netflix_availability(newsroom: Newsroom, name: str, where: list[str]) -> dict[str, Any]:
    return {
        "eventId": f"nf-evt-{uuid.uuid4()}",
        "eventType": "AVAILABILITY_UPDATED",
        "eventTimeMs": newsroom.event_time_ms(),
        "title": {
            "titleId": NETFLIX_IDS[name],
            "titleType": "MOVIE",
            "availability": [{"country": c} for c in where],
        },
    }


def youtube_video(newsroom: Newsroom, name: str, privacy: str) -> dict[str, Any]:
    at = newsroom.api.world.clock.now().isoformat().replace("+00:00", "Z")
    return {
        "kind": "youtube#videoNotification",
        "eventId": f"yt-evt-{uuid.uuid4().hex}",
        "eventTime": at,
        "video": {
            "kind": "youtube#video",
            "id": YOUTUBE_IDS[name],
            "snippet": {"publishedAt": "2019-03-08T12:00:00Z", "channelId": "UCsilentharbor", "title": name},
            "contentDetails": {"duration": "PT1H52M14S", "regionRestriction": {"allowed": ["US", "GB"]}},
            "status": {"privacyStatus": privacy, "uploadStatus": "processed"},
        },
    }


def search(api: Api, text: str, platform: str | None = None) -> list[dict[str, Any]]:
    query = {"q": text, **({"platform": platform} if platform else {})}
    status, page = api.call("get", "/api/v1/search", query_string=query)
    assert status == 200, page
    return list(page["items"])


def page_of(api: Api, title: str) -> dict[str, Any]:
    (item,) = [i for i in search(api, title) if i["title"] == title]
    status, page = api.call("get", f"/api/v1/content/{item['id']}")
    assert status == 200, page
    return dict(page)


def offered(page: dict[str, Any], platform: str) -> list[str]:
    return sorted(a["region"] for a in page["availability"] if a["platform"] == PLATFORMS[platform][0])


# Given


@given(parsers.parse("{platform} is registered to announce its titles in its own feed"))
@given(parsers.parse("{platform} is registered to announce its videos in its own feed"))
def registered(newsroom: Newsroom, platform: str) -> None:
    newsroom.register(platform)


@given(parsers.parse('Netflix has announced "{name}" in {where}'))
def netflix_has_announced(newsroom: Newsroom, name: str, where: str) -> None:
    newsroom.announce("Netflix", netflix_title(newsroom, name, 2021, countries(where)))


@given(parsers.parse('YouTube has announced the video "{name}"'))
def youtube_has_announced(newsroom: Newsroom, name: str) -> None:
    newsroom.announce("YouTube", youtube_video(newsroom, name, "public"))
    assert search(newsroom.api, name, "youtube"), "the video did not arrive"


@given(
    parsers.parse(
        'Netflix\'s announcement of the first episode of "{series}" was set aside because the series was unknown'
    )
)
def episode_set_aside(newsroom: Newsroom, series: str) -> None:
    episode_before_series(newsroom, series)
    assert len(dead_letters(newsroom)) == 1


# When


@when(parsers.parse('Netflix announces "{name}" ({year:d}), streaming in {where}'))
def netflix_announces(newsroom: Newsroom, name: str, year: int, where: str) -> None:
    newsroom.announce("Netflix", netflix_title(newsroom, name, year, countries(where)))


@when(parsers.parse('Netflix announces that "{name}" is now streaming in {where}'))
def netflix_moves(newsroom: Newsroom, name: str, where: str) -> None:
    newsroom.announce("Netflix", netflix_availability(newsroom, name, countries(where)))


@when(parsers.parse('Netflix announces that "{name}" leaves the US catalog'))
def netflix_leaves_us(newsroom: Newsroom, name: str) -> None:
    remaining = [r for r in offered(page_of(newsroom.api, name), "Netflix") if r != "US"]
    newsroom.announce("Netflix", netflix_availability(newsroom, name, remaining))


@when("YouTube announces that the video is now private")
def youtube_private(newsroom: Newsroom) -> None:
    newsroom.announce("YouTube", youtube_video(newsroom, "The Silent Harbor", "private"))


@when("Netflix sends the same announcement again under a new event id")
def resend(newsroom: Newsroom) -> None:
    platform, body = newsroom.sent[-1]
    newsroom.send(platform, body, f"msg_{uuid.uuid4().hex}")


@when(parsers.parse('Netflix announces the first episode of "{series}" before announcing the series'))
def episode_before_series(newsroom: Newsroom, series: str) -> None:
    payload = netflix_title(newsroom, "Secrets", 2017, ["US", "DE"], title_type="EPISODE", episode_of=(series, 1, 1))
    newsroom.announce("Netflix", payload)


@when(parsers.parse('Netflix announces the series "{series}"'))
def netflix_series(newsroom: Newsroom, series: str) -> None:
    newsroom.announce("Netflix", netflix_title(newsroom, series, 2017, ["US", "DE"], title_type="SHOW"))


@when("an operator replays the set-aside announcements")
def replay(newsroom: Newsroom) -> None:
    status, answer = newsroom.admin_call("post", "/api/v1/webhooks/dead-letters/replay", json={"platform": "netflix"})
    assert status == 200, answer
    assert answer["requeued"] == 1, answer
    newsroom.api.run(newsroom.api.world.process_ingested())


# Then


@then(parsers.parse('a viewer searching for "{text}" finds "{title}" on Netflix'))
def finds_on_netflix(newsroom: Newsroom, text: str, title: str) -> None:
    assert [i["title"] for i in search(newsroom.api, text, "netflix")] == [title]


@then(parsers.parse("its page links to Netflix in {where}"))
def page_links(newsroom: Newsroom, where: str) -> None:
    assert offered(page_of(newsroom.api, "Dune"), "Netflix") == sorted(countries(where))


@then(parsers.parse('the page of "{title}" links to Netflix in {where} only'))
def page_links_only(newsroom: Newsroom, title: str, where: str) -> None:
    assert offered(page_of(newsroom.api, title), "Netflix") == sorted(countries(where))


@then(parsers.parse('a viewer searching for "{text}" on Netflix still finds it'))
def still_found(newsroom: Newsroom, text: str) -> None:
    assert [i["title"] for i in search(newsroom.api, text, "netflix")] == ["Dune"]


@then("its page no longer offers Netflix in the US")
def not_in_us(newsroom: Newsroom) -> None:
    regions = offered(page_of(newsroom.api, "Dune"), "Netflix")
    assert "US" not in regions and regions, regions


@then(parsers.parse('"{title}" is no longer offered on YouTube'))
def gone_from_youtube(newsroom: Newsroom, title: str) -> None:
    assert not [i for i in search(newsroom.api, title, "youtube") if i["title"] == title]


@then("it is acknowledged as a duplicate")
def acknowledged_duplicate(newsroom: Newsroom) -> None:
    first, again = newsroom.answers[-2], newsroom.answers[-1]
    assert again[1] == {"event_id": first[1]["event_id"], "duplicate": True}


@then(parsers.parse('the catalog holds one "{title}", unchanged'))
def one_unchanged(newsroom: Newsroom, title: str) -> None:
    found = [i for i in search(newsroom.api, title) if i["title"] == title]
    assert len(found) == 1
    assert offered(found[0], "Netflix") == ["US"]


@then("the episode does not appear in the catalog")
def episode_absent(newsroom: Newsroom) -> None:
    assert not [i for i in search(newsroom.api, "secrets") if i["title"] == "Secrets"]


def dead_letters(newsroom: Newsroom) -> list[dict[str, Any]]:
    status, page = newsroom.admin_call("get", "/api/v1/webhooks/dead-letters")
    assert status == 200, page
    return list(page["items"])


@then("an operator finds the announcement among the dead letters, saying the series is unknown")
def dead_letter_found(newsroom: Newsroom) -> None:
    (letter,) = dead_letters(newsroom)
    assert letter["platform"] == "netflix" and letter["error"] == "unknown-series", letter
    assert letter["event_id"] == newsroom.answers[-1][1]["event_id"]


@then(parsers.parse('"{series}" lists the episode "{episode}" as season {season:d}, episode {number:d}'))
def lists_episode(newsroom: Newsroom, series: str, episode: str, season: int, number: int) -> None:
    series_page = page_of(newsroom.api, series)
    (found,) = [i for i in search(newsroom.api, episode) if i["title"] == episode]
    assert found["series_id"] == series_page["id"]
    assert (found["season_number"], found["episode_number"]) == (season, number)


@then("no announcement is left among the dead letters")
def no_dead_letters(newsroom: Newsroom) -> None:
    assert dead_letters(newsroom) == []
