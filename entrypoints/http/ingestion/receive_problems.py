"""Ingestion's problem types for registrations and receiving."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types(
    {
        # registrations
        "invalid-webhook-registration": (422, "The webhook registration is not valid"),
        "webhook-registration-not-found": (404, "No such webhook registration"),
        "platform-already-registered": (409, "The platform is already registered"),
        "webhook-registration-disabled": (409, "The webhook registration is disabled"),
        # receiving
        "unknown-webhook-platform": (404, "No platform of that name is registered"),
        "invalid-webhook-signature": (401, "The delivery's signature could not be verified"),
        "invalid-webhook-payload": (400, "The delivery's payload is not valid"),
        "webhook-payload-too-large": (413, "The delivery is too large"),
        "webhook-backlog-full": (429, "Deliveries are arriving faster than they are applied"),
    }
)
