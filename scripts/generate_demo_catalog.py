"""Generate the demo catalog shipped with the service (adapters/catalog/demo_catalog.jsonl.gz).

The catalog holds ~1,300 movies and ~110 series with their episodes, one JSON object per line
(UTF-8, gzip). Output is deterministic: a fixed seed, uuid5 ids and a zero gzip mtime give
byte-identical files, so the shipped file only changes when this script does.

Run with: .venv/bin/python scripts/generate_demo_catalog.py [--output PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import string
import sys
import unicodedata
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEED = 20261125
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "adapters" / "catalog" / "demo_catalog.jsonl.gz"

MOVIE_COUNT = 1300
SERIES_COUNT = 110
FIRST_YEAR = 1950
LAST_YEAR = 2026

# --------------------------------------------------------------------------- vocabularies

GENRE_WEIGHTS: dict[str, int] = {
    "action": 10,
    "adventure": 6,
    "animation": 4,
    "comedy": 14,
    "crime": 8,
    "documentary": 4,
    "drama": 18,
    "family": 4,
    "fantasy": 4,
    "history": 3,
    "horror": 6,
    "music": 2,
    "mystery": 5,
    "romance": 7,
    "science-fiction": 6,
    "thriller": 10,
    "war": 2,
    "western": 2,
}
DOCUMENTARY_COMPANIONS = ["history", "music", "war", "crime"]

PLATFORMS = ["netflix", "prime-video", "disney-plus", "max", "apple-tv", "hulu", "paramount-plus", "peacock"]
REGIONS = ["US", "GB", "DE", "FR", "ES", "BR", "JP", "IN"]
# Where each service plausibly operates (a subset of REGIONS, in REGIONS order).
PLATFORM_REGIONS: dict[str, list[str]] = {
    "netflix": REGIONS,
    "prime-video": REGIONS,
    "disney-plus": REGIONS,
    "max": ["US", "FR", "ES", "BR"],
    "apple-tv": REGIONS,
    "hulu": ["US", "JP"],
    "paramount-plus": ["US", "GB", "DE", "FR", "BR", "IN"],
    "peacock": ["US", "GB"],
}

ADJECTIVES = [
    "Silent", "Crimson", "Hidden", "Broken", "Golden", "Distant", "Burning", "Frozen", "Lost", "Wild",
    "Electric", "Hollow", "Restless", "Velvet", "Iron", "Paper", "Glass", "Quiet", "Savage", "Gentle",
    "Northern", "Forgotten", "Endless", "Little", "Secret", "Shattered", "Bright", "Final", "Falling",
    "Rising", "Sleeping", "Wandering", "Scarlet", "Silver", "Blue", "Bitter", "Sacred", "Stolen",
    "Borrowed", "Crooked", "Painted", "Sunken", "Weightless", "Violet", "Emerald", "Reckless",
]  # fmt: skip
NOUNS = [
    "Harbor", "Kingdom", "Signal", "Garden", "Frontier", "River", "Empire", "Witness", "Orchard", "Station",
    "Horizon", "Voyage", "Lantern", "Citadel", "Tide", "Mountain", "Island", "Compass", "Archive", "Crown",
    "Shadow", "Summer", "Winter", "Storm", "Road", "Promise", "Border", "Canyon", "Desert", "Forest",
    "Valley", "Mirror", "Letter", "Orchestra", "Carnival", "Lighthouse", "Market", "Bridge", "Oasis",
    "Engine", "Meridian", "Atlas", "Comet", "Harvest", "Parade", "Labyrinth", "Monsoon", "Pilgrim",
    "Sparrow", "Wolf", "Satellite", "Cathedral", "Vineyard", "Glacier", "Ember", "Requiem",
]  # fmt: skip
PLURALS = [
    "Runners", "Thieves", "Strangers", "Dreamers", "Ghosts", "Wolves", "Sparrows", "Saints", "Outlaws",
    "Pilgrims", "Sisters", "Brothers", "Giants", "Orphans", "Drifters", "Keepers", "Rebels", "Lovers",
]  # fmt: skip
ABSTRACTS = [
    "Tomorrow", "Silence", "Memory", "Yesterday", "Glory", "Fortune", "Ashes", "Thunder", "Grace",
    "Mercy", "Gravity", "Midnight", "Forever", "Light", "Dust", "Fire", "Salt", "Smoke",
]  # fmt: skip
PLACES = [
    "Lisbon", "Tokyo", "Marrakesh", "Havana", "Oslo", "Buenos Aires", "Istanbul", "Reykjavík", "Naples",
    "Seoul", "Lagos", "Montréal", "Vienna", "Mumbai", "Santiago", "Prague", "Cairo", "Dublin", "Kyoto",
    "São Paulo", "Zürich", "Bogotá", "Kraków", "Málaga", "Tangier", "Patagonia", "Saigon", "Nairobi",
]  # fmt: skip
NAMES = [
    "Amélie", "Rosa", "Jonah", "Mira", "Tomás", "Nadia", "Felix", "Inés", "Kofi", "Lena", "Otto", "Zara",
    "Chloé", "José", "Björn", "Renée", "Zoë", "Søren", "Ada", "Malik", "Priya", "Hugo", "Yuki", "Dmitri",
    "Esther", "Rafael", "Noor", "Walter", "Greta", "Idris",
]  # fmt: skip
SURNAMES = [
    "Holloway", "Okafor", "Lindqvist", "Moreau", "Castillo", "Tanaka", "Brennan", "Novak", "Haddad",
    "Fontaine", "Kowalski", "Abernathy", "Mendes", "Sørensen", "Quinn", "Varga",
]  # fmt: skip
ROMAN = ["II", "III", "IV"]
YEARS_IN_TITLES = ["1917", "1969", "1984", "1999", "2012", "2049", "2077", "2099", "3001"]

# (pattern, weight); placeholders are filled from the lists above.
TITLE_PATTERNS: list[tuple[str, int]] = [
    ("The {adj} {noun}", 14),
    ("{adj} {noun}", 6),
    ("The {noun}", 2),
    ("{noun} of {place}", 5),
    ("Midnight in {place}", 2),
    ("Last Train to {place}", 1),
    ("Return to {place}", 2),
    ("Letters from {place}", 1),
    ("The {noun} of {name}", 3),
    ("{name}'s {noun}", 4),
    ("{name} {surname}", 2),
    ("The {surname} Affair", 2),
    ("Echoes of {abstract}", 3),
    ("Children of {abstract}", 2),
    ("Beyond the {noun}", 3),
    ("Under the {adj} {noun}", 2),
    ("A {noun} in {place}", 2),
    ("{noun} {year}", 2),
    ("{adj} {noun} {year}", 2),
    ("{noun} {digit}", 1),
    ("{noun} {plural}", 5),
    ("The {adj} {plural}", 4),
    ("{abstract} and {abstract2}", 3),
    ("All the {adj} {plural}", 1),
    ("When the {noun} Falls", 2),
    ("The Girl from {place}", 1),
    ("Before {abstract}", 1),
    ("The {noun} Club", 1),
    ("Café {place}", 1),
]
# A sprinkling of titles that sound familiar without being real ones.
FAMILIAR_MOVIES = [
    "Raiders of the Lost Orchard", "The Grand Lisbon Hotel", "No Country for Quiet Men",
    "Eternal Sunshine of the Northern Mind", "Back to the Harbor", "The Good, the Bad and the Hungry",
    "Gone with the Tide", "Casablanca Nights", "Citizen Kofi", "Jurassic Garden", "Apocalypse Later",
    "Mission: Improbable", "Pulp Friction", "Some Like It Cold", "Close Encounters of the Fourth Kind",
    "Escape from Kyoto", "The Empire Strikes Twice", "Blade Dancer 2049", "2001: A Harbor Odyssey",
    "Lawrence of Patagonia", "Singin' in the Snow", "The Usual Strangers", "Léon: The Gardener",
    "Amélie's Garden", "Spirited Away Again", "Moonrise Orchard", "Fargo Nights", "Heat Wave", "Dune Runners",
]  # fmt: skip
FAMILIAR_SERIES = [
    "Game of Crowns", "The Wired Block", "Peaky Flinders", "Twin Pines", "Succession Planning",
    "The Last of Them", "Mad Women", "True Detectives", "Better Call Sal", "The Office Next Door",
    "Downton Priory", "Black Mirrorball",
]  # fmt: skip

EPISODE_TITLES = [
    "The Long Night", "Homecoming", "Crossroads", "Old Debts", "Undertow", "The Visitor", "Fault Lines",
    "Ghosts", "Open Water", "Signals", "The Deal", "Blackout", "First Light", "Reckoning", "Thaw",
    "Aftershock", "The Bridge", "Masks", "Exit Wounds", "Safe Harbor", "Endgame", "Dead Reckoning",
    "The Offer", "Smoke and Mirrors", "Family Business", "Point of No Return", "The Wedding",
    "Lockdown", "The Inheritance", "Strangers on a Train", "Low Tide", "Burn Notice", "The Trial",
    "Sleepless", "Old Friends", "The Letter", "Checkmate", "Fever Dream", "The Fall", "Ashes",
    "New Blood", "Cold Open", "The Hunt", "Second Chances", "Requiem", "The Confession", "Wildfire",
    "Borderlands", "Into the Woods", "Gravity", "The Storm", "Loose Ends", "Hide and Seek", "Wolf Moon",
    "Déjà Vu", "Paper Trail", "The Gala", "Heirlooms", "Night Shift", "The Crossing", "Sanctuary",
    "Breaking Ground", "Tell Me No Lies", "The Audition", "Zero Hour", "Lost and Found", "Dominoes",
    "Fallout", "Kingmaker", "The Quiet Part", "Vertigo", "Hard Rain", "The Vote", "Mayday",
]  # fmt: skip
PREMIERE_TITLES = ["Pilot", "Chapter One", "Beginnings", "The Arrival", "Day One"]
SEASON_OPENERS = ["A New Dawn", "Back in Business", "Aftermath", "Six Months Later", "The Return"]
FINALE_TITLES = ["The Reckoning", "Judgment Day", "Full Circle", "Everything Burns", "Endings", "The Last Stand"]

# --------------------------------------------------------------------------- synopsis templates

WHO = [
    "retired detective", "young pilot", "grieving chef", "stubborn farmer", "rookie journalist",
    "former spy", "small-town teacher", "runaway heiress", "brilliant hacker", "weary ship captain",
    "disgraced surgeon", "struggling musician", "widowed architect", "teenage inventor",
    "reluctant priest", "burned-out lawyer", "ambitious intern", "legendary thief", "marine biologist",
    "single father", "aging boxer", "jaded diplomat",
]  # fmt: skip
VERBS = [
    "questions everything", "returns home", "breaks every rule", "finds an unexpected family",
    "uncovers a buried secret", "races against time", "risks it all", "falls for the wrong person",
    "takes one last job", "starts over", "goes off the grid", "chases a vanished rival",
]  # fmt: skip
EVENTS = [
    "a storm cuts the town off", "an old letter resurfaces", "the signal goes silent",
    "a stranger arrives with a warning", "the harvest fails", "the election turns violent",
    "a comet lights up the sky", "the last train leaves", "a body washes ashore", "the power grid fails",
    "a forgotten will is read aloud", "the border closes overnight", "an heirloom goes missing",
    "a satellite falls out of orbit",
]  # fmt: skip
GOALS = [
    "save what is left of the family business", "solve a decades-old disappearance",
    "cross a continent on foot", "win back a stolen crown", "keep a dangerous promise",
    "clear a brother's name", "protect a child who knows too much", "stage an impossible heist",
    "reunite a scattered band", "outrun the people who trained them", "rebuild a ruined vineyard",
]  # fmt: skip
HOOKS = [
    "A {who} {verb} when {event}.",
    "When {event}, a {who} must {goal}.",
    "{place}, {year}: a {who} {verb} as {event}.",
    "A {who} and an unlikely ally must {goal} before {event}.",
    "After {event}, a {who} in {place} has one week to {goal}.",
    "Nobody in {place} expects much from a {who} until {event}.",
    "Haunted by the past, a {who} {verb} after {event}.",
]
GENRE_TAILS: dict[str, list[str]] = {
    "action": ["Every mile is paid for in bruises.", "The stakes, and the body count, keep rising."],
    "adventure": ["The map only tells half the story.", "The journey will change all of them."],
    "animation": ["A hand-drawn adventure for every age.", "Talking animals are the least of it."],
    "comedy": ["Chaos, naturally, ensues.", "What could possibly go wrong?", "Nothing goes to plan."],
    "crime": ["Trust is the most expensive thing in town.", "Someone on the inside is talking."],
    "drama": ["Old wounds refuse to close.", "Some families are chosen; some are inherited."],
    "family": ["It takes the whole family to pull it off.", "A warm story about growing up."],
    "fantasy": ["Magic has a price, and it is due.", "An ancient prophecy stirs."],
    "history": ["Based on events few remember.", "History is written by whoever survives."],
    "horror": ["Something in the walls is listening.", "Do not open the door after dark."],
    "music": ["The final concert could save them or split them.", "One song can change everything."],
    "mystery": ["Every clue points somewhere worse.", "Nothing is what the village claims."],
    "romance": ["Love arrives at the worst possible time.", "Some sparks survive any distance."],
    "science-fiction": ["The future is already here, and it is hungry.", "The stars are not as empty as hoped."],
    "thriller": ["The clock is ticking.", "Someone is always watching."],
    "war": ["Not everyone will make it home.", "The front line runs through every heart."],
    "western": ["The frontier has its own law.", "Justice rides in on the noon train."],
}
DOC_HOOKS = [
    "An intimate look at {subject}, told by the people who lived it.",
    "Filmed over {n} years, this documentary follows {subject}.",
    "Rare archive footage and new interviews revisit {subject}.",
    "From {place} to the far north, a portrait of {subject}.",
]
DOC_SUBJECTS = [
    "the last lighthouse keepers of the Atlantic", "a jazz club that refused to close",
    "the race to map the deep ocean", "a city rebuilt after the flood", "the forgotten pioneers of early cinema",
    "a family vineyard facing a changing climate", "the rise and fall of a football dynasty",
    "the engineers behind a historic moon mission", "street food cooks working through the night",
    "a chess prodigy and her unlikely coach", "the wolves returning to Europe's forests",
]  # fmt: skip
DOC_TAILS = ["Narrated with warmth and wit.", "A story of obsession and resilience.", ""]
SERIES_TAILS = [
    "Over {seasons}, alliances shift and secrets surface.",
    "Each season peels back another layer.",
    "A sprawling saga of ambition and betrayal.",
    "",
]
EPISODE_SYNOPSES = [
    "{a} follows a lead to {place}, while {b} faces an impossible choice.",
    "{a} and {b} clash over the missing {thing}. An old enemy resurfaces.",
    "A storm traps everyone at the {venue}, forcing {a} to choose sides.",
    "{a} receives an offer that could change everything, but {b} suspects a trap.",
    "The truth about the {thing} comes out, and {a} must decide whom to protect.",
    "{b} goes undercover at the {venue}. {a} makes a costly mistake.",
    "A face from {a}'s past arrives in {place} with a warning.",
    "{a} and {b} race to recover the {thing} before the deadline.",
    "Tensions boil over at the {venue}; {b} reveals a long-kept secret.",
    "With the {thing} gone, {a} turns to an unlikely ally for help.",
]
DOC_EPISODE_SYNOPSES = [
    "The team travels to {place} to document a season of change.",
    "Archive footage and new interviews shed light on the {thing} and its legacy.",
    "Cameras follow a small crew working through the longest night of the year near {place}.",
]
THINGS = ["ledger", "painting", "hard drive", "ring", "manuscript", "shipment", "key", "photograph", "deed"]
VENUES = ["manor", "harbor", "hospital", "embassy", "vineyard", "precinct", "hotel", "newsroom", "station"]

# --------------------------------------------------------------------------- spotlight items


@dataclass(frozen=True)
class Spotlight:
    title: str
    genres: list[str]
    year: int
    platforms: list[str]
    synopsis: str
    runtime_minutes: int | None = None  # movies only
    seasons: int | None = None  # series only


SPOTLIGHT_MOVIES = [
    Spotlight(
        "Dune",
        ["science-fiction", "adventure", "drama"],
        2021,
        ["max", "prime-video"],
        "A gifted young heir travels to the most dangerous planet in the universe to secure his family's future. "
        "Spice, sandworms and betrayal await.",
        runtime_minutes=155,
    ),
    Spotlight(
        "Dune: Part Two",
        ["science-fiction", "adventure", "action"],
        2024,
        ["max", "prime-video"],
        "Allied with the desert people, a young exile seeks revenge against those who destroyed his family, "
        "while a terrible future stirs.",
        runtime_minutes=166,
    ),
    Spotlight(
        "The Matrix",
        ["science-fiction", "action"],
        1999,
        ["max", "netflix"],
        "A hacker learns that the world he knows is a simulation and joins a rebellion against the machines "
        "that built it.",
        runtime_minutes=136,
    ),
    Spotlight(
        "Breaking Point",
        ["thriller", "drama"],
        2016,
        ["netflix", "hulu"],
        "An overworked paramedic is pushed to the edge when a routine night shift turns into a hostage crisis.",
        runtime_minutes=112,
    ),
]
SPOTLIGHT_SERIES = [
    Spotlight(
        "Stranger Signals",
        ["science-fiction", "mystery", "drama"],
        2019,
        ["netflix"],
        "When a radio hobbyist picks up a broadcast from a station that closed forty years ago, "
        "a sleepy lakeside town starts to unravel.",
        seasons=4,
    ),
    Spotlight(
        "The Crown Jewels",
        ["drama", "history", "crime"],
        2017,
        ["netflix", "prime-video"],
        "A palace archivist and a London detective untangle the audacious theft of the crown jewels "
        "and the family secrets it exposes.",
        seasons=3,
    ),
    Spotlight(
        "Planet Earth Revisited",
        ["documentary"],
        2023,
        ["max", "disney-plus", "apple-tv"],
        "Two decades after the landmark series, film crews return to the planet's wildest places "
        "to see what has changed.",
        seasons=2,
    ),
]

# --------------------------------------------------------------------------- helpers


def stable_id(stable_key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"media-gateway-demo/{stable_key}"))


def token_int(stable_key: str, purpose: str) -> int:
    """A 244-bit number derived from the key; deterministic and independent of the RNG."""
    high = uuid.uuid5(uuid.NAMESPACE_URL, f"media-gateway-demo/{stable_key}#{purpose}").int
    low = uuid.uuid5(uuid.NAMESPACE_URL, f"media-gateway-demo/{stable_key}#{purpose}/2").int
    return (high << 122) | low


def token_uuid(stable_key: str, purpose: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"media-gateway-demo/{stable_key}#{purpose}"))


def encode(number: int, alphabet: str, length: int) -> str:
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


UPPER_ALNUM = string.digits + string.ascii_uppercase
LOWER_ALNUM = string.digits + string.ascii_lowercase
MIXED_ALNUM = string.digits + string.ascii_letters


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join("".join(ch.lower() if ch.isalnum() else " " for ch in ascii_text).split())


def pick_genres(rng: random.Random) -> list[str]:
    names = list(GENRE_WEIGHTS)
    weights = list(GENRE_WEIGHTS.values())
    primary = rng.choices(names, weights=weights)[0]
    if primary == "documentary":
        extras = rng.sample(DOCUMENTARY_COMPANIONS, rng.choice([0, 0, 1]))
        return [primary, *extras]
    wanted = rng.choices([1, 2, 3], weights=[3, 5, 2])[0]
    genres = [primary]
    while len(genres) < wanted:
        candidate = rng.choices(names, weights=weights)[0]
        if candidate not in genres and candidate != "documentary":
            genres.append(candidate)
    return genres


def pick_year(rng: random.Random, exponent: float, earliest: int = FIRST_YEAR) -> int:
    """A release year in [earliest, LAST_YEAR], skewed toward recent years by ``exponent``."""
    return LAST_YEAR - int((LAST_YEAR - earliest + 1) * rng.random() ** exponent)


def movie_runtime(rng: random.Random, genres: Sequence[str]) -> int:
    mode = 105
    if {"animation", "family"} & set(genres):
        mode = 92
    elif {"history", "war", "science-fiction", "western"} & set(genres):
        mode = 132
    elif "documentary" in genres:
        mode = 95
    seconds = int(rng.triangular(80 * 60, 180 * 60, mode * 60))
    return max(80 * 60, min(180 * 60, seconds))


def episode_runtime(rng: random.Random, genres: Sequence[str]) -> int:
    if genres[0] in {"comedy", "animation", "family"}:
        return rng.randint(22 * 60, 30 * 60)
    if genres[0] == "documentary":
        return rng.randint(45 * 60, 60 * 60)
    return rng.randint(40 * 60, 60 * 60)


def make_title(rng: random.Random) -> str:
    pattern = rng.choices([p for p, _ in TITLE_PATTERNS], weights=[w for _, w in TITLE_PATTERNS])[0]
    abstract, abstract2 = rng.sample(ABSTRACTS, 2)
    title = pattern.format(
        adj=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS),
        plural=rng.choice(PLURALS),
        abstract=abstract,
        abstract2=abstract2,
        place=rng.choice(PLACES),
        name=rng.choice(NAMES),
        surname=rng.choice(SURNAMES),
        year=rng.choice(YEARS_IN_TITLES),
        digit=rng.randint(3, 12),
    )
    return f"An {title[2:]}" if title.startswith("A ") and title[2] in "AEIOU" else title


def claim(title: str, taken: set[str]) -> bool:
    folded = title.casefold()
    if folded in taken:
        return False
    taken.add(folded)
    return True


def unique_titles(rng: random.Random, count: int, familiar: Sequence[str], taken: set[str]) -> list[str]:
    titles = [t for t in familiar if claim(t, taken)]
    while len(titles) < count:
        title = make_title(rng)
        if claim(title, taken):
            titles.append(title)
    return titles


def bounded(rng: random.Random, build: Any, low: int = 60, high: int = 250) -> str:
    """Call ``build(rng)`` until the text length lies within [low, high]."""
    for _ in range(200):
        text: str = build(rng)
        if low <= len(text) <= high:
            return text
    raise RuntimeError("could not build a synopsis of acceptable length")


def title_synopsis(rng: random.Random, genres: Sequence[str], year: int, seasons: int | None = None) -> str:
    def build(r: random.Random) -> str:
        if genres[0] == "documentary":
            first = r.choice(DOC_HOOKS).format(
                subject=r.choice(DOC_SUBJECTS), n=r.randint(2, 9), place=r.choice(PLACES)
            )
            tail = r.choice(DOC_TAILS)
        else:
            first = r.choice(HOOKS).format(
                who=r.choice(WHO),
                verb=r.choice(VERBS),
                event=r.choice(EVENTS),
                goal=r.choice(GOALS),
                place=r.choice(PLACES),
                year=year - r.randint(0, 40),
            )
            first = first[0].upper() + first[1:]
            if seasons is not None and r.random() < 0.5:
                tail = r.choice(SERIES_TAILS).format(seasons="one season" if seasons == 1 else f"{seasons} seasons")
            elif r.random() < 0.7:
                tail = r.choice(GENRE_TAILS[r.choice(list(genres))])
            else:
                tail = ""
        return f"{first} {tail}".strip()

    return bounded(rng, build)


def episode_synopsis(rng: random.Random, genres: Sequence[str], cast: Sequence[str]) -> str:
    def build(r: random.Random) -> str:
        templates = DOC_EPISODE_SYNOPSES if genres[0] == "documentary" else EPISODE_SYNOPSES
        a, b = r.sample(list(cast), 2)
        return r.choice(templates).format(
            a=a, b=b, place=r.choice(PLACES), thing=r.choice(THINGS), venue=r.choice(VENUES)
        )

    return bounded(rng, build)


# --------------------------------------------------------------------------- deep links


def title_link(platform: str, region: str, kind: str, key: str, title: str) -> str:
    slug = slugify(title)
    if platform == "netflix":
        return f"https://www.netflix.com/title/{80_000_000 + token_int(key, platform) % 2_000_000}"
    if platform == "prime-video":
        return f"https://www.primevideo.com/detail/0{encode(token_int(key, platform), UPPER_ALNUM, 25)}"
    if platform == "disney-plus":
        section = "movies" if kind == "movie" else "series"
        return f"https://www.disneyplus.com/{section}/{slug}/{encode(token_int(key, platform), MIXED_ALNUM, 12)}"
    if platform == "max":
        section = "movie" if kind == "movie" else "show"
        return f"https://play.max.com/{section}/{token_uuid(key, platform)}"
    if platform == "apple-tv":
        section = "movie" if kind == "movie" else "show"
        umc = encode(token_int(key, platform), LOWER_ALNUM, 25)
        return f"https://tv.apple.com/{region.lower()}/{section}/{slug}/umc.cmc.{umc}"
    if platform == "hulu":
        section = "movie" if kind == "movie" else "series"
        return f"https://www.hulu.com/{section}/{slug}-{token_uuid(key, platform)}"
    if platform == "paramount-plus":
        if kind == "movie":
            return f"https://www.paramountplus.com/movies/video/{encode(token_int(key, platform), MIXED_ALNUM, 32)}/"
        return f"https://www.paramountplus.com/shows/{slug}/"
    if platform == "peacock":
        section = "movies" if kind == "movie" else "tv"
        return f"https://www.peacocktv.com/watch/asset/{section}/{slug}/{token_uuid(key, platform)}"
    raise ValueError(f"unknown platform {platform!r}")


def episode_link(platform: str, region: str, key: str, series_key: str, series_title: str, title: str) -> str:
    if platform == "netflix":
        return f"https://www.netflix.com/watch/{80_000_000 + token_int(key, platform) % 2_000_000}"
    if platform == "prime-video":
        return f"https://www.primevideo.com/detail/0{encode(token_int(key, platform), UPPER_ALNUM, 25)}"
    if platform == "disney-plus":
        return f"https://www.disneyplus.com/video/{token_uuid(key, platform)}"
    if platform == "max":
        return f"https://play.max.com/video/watch/{token_uuid(series_key, platform)}/{token_uuid(key, platform)}"
    if platform == "apple-tv":
        umc = encode(token_int(key, platform), LOWER_ALNUM, 25)
        show = encode(token_int(series_key, platform), LOWER_ALNUM, 25)
        return f"https://tv.apple.com/{region.lower()}/episode/{slugify(title)}/umc.cmc.{umc}?showId=umc.cmc.{show}"
    if platform == "hulu":
        return f"https://www.hulu.com/watch/{token_uuid(key, platform)}"
    if platform == "paramount-plus":
        video = encode(token_int(key, platform), MIXED_ALNUM, 32)
        return f"https://www.paramountplus.com/shows/video/{video}/"
    if platform == "peacock":
        return f"https://www.peacocktv.com/watch/asset/tv/{slugify(series_title)}/{token_uuid(key, platform)}"
    raise ValueError(f"unknown platform {platform!r}")


def pick_offers(rng: random.Random, platforms: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(platform, region) pairs: 1–3 platforms, 1–4 regions each (spotlight items always include US)."""
    chosen = sorted(platforms) if platforms else sorted(rng.sample(PLATFORMS, rng.choices([1, 2, 3], [5, 3, 2])[0]))
    offers: list[tuple[str, str]] = []
    for platform in chosen:
        pool = PLATFORM_REGIONS[platform]
        regions = set(rng.sample(pool, rng.randint(1, min(4, len(pool)))))
        if platforms:  # spotlight: make sure the US demo user can find it
            regions = set(sorted(regions - {"US"})[:3]) | {"US"}
        elif "US" in pool and "US" not in regions and len(regions) < 4 and rng.random() < 0.5:
            regions.add("US")
        offers += [(platform, region) for region in REGIONS if region in regions]
    return offers


