"""Platform normalisers, one module per payload format (``<format>_normaliser.py`` exposing
``NORMALISER``). They are found, not listed: a new platform's format is one file here, and its
registration names it."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import msgspec

from application.ingestion.normaliser_ports import PlatformNormaliser
from domain.ingestion.errors import InvalidRegistration


class DiscoveredNormalisers:
    def __init__(self, normalisers: dict[str, PlatformNormaliser]) -> None:
        self._normalisers = normalisers

    def named(self, format: str) -> PlatformNormaliser:
        try:
            return self._normalisers[format]
        except KeyError:
            known = ", ".join(sorted(self._normalisers))
            raise InvalidRegistration(f"Unknown format '{format}'; known formats: {known}.", field="format") from None

    def formats(self) -> tuple[str, ...]:
        return tuple(sorted(self._normalisers))


def discovered_normalisers() -> DiscoveredNormalisers:
    found: dict[str, PlatformNormaliser] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.endswith("_normaliser"):
            normaliser: PlatformNormaliser = importlib.import_module(f"{__name__}.{module.name}").NORMALISER
            if normaliser.format in found:
                raise TypeError(f"two normalisers for the format {normaliser.format!r}")
            found[normaliser.format] = normaliser
    return DiscoveredNormalisers(found)


def payload_schemas() -> dict[str, dict[str, Any]]:
    """Each format's JSON Schema, generated from the structs its module names ``PAYLOAD`` (the
    committed ``docs/webhooks/<format>.schema.json`` must equal it; scripts/generate_webhook_schemas.py)."""
    schemas: dict[str, dict[str, Any]] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.endswith("_normaliser"):
            found = importlib.import_module(f"{__name__}.{module.name}")
            schema = {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": f"A '{found.NORMALISER.format}' webhook delivery to Media Gateway",
                "description": (found.__doc__ or "").strip(),
                **msgspec.json.schema(found.PAYLOAD),
            }
            schemas[found.NORMALISER.format] = schema
    return schemas
