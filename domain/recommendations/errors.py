"""Errors of the recommendations context."""

from __future__ import annotations

from domain.shared.errors import InvalidInput, NotFound


class InvalidRating(InvalidInput):
    code = "invalid-rating"


class RatingNotFound(NotFound):
    code = "rating-not-found"


class InvalidRecommendationRequest(InvalidInput):
    code = "invalid-recommendation-request"


class UnknownViewer(NotFound):
    """The administrator asked about a user id no account has."""

    code = "viewer-not-found"


class TitleNotFound(NotFound):
    """Similar titles of a title the catalog does not have (or no longer offers)."""

    code = "content-not-found"
