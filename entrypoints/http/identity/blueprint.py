"""Identity's one blueprint, shared by its route modules."""

from __future__ import annotations

from quart import Blueprint

# Registered before any route declares one of its codes with @problems (checked there).
from entrypoints.http.identity import problems  # noqa: F401

identity = Blueprint("identity", __name__)
