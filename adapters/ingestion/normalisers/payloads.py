"""What every normaliser shares: strict JSON decoding of the raw body into msgspec structs, and
turning decoding and rule errors into PayloadRejected naming the field.

Decoding is strict about what a format declares and tolerant of what it does not: a declared
field must have its declared JSON type ("3" is not a number, 3.0 is not an integer, true is not
1), while fields a format does not declare are ignored. Platforms add fields to their feeds
without notice, and refusing those would set aside every delivery after a harmless change
upstream; a field that changes type is a change of format, and is refused.

Fields are named as paths in the payload, in msgspec's notation: ``data.availability[0].region``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import msgspec

from domain.catalog.errors import InvalidCatalogChange
from domain.ingestion.errors import PayloadRejected

T = TypeVar("T")
_PATH = re.compile(r" - at `\$\.?(.*)`$")
_MISSING = re.compile(r"missing required field `([^`]+)`")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def joined(*parts: str | None) -> str | None:
    """A payload path from its parts, skipping empty ones (``joined("data", "title")``)."""
    path = ""
    for part in filter(None, parts):
        if path and not part.startswith("["):
            path += "."
        path += part
    return path or None


def decoded(body: bytes, shape: Any) -> Any:
    """The body decoded as ``shape`` (a struct or a tagged union of structs): UTF-8 JSON, each
    declared field of its declared type, unknown fields ignored."""
    try:
        return msgspec.json.decode(body, type=shape, strict=True)
    except msgspec.ValidationError as error:
        message = str(error)
        where = _PATH.search(message)
        missing = _MISSING.search(message)
        # msgspec names a value in a mapping "names[...]": the mapping is the field.
        at = where.group(1).replace("[...]", "") if where else None
        path = joined(at, missing.group(1) if missing else None)
        raise PayloadRejected(f"The payload does not match its format: {message}.", field=path) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        # msgspec reports bytes that are not UTF-8 inside a string as a UnicodeDecodeError.
        raise PayloadRejected(f"The body is not UTF-8 JSON: {error}.") from None


def checked(build: Callable[[], T], *, at: str | None = None, fields: Mapping[str, str] | None = None) -> T:
    """Run the canonical form's constructors, turning their rule errors into PayloadRejected.
    The domain names its own fields (``release_year``); ``fields`` says what the format calls
    them (``title.releaseYear``) and ``at`` where the checked part sits in the payload."""
    try:
        return build()
    except InvalidCatalogChange as error:
        field = error.field
        if field is not None:
            field = joined(at, (fields or {}).get(field, field))
        raise PayloadRejected(error.detail, field=field) from None


def genre_slug(name: str) -> str:
    """A platform's genre name as the catalog's slug: "Sci-Fi & Fantasy" -> "sci-fi-fantasy"."""
    return _NOT_SLUG.sub("-", name.lower()).strip("-")