# --------------------------------------------------------------------------- records


def record(
    *,
    item_id: str,
    title: str,
    kind: str,
    runtime_seconds: int | None,
    release_year: int,
    genres: list[str],
    synopsis: str,
    availability: list[dict[str, str]],
    series_id: str | None = None,
    season_number: int | None = None,
    episode_number: int | None = None,
) -> dict[str, Any]:
    return {
        "id": item_id,
        "title": title,
        "kind": kind,
        "series_id": series_id,
        "season_number": season_number,
        "episode_number": episode_number,
        "runtime_seconds": runtime_seconds,
        "release_year": release_year,
        "genres": genres,
        "synopsis": synopsis,
        "availability": availability,
    }


def build_movies(rng: random.Random, taken: set[str]) -> list[dict[str, Any]]:
    specs: list[tuple[str, list[str], int, int, str | None, list[str] | None]] = [
        (s.title, s.genres, s.year, (s.runtime_minutes or 120) * 60, s.synopsis, s.platforms) for s in SPOTLIGHT_MOVIES
    ]
    for title in unique_titles(rng, MOVIE_COUNT - len(specs), FAMILIAR_MOVIES, taken):
        genres = pick_genres(rng)
        specs.append((title, genres, pick_year(rng, 2.2), movie_runtime(rng, genres), None, None))
    # A few sequels of generated movies, replacing the tail of the list so the total stays fixed.
    sequel_count = 24
    originals = rng.sample(specs[len(SPOTLIGHT_MOVIES) : -sequel_count], sequel_count * 2)
    sequels: list[tuple[str, list[str], int, int, str | None, list[str] | None]] = []
    for title, genres, year, _, _, _ in originals:
        if len(sequels) == sequel_count or year > LAST_YEAR - 2 or any(ch.isdigit() for ch in title):
            continue
        sequel = f"{title} {rng.choice(ROMAN)}" if rng.random() < 0.4 else f"{title}: Part Two"
        if claim(sequel, taken):
            sequels.append(
                (sequel, genres, min(LAST_YEAR, year + rng.randint(2, 5)), movie_runtime(rng, genres), None, None)
            )
    specs = specs[: MOVIE_COUNT - len(sequels)] + sequels
    rng.shuffle(specs)

    movies = []
    for title, genres, year, runtime, fixed_synopsis, platforms in specs:
        key = f"movie/{slugify(title)}"
        offers = pick_offers(rng, platforms)
        movies.append(
            record(
                item_id=stable_id(key),
                title=title,
                kind="movie",
                runtime_seconds=runtime,
                release_year=year,
                genres=genres,
                synopsis=fixed_synopsis or title_synopsis(rng, genres, year),
                availability=[
                    {"platform": p, "region": r, "deep_link": title_link(p, r, "movie", key, title)} for p, r in offers
                ],
            )
        )
    return movies


