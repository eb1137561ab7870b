"""The form two platforms' spellings of one title share, for entity resolution by title."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile("['\u2019]")
_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """Case, accents, punctuation and spacing folded away: "Amélie’s  Garden!" -> "amelies garden".

    Migration 0010 holds a frozen copy of this (to fill the column for titles imported before it):
    a change here needs a migration that recomputes ``content.title_key``."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    unaccented = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", _APOSTROPHES.sub("", unaccented)).strip()
