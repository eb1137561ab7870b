"""Configuration of search analytics: capture, rollups, retention and privacy. ``MG_SEARCH_*``
variables, read once."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from entrypoints.config_values import ConfigurationError, env_float, env_int


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise ConfigurationError(f"{name} must be on or off, got {raw!r}")


@attrs.frozen
class SearchAnalyticsSettings:
    enabled: bool = True  # MG_SEARCH_ANALYTICS=off: searches are not recorded (search ids still given)
    rollup_seconds: int = 60  # how often the worker rolls up; what the report lags behind by at most
    min_viewers: int = 5  # k-anonymity: a query is listed only once this many distinct viewers searched it
    raw_retention_days: int = 30
    rollup_retention_days: int = 396  # 13 months
    partitions_ahead_days: int = 7
    # capture: a bounded in-process buffer, written in batches in the background
    flush_seconds: float = 0.5
    flush_batch: int = 1000
    buffer_limit: int = 20_000  # past this, new searches are counted as dropped rather than held
    click_window_hours: int = 24  # how long after a search its clicks are counted
    closest_titles: int = 3

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SearchAnalyticsSettings:
        return cls(
            enabled=_switch(env, "MG_SEARCH_ANALYTICS", True),
            rollup_seconds=env_int(env, "MG_SEARCH_ROLLUP_SECONDS", 60),
            min_viewers=env_int(env, "MG_SEARCH_MIN_VIEWERS", 5),
            raw_retention_days=env_int(env, "MG_SEARCH_RAW_RETENTION_DAYS", 30),
            rollup_retention_days=env_int(env, "MG_SEARCH_ROLLUP_RETENTION_DAYS", 396),
            partitions_ahead_days=env_int(env, "MG_SEARCH_PARTITIONS_AHEAD_DAYS", 7),
            flush_seconds=env_float(env, "MG_SEARCH_FLUSH_SECONDS", 0.5),
            flush_batch=env_int(env, "MG_SEARCH_FLUSH_BATCH", 1000),
            buffer_limit=env_int(env, "MG_SEARCH_BUFFER_LIMIT", 20_000),
            click_window_hours=env_int(env, "MG_SEARCH_CLICK_WINDOW_HOURS", 24),
        )
