"""Checks every serving use case applies to what it is asked (the HTTP schema checks the shape)."""

from __future__ import annotations

from domain.recommendations.errors import InvalidRecommendationRequest

KINDS = ("movie", "series")  # what is recommended: episodes roll up to their series


def check_limit(limit: int, max_limit: int) -> None:
    if isinstance(limit, bool) or not 1 <= limit <= max_limit:
        raise InvalidRecommendationRequest(f"'limit' must be from 1 to {max_limit}.", field="limit")


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise InvalidRecommendationRequest(f"'kind' must be one of {', '.join(KINDS)}.", field="kind")


def spare(limit: int) -> int:
    """How many more than ``limit`` to ask the index for, so titles the catalog withdrew since the
    model was trained (left out of the answer) do not leave the page short."""
    return limit + max(5, limit // 4)
