"""Ingestion's HTTP side: platform registrations, the receiving endpoint, the dead letters, one
``*_routes`` module each, on one blueprint. The route modules are found, not listed."""

import importlib
import pkgutil

from entrypoints.http.ingestion.blueprint import ingestion

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name.endswith("_routes"):
        importlib.import_module(f"{__name__}.{_module.name}")

BLUEPRINTS = (ingestion,)
