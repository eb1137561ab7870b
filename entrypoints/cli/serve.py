from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import subprocess
import sys

import uvicorn
from opentelemetry.instrumentation.utils import suppress_instrumentation

from adapters.shared.child_processes import stop_at_exit
from entrypoints.cli.http_protocol import bounded_http_protocol
from entrypoints.config import Settings
from entrypoints.container import Container
from entrypoints.garbage_collection import settle_garbage_collection
from entrypoints.http.app import create_app
from entrypoints.lifecycle import prepare_servers
from entrypoints.telemetry.metrics import count_dropped_spans
from entrypoints.telemetry.multiprocess import track_this_process
from entrypoints.telemetry.tracing import configure_tracing

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Run in the worker before exec: the kernel sends it SIGTERM when this process dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    """The worker as a child process, on the servers this process already started or found."""
    assert settings.database_url and settings.redis_url
    # The engine too: with the embedded servers' URLs set, the worker would take itself for external
    # mode, choose PostgreSQL search and never build the index this process reads.
    env = {
        **os.environ,
        "MG_DATABASE_URL": settings.database_url,
        "MG_REDIS_URL": settings.redis_url,
        "MG_SEARCH_ENGINE": settings.catalog_search.engine,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli.main", "worker"],
        env=env,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )

    stop_at_exit(worker, grace_seconds=15)
    return worker


def serve(settings: Settings, *, host: str | None, port: int | None, with_worker: bool = False) -> None:
    tracing = configure_tracing("media-gateway", count_dropped=count_dropped_spans)
    with suppress_instrumentation():  # start-up's migration queries are not anyone's request
        settings = asyncio.run(prepare_servers(settings))
    if with_worker:
        start_worker(settings)
    app = create_app(Container(settings=settings))
    track_this_process()  # multiprocess metrics: forget dead processes' gauges, and this one's at exit

    @app.after_serving
    async def export_last_spans() -> None:
        await asyncio.to_thread(tracing.shutdown)

    @app.before_serving
    async def tune_garbage_collection() -> None:
        settle_garbage_collection()

    config = uvicorn.Config(
        app,
        host=host or settings.http_host,
        port=port or settings.http_port,
        log_config=None,
        access_log=False,
        server_header=False,
        lifespan="on",
        http=bounded_http_protocol(settings.max_header_bytes),
    )
    log.info("serving", extra={"host": config.host, "port": config.port, "worker": with_worker})
    # uvicorn re-raises the signal that stopped it once it has shut down. Under the default
    # SIGTERM disposition that kills the process before atexit runs, and the embedded PostgreSQL
    # and Redis would be left running; exiting normally stops them.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    uvicorn.Server(config).run()
