"""Identifiers the wider world knows a title by (IMDb, TMDB, EIDR)."""

from __future__ import annotations

import re

from attrs import frozen

from domain.catalog.errors import InvalidCatalogChange

EXTERNAL_ID_RULES = {
    "imdb": re.compile(r"^tt\d{7,10}$"),
    "tmdb": re.compile(r"^(?:movie|tv)/\d{1,10}$|^\d{1,10}$"),
    "eidr": re.compile(r"^10\.5240/(?:[0-9A-F]{4}-){5}[0-9A-Z]$"),
}


@frozen
class ExternalIds:
    """Identifiers the wider world knows a title by; any one of them resolves a title."""

    imdb: str | None = None  # tt0133093
    tmdb: str | None = None  # 603, or movie/603 and tv/1399
    eidr: str | None = None  # 10.5240/XXXX-XXXX-XXXX-XXXX-XXXX-C

    def __attrs_post_init__(self) -> None:
        for name, rule in EXTERNAL_ID_RULES.items():
            value = getattr(self, name)
            if value is not None and not rule.match(value):
                raise InvalidCatalogChange(
                    f"'external_ids.{name}' is not a valid {name} id.", field=f"external_ids.{name}"
                )

    def known(self) -> dict[str, str]:
        """The known ids, in resolution order (imdb, tmdb, eidr)."""
        return {name: value for name in EXTERNAL_ID_RULES if (value := getattr(self, name)) is not None}

    def merged(self, newer: ExternalIds) -> ExternalIds:
        """These ids with ``newer``'s known ones taking precedence: an id one platform does not
        send is not forgotten because of it."""
        return ExternalIds(**{**self.known(), **newer.known()})
