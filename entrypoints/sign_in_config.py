"""Configuration of signing in beyond passwords: outgoing mail, the identity providers (GitHub,
Google), the client apps' return addresses, and the TV sign-in. ``MG_*`` variables, read once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from entrypoints.config_values import ConfigurationError, env_int, env_url

DEFAULT_MAIL_FROM = "Media Gateway <no-reply@media-gateway.invalid>"


@attrs.frozen
class GitHubSettings:
    client_id: str
    client_secret: str = attrs.field(repr=False)
    base_url: str = "https://github.com"  # GitHub Enterprise: https://github.example.com
    api_url: str = "https://api.github.com"  # GitHub Enterprise: https://github.example.com/api/v3


@attrs.frozen
class GoogleSettings:
    client_id: str
    client_secret: str = attrs.field(repr=False)
    issuer: str = "https://accounts.google.com"  # its /.well-known/openid-configuration is read


@attrs.frozen
class SignInSettings:
    # None: mail goes to the outbox directory under MG_DATA_DIR (`media-gateway outbox` lists it).
    # smtp://host:port (STARTTLS if offered), smtps://host:port (TLS from the start), user:password@ allowed.
    smtp_url: str | None = attrs.field(default=None, repr=False)
    mail_from: str = DEFAULT_MAIL_FROM
    # How links in mail and the providers' callback URL are built; None: http://MG_HTTP_HOST:MG_HTTP_PORT.
    public_base_url: str | None = None
    # The client apps' return addresses after a provider sign-in, matched exactly.
    oauth_redirect_uris: tuple[str, ...] = ()
    github: GitHubSettings | None = None
    google: GoogleSettings | None = None
    provider_timeout_seconds: int = 10
    email_verifications_per_hour: int = 5  # resends per account
    password_resets_per_hour: int = 5  # per address asked for, and per client IP four times that
    device_code_guesses_per_ip: int = 10  # wrong user codes per client IP per 15 minutes
    # outgoing mail: a CA to trust beside the system's (a company or test CA), and how long one SMTP exchange may take
    smtp_ca_file: Path | None = None
    smtp_timeout_seconds: int = 30
    # TV sign-in
    device_authorizations_per_ip: int = 30  # TV sign-ins started per client IP per 15 minutes
    # mail operations: mail waiting longer than this to be sent makes the mail:queue health check warn
    mail_backlog_warn_seconds: int = 900

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SignInSettings:
        return cls(
            smtp_url=_smtp_url(env),
            mail_from=env.get("MG_MAIL_FROM") or DEFAULT_MAIL_FROM,  # cls.mail_from is attrs' slot, not the default
            public_base_url=env_url(env, "MG_PUBLIC_BASE_URL"),
            oauth_redirect_uris=_redirect_uris(env),
            github=_github(env),
            google=_google(env),
            provider_timeout_seconds=env_int(env, "MG_PROVIDER_TIMEOUT_SECONDS", 10),
            email_verifications_per_hour=env_int(env, "MG_EMAIL_VERIFICATIONS_PER_HOUR", 5),
            password_resets_per_hour=env_int(env, "MG_PASSWORD_RESETS_PER_HOUR", 5),
            device_code_guesses_per_ip=env_int(env, "MG_DEVICE_CODE_GUESSES_PER_IP", 10),
            smtp_ca_file=_smtp_ca_file(env),
            smtp_timeout_seconds=env_int(env, "MG_SMTP_TIMEOUT_SECONDS", 30),
            device_authorizations_per_ip=env_int(env, "MG_DEVICE_AUTHORIZATIONS_PER_IP", 30),
            mail_backlog_warn_seconds=env_int(env, "MG_MAIL_BACKLOG_WARN_SECONDS", 900),
        )


def _default(settings: type[Any], name: str) -> Any:
    # On a slotted attrs class, ``Class.field`` is the slot's descriptor, not the field's default.
    return getattr(attrs.fields(settings), name).default


def _smtp_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("MG_SMTP_URL") or None
    if raw is not None:
        parts = urlsplit(raw)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError("MG_SMTP_URL must look like smtp://host:587 or smtps://user:password@host:465")
    return raw


def _smtp_ca_file(env: Mapping[str, str]) -> Path | None:
    raw = env.get("MG_SMTP_CA_FILE") or None
    if raw is not None and not Path(raw).is_file():
        raise ConfigurationError(f"MG_SMTP_CA_FILE must be a PEM file of CA certificates; {raw!r} is not a file")
    return Path(raw) if raw else None


def _redirect_uris(env: Mapping[str, str]) -> tuple[str, ...]:
    uris = tuple(uri.strip() for uri in (env.get("MG_OAUTH_REDIRECT_URIS") or "").split(",") if uri.strip())
    for uri in uris:
        parts = urlsplit(uri)
        if not parts.scheme or not (parts.netloc or parts.scheme not in ("http", "https")) or parts.fragment:
            raise ConfigurationError(
                f"MG_OAUTH_REDIRECT_URIS must be absolute URIs without a fragment, comma-separated; got {uri!r}"
            )
    return uris


def _github(env: Mapping[str, str]) -> GitHubSettings | None:
    client_id, secret = env.get("MG_GITHUB_CLIENT_ID") or None, env.get("MG_GITHUB_CLIENT_SECRET") or None
    if client_id is None and secret is None:
        return None
    if client_id is None or secret is None:
        raise ConfigurationError("GitHub sign-in needs both MG_GITHUB_CLIENT_ID and MG_GITHUB_CLIENT_SECRET")
    return GitHubSettings(
        client_id=client_id,
        client_secret=secret,
        base_url=env_url(env, "MG_GITHUB_BASE_URL") or _default(GitHubSettings, "base_url"),
        api_url=env_url(env, "MG_GITHUB_API_URL") or _default(GitHubSettings, "api_url"),
    )


def _google(env: Mapping[str, str]) -> GoogleSettings | None:
    client_id, secret = env.get("MG_GOOGLE_CLIENT_ID") or None, env.get("MG_GOOGLE_CLIENT_SECRET") or None
    if client_id is None and secret is None:
        return None
    if client_id is None or secret is None:
        raise ConfigurationError("Google sign-in needs both MG_GOOGLE_CLIENT_ID and MG_GOOGLE_CLIENT_SECRET")
    return GoogleSettings(
        client_id=client_id,
        client_secret=secret,
        issuer=env_url(env, "MG_GOOGLE_ISSUER") or _default(GoogleSettings, "issuer"),
    )
