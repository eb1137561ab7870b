"""Playback's HTTP side: its routes, schemas and problem types."""

from entrypoints.http.playback.routes import playback

BLUEPRINTS = (playback,)
