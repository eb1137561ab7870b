"""Search analytics' HTTP side: clicks on search results, the report for administrators and its
dashboard page, one ``*_routes`` module each, on one blueprint. The route modules are found, not listed."""

import importlib
import pkgutil

from entrypoints.http.search_analytics.blueprint import search_analytics

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name.endswith("_routes") or _module.name in ("capture", "searcher"):
        importlib.import_module(f"{__name__}.{_module.name}")

BLUEPRINTS = (search_analytics,)
