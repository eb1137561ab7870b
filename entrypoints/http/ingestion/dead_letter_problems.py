"""Problem types of the ingestion's dead letters."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types({"dead-letter-not-found": (404, "No such dead letter")})
