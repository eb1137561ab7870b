"""Recommendations' one blueprint, shared by its route modules."""

from __future__ import annotations

from quart import Blueprint

recommendations = Blueprint("recommendations", __name__)
