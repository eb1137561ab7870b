"""What every normaliser shares: strict JSON decoding of the raw body into msgspec structs, and
turning decoding and rule errors into PayloadRejected naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import msgspec

from domain.catalog.errors import InvalidCatalogChange
from domain.ingestion.errors import PayloadRejected

T = TypeVar("T")
_PATH = re.compile(r"at `\$\.?(.*)`$")


def decoded(body: bytes, shape: type[T], *, at: str = "") -> T:
    """The body decoded as ``shape``: UTF-8 JSON, types exact ("3" is not a number). ``at`` is
    where the body sits in the whole payload (``data``), for the field named in an error."""
    try:
        return msgspec.json.decode(body, type=shape, strict=True)
    except msgspec.ValidationError as error:
        message = str(error)
        match = _PATH.search(message)
        path = ".".join(part for part in (at, match.group(1) if match else "") if part) or None
        raise PayloadRejected(f"The payload does not match its format: {message}.", field=path) from None
    except msgspec.DecodeError as error:
        raise PayloadRejected(f"The body is not UTF-8 JSON: {error}.") from None


def checked(build: Callable[[], T]) -> T:
    """Run the canonical form's constructors, turning their rule errors into PayloadRejected."""
    try:
        return build()
    except InvalidCatalogChange as error:
        raise PayloadRejected(error.detail, field=error.field) from None
