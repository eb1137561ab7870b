from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

from adapters.catalog.jsonl_catalog_file import DEMO_CATALOG, read_catalog
from adapters.postgres.database import analyze, describe
from adapters.postgres.health import postgres_answers
from adapters.redis.health import redis_answers
from application.identity.register_account import RegisterAccountCommand
from domain.identity.email import EmailAddress
from entrypoints.cli.demo_viewers import DEMO_VIEWERS, seed_demo_viewers
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.lifecycle import opened, prepare_servers

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "popcorn-on-the-sofa"  # noqa: S105 -- the documented demo account


async def migrate_command(settings: Settings) -> None:
    settings = await prepare_servers(settings)
    print(f"migrated {describe(settings.database_url or '')}")


async def seed_demo_command(settings: Settings) -> None:
    settings = await prepare_servers(settings)
    async with opened(Container(settings=settings)) as container:
        catalog = list(read_catalog(DEMO_CATALOG))
        written = await container.catalog.import_catalog()(catalog)
        await analyze(container.shared.engine())
        total = await container.catalog_adapters.content_repository().count()
        print(f"demo catalog: {written} items loaded, {total} in the catalog")
        # Asked first: registering a taken email would log an attempt in the demo account's security log.
        async with container.identity_adapters.uow()() as uow:
            exists = await uow.users.get_by_email(EmailAddress.parse(DEMO_EMAIL)) is not None
        if exists:
            print(f"demo account exists: {DEMO_EMAIL}")
        else:
            await container.identity.register_account()(
                RegisterAccountCommand(email=DEMO_EMAIL, password=DEMO_PASSWORD, display_name="Demo Viewer")
            )
            print(f"demo account created: {DEMO_EMAIL} (password in the README)")
        recorded = await seed_demo_viewers(container, catalog)
        print(f"demo viewers: {DEMO_VIEWERS} with {recorded} finished titles")
        if await container.recommendations_adapters.registry().in_use() is None:
            trained = await container.recommendation_training.train_model()()
            if trained is not None:
                print(f"recommendation model v{trained.version}: {trained.viewers} viewers, {trained.items} titles")


async def dead_letters_command(settings: Settings, *, limit: int = 100, replay: bool = False) -> None:
    settings = await prepare_servers(settings, migrated=False)
    async with opened(Container(settings=settings)) as container:
        journal = container.playback_adapters.progress_store()
        if replay:
            print(f"replayed {await journal.replay_dead_letters()} dead letters")
            return
        for letter in await journal.dead_letters(limit):
            print(json.dumps({"change_id": letter.change_id, "error": letter.error, "fields": dict(letter.fields)}))


def _redis_description(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def check_command(settings: Settings) -> int:
    embedded_db, embedded_redis = settings.database_url is None, settings.redis_url is None
    settings = await prepare_servers(settings, migrated=False)
    rows = [
        ("data dir", str(settings.data_dir.resolve())),
        ("database", describe(settings.database_url or "") + (" (embedded)" if embedded_db else "")),
        ("redis", _redis_description(settings.redis_url or "") + (" (embedded)" if embedded_redis else "")),
        ("http", f"{settings.http_host}:{settings.http_port}"),
        ("jwt signing key", "from MG_JWT_PRIVATE_KEY" if settings.jwt_private_key else str(settings.signing_key_path)),
        ("access token ttl", f"{settings.access_token_ttl_seconds}s"),
        ("refresh token ttl", f"{settings.refresh_token_ttl_days}d"),
        (
            "login failure limits",
            f"{settings.login_failures_per_account} per account, {settings.login_failures_per_ip} per IP"
            f" in {settings.login_failure_window_seconds}s",
        ),
        ("metrics readers", ", ".join(["loopback", *map(str, settings.metrics_allow)])),
    ]
    async with opened(Container(settings=settings)) as container:
        postgres_ok = await postgres_answers(container.shared.engine())
        redis_ok = await redis_answers(container.shared.redis())
    rows += [("postgres answers", "yes" if postgres_ok else "NO"), ("redis answers", "yes" if redis_ok else "NO")]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    return 0 if postgres_ok and redis_ok else 1
