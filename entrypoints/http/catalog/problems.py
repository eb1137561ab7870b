"""The catalog's problem types."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types(
    {
        "invalid-search": (400, "The search request is not valid"),
        "content-not-found": (404, "Content not found"),
    }
)
