"""Identity's HTTP side, one module per capability: accounts and sessions, second factor, API keys."""

from entrypoints.http.identity import account_routes, api_key_routes, mfa_routes  # noqa: F401
from entrypoints.http.identity.blueprint import identity

BLUEPRINTS = (identity,)
