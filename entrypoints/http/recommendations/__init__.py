"""Recommendations' HTTP side: ratings, personal picks, similar titles and (for administrators)
similar viewers, one ``*_routes`` module each, on one blueprint. The route modules are found, not listed."""

import importlib
import pkgutil

from entrypoints.http.recommendations.blueprint import recommendations

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name.endswith("_routes"):
        importlib.import_module(f"{__name__}.{_module.name}")

BLUEPRINTS = (recommendations,)
