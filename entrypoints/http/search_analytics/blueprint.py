"""Search analytics' one blueprint, shared by its route modules (and the capture buffer's flusher,
which runs while the app serves)."""

from __future__ import annotations

from quart import Blueprint

search_analytics = Blueprint("search_analytics", __name__)
