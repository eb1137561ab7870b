"""Generate the demo catalog shipped with the service (adapters/catalog/demo_catalog.jsonl.gz).

Deterministic: the same seed gives byte-identical output, so the file only changes when this
script does. Run with: .venv/bin/python scripts/generate_demo_catalog.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "adapters" / "catalog" / "demo_catalog.jsonl.gz"

GENRES = [
    "action",
    "adventure",
    "animation",
    "comedy",
    "crime",
    "documentary",
    "drama",
    "family",
    "fantasy",
    "history",
    "horror",
    "music",
    "mystery",
    "romance",
    "science-fiction",
    "thriller",
    "war",
    "western",
]
PLATFORMS = {
    "netflix": "https://www.netflix.com/title/{num}",
    "prime-video": "https://www.primevideo.com/detail/{slug}",
    "disney-plus": "https://www.disneyplus.com/video/{slug}",
    "max": "https://play.max.com/show/{slug}",
    "apple-tv": "https://tv.apple.com/us/movie/{slug}",
    "hulu": "https://www.hulu.com/watch/{slug}",
    "paramount-plus": "https://www.paramountplus.com/movies/video/{slug}",
    "peacock": "https://www.peacocktv.com/watch/asset/{slug}",
}
REGIONS = ["US", "GB", "DE", "FR", "ES", "BR", "JP", "IN"]

ADJECTIVES = [
    "Silent",
    "Crimson",
    "Hidden",
    "Last",
    "Broken",
    "Golden",
    "Distant",
    "Burning",
    "Frozen",
    "Lost",
    "Wild",
    "Midnight",
    "Electric",
    "Hollow",
    "Restless",
    "Velvet",
    "Iron",
    "Paper",
    "Glass",
    "Quiet",
    "Savage",
    "Gentle",
    "Northern",
    "Forgotten",
    "Endless",
    "Little",
    "Secret",
    "Shattered",
    "Bright",
    "Dark",
    "Final",
    "First",
    "Falling",
    "Rising",
    "Sleeping",
    "Wandering",
    "Scarlet",
    "Silver",
    "Blue",
]
NOUNS = [
    "Harbor",
    "Kingdom",
    "Signal",
    "Garden",
    "Frontier",
    "River",
    "Empire",
    "Witness",
    "Orchard",
    "Station",
    "Horizon",
    "Voyage",
    "Lantern",
    "Citadel",
    "Echo",
    "Tide",
    "Mountain",
    "Island",
    "Compass",
    "Archive",
    "Crown",
    "Shadow",
    "Summer",
    "Winter",
    "Storm",
    "Road",
    "Promise",
    "Border",
    "Canyon",
    "Desert",
    "Forest",
    "Valley",
    "Mirror",
    "Letter",
    "Orchestra",
    "Carnival",
    "Lighthouse",
    "Market",
    "Bridge",
]
PLACES = [
    "Lisbon",
    "Tokyo",
    "Marrakesh",
    "Havana",
    "Oslo",
    "Buenos Aires",
    "Istanbul",
    "Reykjavik",
    "Naples",
    "Seoul",
    "Lagos",
    "Montreal",
    "Vienna",
    "Mumbai",
    "Santiago",
    "Prague",
    "Cairo",
    "Dublin",
    "Kyoto",
]
NAMES = ["Amélie", "Rosa", "Jonah", "Mira", "Tomás", "Nadia", "Felix", "Ines", "Kofi", "Lena", "Otto", "Zara"]
PATTERNS = [
    "The {adj} {noun}",
    "{adj} {noun}",
    "{noun} of {place}",
    "Midnight in {place}",
    "The {noun} of {name}",
    "{name}'s {noun}",
    "Echoes of {noun}",
    "Beyond the {noun}",
    "A {noun} in {place}",
    "{adj} {noun} {year}",
    "The {noun} Runners",
    "{adj} Hearts",
    "Return to {place}",
    "The Last {noun}",
]
EPISODE_TITLES = [
    "Pilot",
    "The Long Night",
    "Homecoming",
    "Crossroads",
    "Old Debts",
    "Undertow",
    "The Visitor",
    "Fault Lines",
    "Ghosts",
    "Open Water",
    "Signals",
    "The Deal",
    "Blackout",
    "First Light",
    "Reckoning",
    "Thaw",
    "Aftershock",
    "The Bridge",
    "Masks",
    "Exit Wounds",
    "Safe Harbor",
    "Endgame",
]
HOOKS = [
    "A {who} {verb} when {event}.",
    "When {event}, a {who} must {goal}.",
    "{place}, {year}: a {who} {verb} as {event}.",
    "A {who} and an unlikely ally must {goal} before {event}.",
]
WHO = [
    "retired detective",
    "young pilot",
    "grieving chef",
    "stubborn farmer",
    "rookie journalist",
    "former spy",
    "small-town teacher",
    "runaway heiress",
    "brilliant hacker",
    "weary ship captain",
]
VERBS = [
    "questions everything",
    "returns home",
    "breaks the rules",
    "finds an unexpected family",
    "uncovers a buried secret",
    "races against time",
    "risks it all",
]
EVENTS = [
    "a storm cuts the town off",
    "an old letter resurfaces",
    "the signal goes silent",
    "a stranger arrives with a warning",
    "the harvest fails",
    "the election turns violent",
    "a comet lights the sky",
    "the last train leaves",
]
GOALS = [
    "save what is left of the family business",
    "solve a decades-old disappearance",
    "cross a continent on foot",
    "win back a stolen crown",
    "keep a dangerous promise",
]
SPOTLIGHT = [
    ("Dune", ["science-fiction", "adventure"], 2021, 155),
    ("Dune: Part Two", ["science-fiction", "adventure"], 2024, 166),
    ("The Matrix", ["science-fiction", "action"], 1999, 136),
    ("Breaking Point", ["thriller", "drama"], 2016, 112),
    ("Planet Earth Revisited", ["documentary"], 2023, 98),
]
SPOTLIGHT_SERIES = [
    ("Stranger Signals", ["science-fiction", "mystery"], 2019),
    ("The Crown Jewels", ["drama", "history"], 2017),
]


def stable_id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"media-gateway-demo/{key}"))


def slugify(text: str) -> str:
    return "-".join("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())


def year(rng: random.Random) -> int:
    return min(2026, int(2026 - abs(rng.gauss(0, 14)))) if rng.random() < 0.9 else rng.randint(1950, 1990)


def availability(rng: random.Random, key: str, title: str) -> list[dict[str, str]]:
    entries = []
    for platform in sorted(rng.sample(sorted(PLATFORMS), rng.randint(1, 3))):
        link = PLATFORMS[platform].format(
            num=int(uuid.UUID(stable_id(key)).int % 10**8), slug=f"{slugify(title)}-{key[-6:]}"
        )
        entries += [
            {"platform": platform, "region": region, "deep_link": link}
            for region in sorted(rng.sample(REGIONS, rng.randint(1, 4)))
        ]
    return entries


def synopsis(rng: random.Random, released: int) -> str:
    return rng.choice(HOOKS).format(
        who=rng.choice(WHO),
        verb=rng.choice(VERBS),
        event=rng.choice(EVENTS),
        goal=rng.choice(GOALS),
        place=rng.choice(PLACES),
        year=released,
    )


def unique_title(rng: random.Random, taken: set[str]) -> str:
    while True:
        title = rng.choice(PATTERNS).format(
            adj=rng.choice(ADJECTIVES),
            noun=rng.choice(NOUNS),
            place=rng.choice(PLACES),
            name=rng.choice(NAMES),
            year=rng.choice(["2049", "1984", "1999", "2077", "1969"]),
        )
        if title not in taken:
            taken.add(title)
            return title


def record(**fields: Any) -> dict[str, Any]:
    base = {"series_id": None, "season_number": None, "episode_number": None}
    return {**base, **fields}


def generate(movies: int = 1300, series: int = 110) -> list[dict[str, Any]]:
    rng = random.Random(20261125)
    taken = {t for t, *_ in SPOTLIGHT} | {t for t, *_ in SPOTLIGHT_SERIES}
    lines = []
    films = [(t, g, y, m * 60) for t, g, y, m in SPOTLIGHT]
    films += [
        (unique_title(rng, taken), sorted(rng.sample(GENRES, rng.randint(1, 3))), year(rng), rng.randint(80, 180) * 60)
        for _ in range(movies - len(SPOTLIGHT))
    ]
    for title, genres, released, runtime in films:
        key = f"movie/{title}"
        lines.append(
            record(
                id=stable_id(key),
                title=title,
                kind="movie",
                runtime_seconds=runtime,
                release_year=released,
                genres=genres,
                synopsis=synopsis(rng, released),
                availability=availability(rng, stable_id(key), title),
            )
        )
    shows = list(SPOTLIGHT_SERIES)
    shows += [
        (unique_title(rng, taken), sorted(rng.sample(GENRES, rng.randint(1, 3))), year(rng))
        for _ in range(series - len(SPOTLIGHT_SERIES))
    ]
    for title, genres, released in shows:
        key = f"series/{title}"
        series_id = stable_id(key)
        where = availability(rng, series_id, title)
        lines.append(
            record(
                id=series_id,
                title=title,
                kind="series",
                runtime_seconds=None,
                release_year=released,
                genres=genres,
                synopsis=synopsis(rng, released),
                availability=where,
            )
        )
        episode_runtime = rng.choice([22, 25, 30, 42, 45, 50, 55, 60]) * 60
        for season in range(1, rng.randint(1, 4) + 1):
            for number in range(1, rng.randint(6, 10) + 1):
                episode_title = rng.choice(EPISODE_TITLES) if number > 1 or season > 1 else "Pilot"
                episode_key = f"{key}/s{season}e{number}"
                lines.append(
                    record(
                        id=stable_id(episode_key),
                        title=episode_title,
                        kind="episode",
                        series_id=series_id,
                        season_number=season,
                        episode_number=number,
                        runtime_seconds=episode_runtime,
                        release_year=min(2026, released + season - 1),
                        genres=genres,
                        synopsis=synopsis(rng, released + season - 1),
                        availability=[{**a, "deep_link": f"{a['deep_link']}/s{season}e{number}"} for a in where],
                    )
                )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    output = parser.parse_args().output
    lines = generate()
    payload = "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n" for line in lines).encode()
    with output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(payload)
    counts = Counter(line["kind"] for line in lines)
    print(f"wrote {output}: {len(lines)} items ({', '.join(f'{n} {k}' for k, n in sorted(counts.items()))})")


if __name__ == "__main__":
    main()
