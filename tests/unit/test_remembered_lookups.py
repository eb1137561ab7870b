"""What the hot paths remember between requests, and what they must never remember."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import attrs
import pytest

from adapters.catalog.cached_content_lookup import CachedContentLookup
from adapters.catalog.tantivy_searcher_cache import DOCUMENTS_PER_PAGE, SearcherCache
from adapters.identity.jwt_access_token_issuer import JwtAccessTokenIssuer
from adapters.identity.signing_keys import Ed25519SigningKey
from adapters.shared.manual_clock import ManualClock
from domain.catalog.content import Content
from domain.catalog.search import SearchPage
from domain.identity.errors import InvalidAccessToken
from tests.support.catalog_fixtures import movie

DUNE = movie("Dune")


def issuer(clock: ManualClock, remember: int = 4096) -> JwtAccessTokenIssuer:
    return JwtAccessTokenIssuer(Ed25519SigningKey.generate(), clock, timedelta(minutes=15), remember=remember)


def token(tokens: JwtAccessTokenIssuer, clock: ManualClock) -> str:
    return tokens.issue(uuid.uuid4(), frozenset({"read"}), clock.now(), uuid.uuid4()).token


def test_a_remembered_access_token_still_expires() -> None:
    clock = ManualClock()
    tokens = issuer(clock)
    access = token(tokens, clock)
    assert tokens.verify(access).scopes == frozenset({"read"})
    clock.advance(timedelta(minutes=16))
    with pytest.raises(InvalidAccessToken, match="expired"):
        tokens.verify(access)


def test_a_token_altered_after_a_good_one_was_remembered_is_refused() -> None:
    clock = ManualClock()
    tokens = issuer(clock)
    access = token(tokens, clock)
    tokens.verify(access)
    header, claims, signature = access.split(".")
    # A character in the middle: the last one carries padding bits that may not change the bytes.
    forged = signature[:10] + ("B" if signature[10] == "A" else "A") + signature[11:]
    with pytest.raises(InvalidAccessToken):
        tokens.verify(f"{header}.{claims}.{forged}")


def test_a_token_from_another_key_is_refused_even_while_others_are_remembered() -> None:
    clock = ManualClock()
    ours, theirs = issuer(clock, remember=2), issuer(clock)
    for _ in range(3):  # more than it remembers: the oldest is forgotten and checked again
        ours.verify(token(ours, clock))
    with pytest.raises(InvalidAccessToken):
        ours.verify(token(theirs, clock))


class CountingLookup:
    def __init__(self, *items: Content) -> None:
        self.items = {item.id: item for item in items}
        self.calls = 0

    async def get(self, content_id: uuid.UUID) -> Content | None:
        self.calls += 1
        return self.items.get(content_id)


async def test_a_title_is_looked_up_once_while_it_is_fresh() -> None:
    source = CountingLookup(DUNE)
    lookup = CachedContentLookup(source, ttl_seconds=60)
    assert await lookup.get(DUNE.id) == DUNE
    assert await lookup.get(DUNE.id) == DUNE
    assert source.calls == 1


async def test_an_unknown_title_is_asked_for_again_so_a_new_title_is_found_at_once() -> None:
    source = CountingLookup()
    lookup = CachedContentLookup(source, ttl_seconds=60)
    assert await lookup.get(DUNE.id) is None
    source.items[DUNE.id] = DUNE
    assert await lookup.get(DUNE.id) == DUNE


async def test_a_changed_title_is_seen_once_its_time_is_up() -> None:
    source = CountingLookup(DUNE)
    lookup = CachedContentLookup(source, ttl_seconds=0)
    await lookup.get(DUNE.id)
    source.items[DUNE.id] = attrs.evolve(DUNE, title="Dune II")
    assert (await lookup.get(DUNE.id)).title == "Dune II"


def decoding(decoded: list[int], address: int) -> Callable[[], Content]:
    def decode() -> Content:
        decoded.append(address)
        return DUNE

    return decode


def test_a_searcher_cache_keeps_its_most_recent_pages_and_bounded_documents() -> None:
    cache = SearcherCache(pages=2)
    pages = {name: SearchPage(items=(movie(name),), total=1, page=1, page_size=20) for name in ("a", "b", "c")}
    cache.keep("a", pages["a"])
    cache.keep("b", pages["b"])
    assert cache.page("a") is pages["a"]  # now the most recent
    cache.keep("c", pages["c"])
    assert cache.page("b") is None and cache.page("a") is pages["a"] and cache.page("c") is pages["c"]
    decoded: list[int] = []
    for address in range(2 * DOCUMENTS_PER_PAGE):
        cache.document(address, decoding(decoded, address))
    cache.document(0, decoding(decoded, 0))
    assert decoded.count(0) == 1, "a document is decoded once"
    cache.document(2 * DOCUMENTS_PER_PAGE, decoding(decoded, 2 * DOCUMENTS_PER_PAGE))
    cache.document(0, decoding(decoded, 0))
    assert decoded.count(0) == 2, "the documents were dropped once there were too many"


def test_a_searcher_cache_of_no_pages_keeps_nothing() -> None:
    cache = SearcherCache(pages=0)
    cache.keep("a", SearchPage(items=(), total=0, page=1, page_size=20))
    assert cache.page("a") is None
    decoded: list[int] = []
    cache.document(1, decoding(decoded, 1))
    cache.document(1, decoding(decoded, 1))
    assert decoded == [1, 1]
