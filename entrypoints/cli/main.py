"""``media-gateway``: serve the API, run the worker, migrate, seed demo data, check the set-up."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from entrypoints.config import ConfigurationError, Settings, check_metrics_directory


def _settings() -> Settings:
    try:
        check_metrics_directory(os.environ)
        return Settings.from_env()
    except ConfigurationError as error:
        sys.exit(f"configuration error: {error}")


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="media-gateway",
        description=(
            "Media Gateway: find what to watch across streaming platforms. With no MG_DATABASE_URL"
            " or MG_REDIS_URL set, an embedded PostgreSQL and Redis run under MG_DATA_DIR (./var)."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="migrate, then serve the HTTP API (default 127.0.0.1:8080)",
        description="Apply pending migrations, then serve the HTTP API until interrupted.",
    )
    serve.add_argument("--host", help="interface to bind (default: MG_HTTP_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: MG_HTTP_PORT or 8080)")
    serve.add_argument(
        "--with-worker",
        action="store_true",
        help="also run the worker as a child process (one command for development; run it separately in production)",
    )
    serve.add_argument(
        "--processes",
        type=_at_least_one,
        default=None,
        help="serving processes on the one port, each using a core (default: MG_HTTP_PROCESSES or 1)",
    )
    # one of --processes, started by the first
    serve.add_argument("--joining", action="store_true", help=argparse.SUPPRESS)
    commands.add_parser(
        "worker",
        help="run every context's background loops and the housekeeping until interrupted",
        description=(
            "Run the background worker: archives journalled playback progress to PostgreSQL as it arrives,"
            " sends queued mail (to MG_SMTP_URL, else to the outbox directory), applies platforms' webhook"
            " deliveries, refreshes recommendations, rolls up search analytics, and purges expired"
            " sessions and stale Continue Watching entries on a schedule."
        ),
    )
    commands.add_parser(
        "migrate",
        help="apply pending database migrations",
        description="Create the database if needed and apply every pending migration (idempotent).",
    )
    commands.add_parser(
        "seed-demo",
        help="load the demo catalog and the demo account",
        description="Migrate, then load the shipped demo catalog and create demo@example.com (idempotent).",
    )
    dead_letters = commands.add_parser(
        "dead-letters",
        help="list the progress changes the worker set aside, or replay them",
        description=(
            "Print the playback progress changes the worker could not archive (stream mg:pb:changes:dead),"
            " one JSON object a line, oldest first; with --replay, put them all back to be archived again."
        ),
    )
    dead_letters.add_argument("--limit", type=int, default=100, help="how many to print (default 100)")
    dead_letters.add_argument("--replay", action="store_true", help="put every dead letter back into the journal")
    admin_commands = {
        "grant-admin": (
            "give an account the admin scope (from its next sign-in or token refresh)",
            "Give the account with this email the admin scope (which implies write and read).",
        ),
        "revoke-admin": (
            "take the admin scope from an account (from its next token refresh)",
            "Take the admin scope from the account with this email, and from each of its API keys"
            " that carries it (they keep read and write).",
        ),
    }
    for name, (summary, what) in admin_commands.items():
        admin = commands.add_parser(
            name,
            help=summary,
            description=(
                f"{what} Recorded in the account's security log; idempotent. Access tokens already"
                " issued keep their scopes until they expire: the next sign-in or refresh carries the"
                " change. An unknown email exits 1."
            ),
        )
        admin.add_argument("email", help="the account's email")
    train = commands.add_parser(
        "train",
        help="train a new recommendation model version from every viewer's history",
        description=(
            "Read every viewer's watch history and ratings, fit ALS (implicit), write every vector to the"
            " index and put the new version in use; a running serve switches to it without a restart."
            " Exits 1 when there is no history to train on."
        ),
    )
    train.add_argument("--factors", type=int, help="latent factors (default: MG_RECS_FACTORS)")
    train.add_argument("--iterations", type=int, help="ALS iterations (default: MG_RECS_ITERATIONS)")
    train.add_argument("--regularization", type=float, help="L2 regularisation (default: MG_RECS_REGULARIZATION)")
    train.add_argument("--alpha", type=float, help="confidence scale (default: MG_RECS_ALPHA)")
    commands.add_parser(
        "reindex",
        help="rebuild the catalog's search index from PostgreSQL (with a progress bar)",
        description=(
            "Read every title from PostgreSQL into a new Tantivy index under MG_DATA_DIR/search-index and"
            " make it the live one once complete. Safe beside a running worker and serve: the new index is"
            " built beside the live one, which searches keep using; the worker then applies what changed"
            " meanwhile. Exits 1 when MG_SEARCH_ENGINE is postgres."
        ),
    )
    commands.add_parser(
        "check",
        help="print the configuration and whether each dependency answers",
        description="Print the configuration in use (secrets hidden) and ping PostgreSQL and Redis.",
    )
    # outgoing mail
    outbox = commands.add_parser(
        "outbox",
        help="list the mail written to the outbox directory (when no MG_SMTP_URL is set), or show one",
        description=(
            "List the messages in MG_DATA_DIR/outbox, oldest first (number, time, to, subject); with --show N"
            " or --last, print one message's headers and text, e.g. to copy a verification token."
            " Reads files only: it works beside a running serve and worker."
        ),
    )
    which = outbox.add_mutually_exclusive_group()
    which.add_argument("--show", type=int, metavar="N", help="print message N of the list")
    which.add_argument("--last", action="store_true", help="print the newest message")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    # Before anything loads numpy: implicit threads its solver itself, and BLAS threads on top of
    # it (serve's incremental folding, the worker's and the CLI's training) only oversubscribe.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = _parser().parse_args(argv)
    settings = _settings()
    from entrypoints.logging_setup import configure_logging

    configure_logging(settings.log_level)
    try:
        _run(args, settings)
    except ConfigurationError as error:  # the OTEL_* variables are read when tracing starts
        sys.exit(f"configuration error: {error}")


def _run(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "serve":
        from entrypoints.cli.serve import serve

        serve(
            settings,
            host=args.host,
            port=args.port,
            with_worker=args.with_worker,
            processes=args.processes or settings.http_processes,
            joining=args.joining,
        )
    elif args.command == "worker":
        from entrypoints.worker import run_worker

        asyncio.run(run_worker(settings))
    elif args.command == "migrate":
        from entrypoints.cli.commands import migrate_command

        asyncio.run(migrate_command(settings))
    elif args.command == "seed-demo":
        from entrypoints.cli.commands import seed_demo_command

        asyncio.run(seed_demo_command(settings))
    elif args.command == "dead-letters":
        from entrypoints.cli.commands import dead_letters_command

        asyncio.run(dead_letters_command(settings, limit=args.limit, replay=args.replay))
    elif args.command in ("grant-admin", "revoke-admin"):
        from entrypoints.cli.admin_commands import admin_command

        sys.exit(asyncio.run(admin_command(settings, args.email, grant=args.command == "grant-admin")))
    elif args.command == "train":
        from entrypoints.cli.train_command import train_command

        overrides = {k: getattr(args, k) for k in ("factors", "iterations", "regularization", "alpha")}
        sys.exit(asyncio.run(train_command(settings, **{k: v for k, v in overrides.items() if v is not None})))
    elif args.command == "reindex":
        from entrypoints.cli.reindex_command import reindex_command

        sys.exit(asyncio.run(reindex_command(settings)))
    elif args.command == "check":
        from entrypoints.cli.commands import check_command

        sys.exit(asyncio.run(check_command(settings)))
    # outgoing mail
    elif args.command == "outbox":
        from entrypoints.cli.outbox_command import outbox_command

        sys.exit(outbox_command(settings, show=args.show, last=args.last))


if __name__ == "__main__":
    main()
