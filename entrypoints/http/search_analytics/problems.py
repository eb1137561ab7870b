"""Search analytics' problem types."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types(
    {
        "invalid-click": (422, "The click cannot be counted"),
    }
)
