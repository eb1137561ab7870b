"""Configuration from ``MG_*`` environment variables; read once, at start-up, never at import."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from entrypoints.catalog_search_config import CatalogSearchSettings
from entrypoints.config_values import ConfigurationError, env_url
from entrypoints.config_values import env_fraction as _fraction
from entrypoints.config_values import env_int as _int
from entrypoints.ingestion_config import IngestionSettings
from entrypoints.recommendations_config import RecommendationSettings
from entrypoints.search_analytics_config import SearchAnalyticsSettings
from entrypoints.sign_in_config import SignInSettings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs (``10.0.0.0/8, fd00::/8``); a bare address is a network of one."""
    networks = []
    for raw in (env.get(name) or "").split(","):
        if not raw.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(raw.strip()))
        except ValueError as error:
            raise ConfigurationError(
                f"{name} must be comma-separated CIDRs such as 10.0.0.0/8 or fd00::/8; {raw.strip()!r}: {error}"
            ) from None
    return tuple(networks)


@attrs.frozen
class Settings:
    data_dir: Path = Path("var")
    database_url: str | None = None
    redis_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    http_processes: int = 1
    jwt_private_key: str | None = attrs.field(default=None, repr=False)
    mfa_encryption_key: str | None = attrs.field(default=None, repr=False)
    mfa_encryption_previous_keys: str | None = attrs.field(default=None, repr=False)
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    refresh_reuse_grace_seconds: int = 5
    login_failures_per_account_and_ip: int = 10
    login_failures_per_account: int = 100
    login_failures_per_ip: int = 100
    login_failure_window_seconds: int = 900
    mfa_attempts_per_account: int = 5
    mfa_attempts_per_ip: int = 5
    leaked_key_reports_per_ip: int = 10
    mfa_attempts_per_ip_all_accounts: int = 100
    registrations_per_ip: int = 10
    registration_ip_window_seconds: int = 3600
    registrations_per_minute: int = 60
    max_body_bytes: int = 1024 * 1024
    max_header_bytes: int = 16 * 1024
    completion_threshold: float = 0.95
    stale_progress_days: int = 30
    log_level: str = "INFO"
    # Besides loopback, who may read GET /metrics and GET /health/aggregate.
    metrics_allow: tuple[Network, ...] = ()
    qdrant_url: str | None = None
    health_deadline_ms: int = 1000
    health_check_timeout_ms: int = 800
    health_cache_seconds: int = 5
    heartbeat_ttl_seconds: int = 15
    archive_backlog_warn_seconds: int = 60
    sign_in: SignInSettings = attrs.field(factory=SignInSettings)
    ingestion: IngestionSettings = attrs.field(factory=IngestionSettings)
    recommendations: RecommendationSettings = attrs.field(factory=RecommendationSettings)
    search_analytics: SearchAnalyticsSettings = attrs.field(factory=SearchAnalyticsSettings)
    catalog_search: CatalogSearchSettings = attrs.field(factory=CatalogSearchSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            data_dir=Path(env.get("MG_DATA_DIR") or "var"),
            database_url=env.get("MG_DATABASE_URL") or None,
            redis_url=env.get("MG_REDIS_URL") or None,
            http_host=env.get("MG_HTTP_HOST") or "127.0.0.1",
            http_port=_int(env, "MG_HTTP_PORT", 8080),
            http_processes=_int(env, "MG_HTTP_PROCESSES", 1, minimum=1),
            jwt_private_key=env.get("MG_JWT_PRIVATE_KEY") or None,
            mfa_encryption_key=env.get("MG_MFA_ENCRYPTION_KEY") or None,
            mfa_encryption_previous_keys=env.get("MG_MFA_ENCRYPTION_PREVIOUS_KEYS") or None,
            access_token_ttl_seconds=_int(env, "MG_ACCESS_TOKEN_TTL_SECONDS", 900),
            refresh_token_ttl_days=_int(env, "MG_REFRESH_TOKEN_TTL_DAYS", 30),
            refresh_reuse_grace_seconds=_int(env, "MG_REFRESH_REUSE_GRACE_SECONDS", 5, minimum=0),
            login_failures_per_account_and_ip=_int(env, "MG_LOGIN_FAILURES_PER_ACCOUNT_AND_IP", 10),
            login_failures_per_account=_int(env, "MG_LOGIN_FAILURES_PER_ACCOUNT", 100),
            login_failures_per_ip=_int(env, "MG_LOGIN_FAILURES_PER_IP", 100),
            login_failure_window_seconds=_int(env, "MG_LOGIN_FAILURE_WINDOW_SECONDS", 900),
            mfa_attempts_per_account=_int(env, "MG_MFA_ATTEMPTS_PER_ACCOUNT", 5),
            mfa_attempts_per_ip=_int(env, "MG_MFA_ATTEMPTS_PER_IP", 5),
            leaked_key_reports_per_ip=_int(env, "MG_LEAKED_KEY_REPORTS_PER_IP", 10),
            mfa_attempts_per_ip_all_accounts=_int(env, "MG_MFA_ATTEMPTS_PER_IP_ALL_ACCOUNTS", 100),
            registrations_per_ip=_int(env, "MG_REGISTRATIONS_PER_IP", 10),
            registration_ip_window_seconds=_int(env, "MG_REGISTRATION_IP_WINDOW_SECONDS", 3600),
            registrations_per_minute=_int(env, "MG_REGISTRATIONS_PER_MINUTE", 60),
            max_body_bytes=_int(env, "MG_MAX_BODY_BYTES", 1024 * 1024),
            max_header_bytes=_int(env, "MG_MAX_HEADER_BYTES", 16 * 1024),
            completion_threshold=_fraction(env, "MG_COMPLETION_THRESHOLD", 0.95),
            stale_progress_days=_int(env, "MG_STALE_PROGRESS_DAYS", 30),
            log_level=(env.get("MG_LOG_LEVEL") or "INFO").upper(),
            metrics_allow=_networks(env, "MG_METRICS_ALLOW"),
            qdrant_url=env_url(env, "MG_QDRANT_URL"),
            health_deadline_ms=_int(env, "MG_HEALTH_DEADLINE_MS", 1000, minimum=10),
            health_check_timeout_ms=_int(env, "MG_HEALTH_CHECK_TIMEOUT_MS", 800, minimum=10),
            health_cache_seconds=_int(env, "MG_HEALTH_CACHE_SECONDS", 5, minimum=0),
            heartbeat_ttl_seconds=_int(env, "MG_HEARTBEAT_TTL_SECONDS", 15),
            archive_backlog_warn_seconds=_int(env, "MG_ARCHIVE_BACKLOG_WARN_SECONDS", 60),
            sign_in=SignInSettings.from_env(env),
            ingestion=IngestionSettings.from_env(env),
            recommendations=RecommendationSettings.from_env(env),
            search_analytics=SearchAnalyticsSettings.from_env(env),
            catalog_search=CatalogSearchSettings.from_env(env),
        )

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.redis_url is None

    @property
    def signing_key_path(self) -> Path:
        return self.data_dir / "secrets" / "jwt-signing-key.pem"

    @property
    def search_index_dir(self) -> Path:
        """The catalog's Tantivy index (its generations and the pointer to the live one)."""
        return self.data_dir / "search-index"

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes when no MG_SMTP_URL is set: one file per message."""
        return self.data_dir / "outbox"

    @property
    def public_base_url(self) -> str:
        return (self.sign_in.public_base_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def mfa_key_path(self) -> Path:
        return self.data_dir / "secrets" / "mfa-encryption-key"


def check_metrics_directory(env: Mapping[str, str]) -> None:
    """prometheus-client's multiprocess mode writes into ``PROMETHEUS_MULTIPROC_DIR`` from the first
    metric defined on: say so now, not with a traceback from deep inside an import."""
    directory = env.get("PROMETHEUS_MULTIPROC_DIR")
    if directory and not Path(directory).is_dir():
        raise ConfigurationError(f"PROMETHEUS_MULTIPROC_DIR must be an existing directory, got {directory!r}")


def with_servers(settings: Settings) -> Settings:
    """Fill in the URL of every server not configured by starting its embedded counterpart."""
    database_url, redis_url = settings.database_url, settings.redis_url
    if database_url is None:
        from adapters.embedded.embedded_postgres import start_embedded_postgres

        database_url = start_embedded_postgres(settings.data_dir)
    if redis_url is None:
        from adapters.embedded.embedded_redis import start_embedded_redis

        redis_url = start_embedded_redis(settings.data_dir)
    return attrs.evolve(settings, database_url=database_url, redis_url=redis_url)