def episode_titles(rng: random.Random, seasons: list[int]) -> list[list[str]]:
    pool = rng.sample(EPISODE_TITLES, sum(seasons))
    result = []
    for season, count in enumerate(seasons, start=1):
        names = [pool.pop() for _ in range(count)]
        if season == 1 and rng.random() < 0.7:
            names[0] = rng.choice(PREMIERE_TITLES)
        elif season > 1 and rng.random() < 0.3:
            names[0] = rng.choice(SEASON_OPENERS)
        if rng.random() < 0.4:
            names[-1] = rng.choice([t for t in FINALE_TITLES if t not in names])
        result.append(names)
    return result


def build_series(rng: random.Random, taken: set[str]) -> list[dict[str, Any]]:
    specs: list[tuple[str, list[str], int, str | None, list[str] | None, int | None]] = [
        (s.title, s.genres, s.year, s.synopsis, s.platforms, s.seasons) for s in SPOTLIGHT_SERIES
    ]
    for title in unique_titles(rng, SERIES_COUNT - len(specs), FAMILIAR_SERIES, taken):
        specs.append((title, pick_genres(rng), pick_year(rng, 3.0, earliest=1955), None, None, None))
    rng.shuffle(specs)

    lines: list[dict[str, Any]] = []
    for title, genres, year, fixed_synopsis, platforms, fixed_seasons in specs:
        key = f"series/{slugify(title)}"
        series_id = stable_id(key)
        season_count = fixed_seasons or rng.randint(1, min(4, LAST_YEAR - year + 1))
        seasons = [rng.randint(6, 10) for _ in range(season_count)]
        offers = pick_offers(rng, platforms)
        cast = rng.sample(NAMES, 4)
        runtime = episode_runtime(rng, genres)
        lines.append(
            record(
                item_id=series_id,
                title=title,
                kind="series",
                runtime_seconds=None,
                release_year=year,
                genres=genres,
                synopsis=fixed_synopsis or title_synopsis(rng, genres, year, seasons=season_count),
                availability=[
                    {"platform": p, "region": r, "deep_link": title_link(p, r, "series", key, title)} for p, r in offers
                ],
            )
        )
        for season, names in enumerate(episode_titles(rng, seasons), start=1):
            for number, episode_title in enumerate(names, start=1):
                episode_key = f"{key}/s{season:02d}e{number:02d}"
                lines.append(
                    record(
                        item_id=stable_id(episode_key),
                        title=episode_title,
                        kind="episode",
                        series_id=series_id,
                        season_number=season,
                        episode_number=number,
                        runtime_seconds=runtime,
                        release_year=min(LAST_YEAR, year + season - 1),
                        genres=list(genres),
                        synopsis=episode_synopsis(rng, genres, cast),
                        availability=[
                            {
                                "platform": p,
                                "region": r,
                                "deep_link": episode_link(p, r, episode_key, key, title, episode_title),
                            }
                            for p, r in offers
                        ],
                    )
                )
    return lines


