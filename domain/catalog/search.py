from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from uuid import UUID

from attrs import frozen

from domain.catalog.content import Content
from domain.catalog.errors import InvalidSearch

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 100
# Deep pages cost the database a scan of every row before them and no one reads page 1,001 of a
# ranked list: offsets stay below 100,000 (Elasticsearch's max_result_window is 10,000), far
# from the int64 overflow an unbounded page reached.
MAX_PAGE = 1000
MIN_YEAR = 1870
MAX_YEAR = 2100
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    slug = value.strip().lower()
    if not _SLUG.match(slug) or len(slug) > 40:
        raise InvalidSearch(f"'{field}' must be a lowercase slug such as 'science-fiction'.", field=field)
    return slug


@frozen
class SearchQuery:
    text: str
    genre: str | None = None
    platform: str | None = None
    year: int | None = None
    page: int = 1
    page_size: int = 20
    # The moment availability windows are judged at (the platform filter); None: the search's own now.
    at: datetime | None = None

    @classmethod
    def create(
        cls,
        text: str | None,
        *,
        genre: str | None = None,
        platform: str | None = None,
        year: int | None = None,
        page: int = 1,
        page_size: int = 20,
        at: datetime | None = None,
    ) -> SearchQuery:
        cleaned = " ".join(unicodedata.normalize("NFKC", text or "").split())
        if not cleaned:
            raise InvalidSearch("The search query 'q' must not be empty.", field="q")
        if len(cleaned) > MAX_QUERY_LENGTH:
            raise InvalidSearch(f"The search query 'q' must be at most {MAX_QUERY_LENGTH} characters.", field="q")
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidSearch(f"'year' must be between {MIN_YEAR} and {MAX_YEAR}.", field="year")
        if not 1 <= page <= MAX_PAGE:
            raise InvalidSearch(f"'page' must be between 1 and {MAX_PAGE}.", field="page")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidSearch(f"'page_size' must be between 1 and {MAX_PAGE_SIZE}.", field="page_size")
        return cls(
            text=cleaned,
            genre=_slug(genre, "genre"),
            platform=_slug(platform, "platform"),
            year=year,
            page=page,
            page_size=page_size,
            at=at,
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@frozen
class SearchPage:
    items: tuple[Content, ...]
    total: int
    page: int
    page_size: int
    # Names this answer for click tracking (POST /api/v1/search/clicks); set by SearchCatalog.
    search_id: UUID | None = None
    # True when the adapter stopped counting at a bound: at least `total` matches ("1,000+"), and
    # the pages up to total_pages are the ones it ranked.
    total_is_lower_bound: bool = False

    @property
    def total_pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size
