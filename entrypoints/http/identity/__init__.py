"""Identity's HTTP side, one ``*_routes`` module per capability (accounts and sessions, second
factor, API keys, …), all on one blueprint. The route modules are found, not listed: a new
capability adds its module and nothing else here."""

import importlib
import pkgutil

from entrypoints.http.identity.blueprint import identity

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name.endswith("_routes"):
        importlib.import_module(f"{__name__}.{_module.name}")

BLUEPRINTS = (identity,)