# --------------------------------------------------------------------------- ids the world knows titles by


def platform_content_id(platform: str, deep_link: str) -> str:
    """The platform's own id for the title, as it appears in its deep link (the same in every region)."""
    last = deep_link.split("?")[0].rstrip("/").rsplit("/", 1)[1]
    if platform == "hulu" and "-" in last and len(last) > 36:
        return last[-36:]  # /movie/<slug>-<uuid>
    return last


def unused(number: int, modulus: int, taken: set[int]) -> int:
    """``number`` folded into [0, modulus), stepped past ids already given out."""
    value = number % modulus
    while value in taken:
        value = (value + 1) % modulus
    taken.add(value)
    return value


def external_ids(lines: Sequence[dict[str, Any]]) -> None:
    """IMDb ids for every title (8 digits for the newer ones, as IMDb's are), TMDB numbers for
    most movies and series (numbered separately per kind, as TMDB does), EIDR ids for some movies.
    Derived from each title's id, not the RNG, so the rest of the catalog stays as it was."""
    imdb_taken: set[int] = set()
    tmdb_taken: dict[str, set[int]] = {"movie": set(), "series": set()}
    for line in lines:
        key, ids = line["id"], {}
        if line["release_year"] >= 2015:
            ids["imdb"] = f"tt{10_000_000 + unused(token_int(key, 'imdb'), 30_000_000, imdb_taken):08d}"
        else:
            ids["imdb"] = f"tt{1_000_000 + unused(token_int(key, 'imdb'), 9_000_000, imdb_taken):07d}"
        if line["kind"] in tmdb_taken and token_int(key, "tmdb?") % 10 < 9:
            ids["tmdb"] = str(unused(token_int(key, "tmdb"), 1_400_000, tmdb_taken[line["kind"]]) + 1)
        if line["kind"] == "movie" and token_int(key, "eidr?") % 10 < 4:
            digits = encode(token_int(key, "eidr"), "0123456789ABCDEF", 20)
            groups = "-".join(digits[i : i + 4] for i in range(0, 20, 4))
            ids["eidr"] = f"10.5240/{groups}-{encode(token_int(key, 'eidr/check'), UPPER_ALNUM, 1)}"
        line["external_ids"] = ids
        for offer in line["availability"]:
            offer["platform_content_id"] = platform_content_id(offer["platform"], offer["deep_link"])


def generate() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    taken = {s.title.casefold() for s in (*SPOTLIGHT_MOVIES, *SPOTLIGHT_SERIES)}
    lines = build_movies(rng, taken) + build_series(rng, taken)
    ids = [line["id"] for line in lines]
    if len(ids) != len(set(ids)):
        raise RuntimeError("duplicate ids generated")
    external_ids(lines)
    return lines


def write(lines: Sequence[dict[str, Any]], output: Path) -> None:
    payload = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the deterministic demo catalog (JSON lines, gzip).")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    output: Path = parser.parse_args(argv).output
    lines = generate()
    write(lines, output)
    counts = Counter(line["kind"] for line in lines)
    for kind in ("movie", "series", "episode"):
        print(f"{kind:<8} {counts[kind]:>5}")
    print(f"{'total':<8} {len(lines):>5}  -> {output} ({output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
