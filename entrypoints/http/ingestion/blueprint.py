"""Ingestion's one blueprint, shared by its route modules."""

from __future__ import annotations

from quart import Blueprint

ingestion = Blueprint("ingestion", __name__)
