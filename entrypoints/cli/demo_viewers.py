"""The demo's other viewers: watch histories with tastes (two favourite genres each), so a fresh
`make run` has something to learn from. Each is an account without a password and with an
unverified `example.com` address, so nobody can sign in as one. Their finishes are recorded through
playback's own use case and archived; seed-demo then trains the first model."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence

from application.playback.archive_progress import ArchiveProgressChangesCommand
from application.playback.record_progress import RecordProgressCommand
from domain.catalog.content import Content, ContentKind
from domain.identity.email import EmailAddress
from domain.identity.user import User
from entrypoints.container import Container

DEMO_VIEWERS = 240
FILMS_PER_VIEWER = 12


def demo_viewer_id(number: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"media-gateway/demo-viewer/{number}")


def demo_histories(catalog: Sequence[Content]) -> list[tuple[uuid.UUID, list[Content]]]:
    """Who finished what: deterministic, so seeding again records the same (duplicates change nothing)."""
    films = [c for c in catalog if c.kind is ContentKind.MOVIE and c.runtime_seconds]
    by_genre: dict[str, list[Content]] = defaultdict(list)
    for film in films:
        for genre in film.genres:
            by_genre[genre].append(film)
    genres = sorted(g for g, members in by_genre.items() if len(members) >= FILMS_PER_VIEWER)
    episodes: dict[uuid.UUID, list[Content]] = defaultdict(list)
    for item in catalog:
        if item.kind is ContentKind.EPISODE and item.series_id is not None and item.runtime_seconds:
            episodes[item.series_id].append(item)
    shows_by_genre: dict[str, list[Content]] = defaultdict(list)
    for show in (c for c in catalog if c.kind is ContentKind.SERIES and episodes.get(c.id)):
        for genre in show.genres:
            shows_by_genre[genre].append(show)
    pick = random.Random(2026)
    histories = []
    for number in range(DEMO_VIEWERS):
        favourites = pick.sample(genres, 2)
        liked = {f.id: f for g in favourites for f in by_genre[g]}
        finished = pick.sample(sorted(liked.values(), key=lambda f: str(f.id)), FILMS_PER_VIEWER)
        finished += pick.sample(films, 2)  # and a couple of anything
        shows = sorted({s.id: s for g in favourites for s in shows_by_genre[g]}.values(), key=lambda s: str(s.id))
        if shows:  # and the first episodes of a show they would like
            show = pick.choice(shows)
            finished += sorted(episodes[show.id], key=lambda e: (e.season_number or 0, e.episode_number or 0))[:3]
        histories.append((demo_viewer_id(number), list({f.id: f for f in finished}.values())))
    return histories


async def _accounts(container: Container, user_ids: Sequence[uuid.UUID]) -> None:
    now = container.shared.clock().now()
    async with container.identity_adapters.uow()() as uow:
        for number, user_id in enumerate(user_ids):
            if await uow.users.get(user_id) is None:
                email = EmailAddress.parse(f"viewer-{number}@demo.example.com")
                await uow.users.add(User(user_id, email, f"Demo viewer {number}", None, now))
        await uow.commit()


async def seed_demo_viewers(container: Container, catalog: Sequence[Content]) -> int:
    histories = demo_histories(catalog)
    await _accounts(container, [user_id for user_id, _ in histories])
    record = container.playback.record_progress()
    recorded = 0
    for user_id, finished in histories:
        for film in finished:
            assert film.runtime_seconds
            await record(
                RecordProgressCommand(
                    user_id=user_id,
                    content_id=film.id,
                    position_seconds=film.runtime_seconds,
                    device_id="demo-tv",
                    session_id=f"demo-{film.id}",
                    sequence=1,
                )
            )
            recorded += 1
    archive = container.playback.archive_progress_changes()
    while await archive(ArchiveProgressChangesCommand("seed-demo", wait_seconds=0)):
        pass
    return recorded
