"""Problem types of verified email and password reset."""

from __future__ import annotations

from entrypoints.http.problems import register_problem_types

register_problem_types(
    {
        # Unknown, expired, used or for something else: one answer, which does not say which.
        "invalid-account-token": (400, "Invalid or expired link"),
        "email-already-verified": (409, "Email already verified"),
    }
)
