"""The catalog's HTTP side: its routes, schemas and problem types."""

from entrypoints.http.catalog.routes import catalog

BLUEPRINTS = (catalog,)
