"""The bounded contexts' HTTP packages: each subpackage of entrypoints.http is one, and exposes
``BLUEPRINTS``. A new context's package is found here; nothing lists the contexts by hand."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from quart import Blueprint

import entrypoints.http


def context_packages() -> list[ModuleType]:
    packages = [
        importlib.import_module(f"{entrypoints.http.__name__}.{found.name}")
        for found in sorted(pkgutil.iter_modules(entrypoints.http.__path__), key=lambda found: found.name)
        if found.ispkg
    ]
    for package in packages:
        if not all(isinstance(blueprint, Blueprint) for blueprint in getattr(package, "BLUEPRINTS", [None])):
            raise TypeError(f"{package.__name__} is a context's HTTP package: it must expose BLUEPRINTS")
    return packages


def blueprints_of(packages: list[ModuleType]) -> list[Blueprint]:
    return [blueprint for package in packages for blueprint in package.BLUEPRINTS]
