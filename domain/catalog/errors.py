from __future__ import annotations

from domain.shared.errors import DomainError, InvalidInput, NotFound


class ContentNotFound(NotFound):
    code = "content-not-found"


class InvalidSearch(InvalidInput):
    code = "invalid-search"


class InvalidCatalogChange(InvalidInput):
    """A platform's announced change that breaks the canonical form's rules."""

    code = "invalid-catalog-change"


class UnappliableChange(DomainError):
    """A valid change the catalog can never apply as it stands (applying it again fails the same
    way): the ingestion worker sets it aside as a dead letter instead of retrying it."""

    code = "unappliable-change"


class UnknownSeries(UnappliableChange):
    """An episode whose series the catalog does not know on that platform."""

    code = "unknown-series"


class UnknownTitle(UnappliableChange):
    """A removal or an availability change for a title the platform never announced."""

    code = "unknown-title"
