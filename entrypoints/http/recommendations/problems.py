"""Recommendations' problem types (``content-not-found`` is the catalog's)."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types(
    {
        "invalid-rating": (422, "The rating is not valid"),
        "rating-not-found": (404, "No rating of this title"),
        "invalid-recommendation-request": (400, "The recommendation request is not valid"),
        "viewer-not-found": (404, "No such viewer"),
    }
)
