"""Operations' problem types."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types({"breaker-not-found": (404, "No such circuit breaker")})
