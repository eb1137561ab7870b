"""Configuration of platform webhooks: receiving, deduplication, back-pressure and the worker's
retries. ``MG_WEBHOOK_*`` and ``MG_INGESTION_*`` variables, read once."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from entrypoints.config_values import env_int


@attrs.frozen
class IngestionSettings:
    # receiving
    max_body_bytes: int = 1024 * 1024  # a larger delivery is 413, unread past the limit
    timestamp_tolerance_seconds: int = 300  # standard and stripe: older or newer than this is refused
    secret_overlap_hours: int = 24  # after a rotation, the previous secret stays valid this long
    dedup_horizon_hours: int = 72  # the senders' retry horizon: delivery ids and fingerprints kept this long
    backlog_limit: int = 50_000  # stream entries waiting past this: 429 with Retry-After (back-pressure)
    backlog_retry_after_seconds: int = 30
    registration_cache_seconds: int = 2  # how long a process trusts a registration it read (disabling, rotating)
    # the worker
    batch_size: int = 100
    max_attempts: int = 8  # transient failures before an entry becomes a dead letter
    retry_base_seconds: int = 2  # backoff: base * 2^(attempt-1), capped at retry_max_seconds
    retry_max_seconds: int = 600
    claim_after_seconds: int = 30  # a dead worker's entries are claimed by another after this idle time
    replay_per_second: int = 200  # dead letters put back per second by a replay
    backlog_warn_seconds: int = 60  # the oldest waiting entry older than this makes ingestion's health check warn

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> IngestionSettings:
        return cls(
            max_body_bytes=env_int(env, "MG_WEBHOOK_MAX_BODY_BYTES", 1024 * 1024),
            timestamp_tolerance_seconds=env_int(env, "MG_WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS", 300),
            secret_overlap_hours=env_int(env, "MG_WEBHOOK_SECRET_OVERLAP_HOURS", 24, minimum=0),
            dedup_horizon_hours=env_int(env, "MG_WEBHOOK_DEDUP_HORIZON_HOURS", 72),
            backlog_limit=env_int(env, "MG_WEBHOOK_BACKLOG_LIMIT", 50_000),
            backlog_retry_after_seconds=env_int(env, "MG_WEBHOOK_BACKLOG_RETRY_AFTER_SECONDS", 30),
            registration_cache_seconds=env_int(env, "MG_WEBHOOK_REGISTRATION_CACHE_SECONDS", 2, minimum=0),
            batch_size=env_int(env, "MG_INGESTION_BATCH_SIZE", 100),
            max_attempts=env_int(env, "MG_INGESTION_MAX_ATTEMPTS", 8),
            retry_base_seconds=env_int(env, "MG_INGESTION_RETRY_BASE_SECONDS", 2),
            retry_max_seconds=env_int(env, "MG_INGESTION_RETRY_MAX_SECONDS", 600),
            claim_after_seconds=env_int(env, "MG_INGESTION_CLAIM_AFTER_SECONDS", 30),
            replay_per_second=env_int(env, "MG_INGESTION_REPLAY_PER_SECOND", 200),
            backlog_warn_seconds=env_int(env, "MG_INGESTION_BACKLOG_WARN_SECONDS", 60),
        )
