from __future__ import annotations

import uuid

from domain.catalog.content import Availability, Content, ContentKind


def _id(key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"test/{key}")


def movie(
    title: str,
    *,
    year: int = 2020,
    genres: tuple[str, ...] = ("drama",),
    platforms: tuple[str, ...] = ("netflix",),
    synopsis: str = "A story worth watching.",
) -> Content:
    return Content(
        id=_id(title),
        title=title,
        kind=ContentKind.MOVIE,
        release_year=year,
        genres=genres,
        synopsis=synopsis,
        availability=tuple(
            Availability(platform=p, region="US", deep_link=f"https://{p}.example/{_id(title)}") for p in platforms
        ),
        runtime_seconds=7200,
    )


def series_with_episodes(title: str, episodes: int = 3) -> list[Content]:
    show = Content(
        id=_id(title),
        title=title,
        kind=ContentKind.SERIES,
        release_year=2019,
        genres=("science-fiction",),
        synopsis="Signals from the deep sky change a small town.",
        availability=(Availability("max", "US", f"https://max.example/{_id(title)}"),),
    )
    return [show] + [
        Content(
            id=_id(f"{title}/1/{n}"),
            title=f"{title}: Chapter {n}",
            kind=ContentKind.EPISODE,
            release_year=2019,
            genres=show.genres,
            synopsis=f"Chapter {n} of the story.",
            availability=show.availability,
            runtime_seconds=2700,
            series_id=show.id,
            season_number=1,
            episode_number=n,
        )
        for n in range(1, episodes + 1)
    ]


def small_catalog() -> list[Content]:
    return [
        movie(
            "Dune",
            year=2021,
            genres=("science-fiction", "adventure"),
            platforms=("max", "netflix"),
            synopsis="A noble family fights for the desert planet Arrakis.",
        ),
        movie(
            "Dune: Part Two",
            year=2024,
            genres=("science-fiction",),
            platforms=("max",),
            synopsis="Paul unites with the Fremen of the desert.",
        ),
        movie(
            "The Matrix",
            year=1999,
            genres=("action", "science-fiction"),
            platforms=("netflix",),
            synopsis="A hacker learns the world is a simulation.",
        ),
        movie(
            "The Silent Harbor",
            year=2018,
            genres=("thriller",),
            platforms=("prime-video",),
            synopsis="A detective returns to the fishing town she fled.",
        ),
        movie(
            "Midnight in Lisbon",
            year=2015,
            genres=("romance", "drama"),
            platforms=("disney-plus",),
            synopsis="Two strangers miss the last tram and find each other.",
        ),
        *series_with_episodes("Stranger Signals"),
    ]
