"""Reading one ``MG_*`` value: whole numbers, fractions and URLs, with errors that name the variable."""

from __future__ import annotations

import math
from collections.abc import Mapping
from urllib.parse import urlsplit


class ConfigurationError(ValueError):
    pass


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_fraction(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number between 0 and 1, got {raw!r}") from None
    if not 0 < value <= 1:
        raise ConfigurationError(f"{name} must be between 0 (exclusive) and 1, got {value}")
    return value


def env_url(env: Mapping[str, str], name: str) -> str | None:
    """An absolute http(s) URL without a trailing slash, or None when unset."""
    raw = env.get(name) or None
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL, got {raw!r}")
    return raw.rstrip("/")


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    """A finite number above 0."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a number above 0, got {raw!r}")
    return value
