from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import socket
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


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket of this process's own on the port that every serving process binds: with
    SO_REUSEPORT the kernel spreads new connections over them (one socket that all of them accept
    from would leave most keep-alive connections with whichever process woke first)."""
    return socket.create_server(
        (host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET, reuse_port=True
    )


def start_serving_process(host: str, port: int) -> subprocess.Popen[bytes]:
    """One more serving process on the same port and environment. It finds the servers this
    process started or was given (as a second ``serve`` on the same data directory would)."""
    command = [sys.executable, "-m", "entrypoints.cli.main", "serve", "--host", host, "--port", str(port)]
    child = subprocess.Popen(  # noqa: S603  # our own command, no shell
        [*command, "--joining"],
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    stop_at_exit(child, grace_seconds=15)
    return child


def serve(
    settings: Settings,
    *,
    host: str | None,
    port: int | None,
    with_worker: bool = False,
    processes: int = 1,
    joining: bool = False,
) -> None:
    """``processes``: this one and ``processes - 1`` more serving processes on the same port (each
    with its own event loop and GIL: one per core). ``joining``: this is one of those more."""
    tracing = configure_tracing("media-gateway", count_dropped=count_dropped_spans)
    with suppress_instrumentation():  # start-up's migration queries are not anyone's request
        settings = asyncio.run(prepare_servers(settings))
    if with_worker:
        start_worker(settings)
    host, port = host or settings.http_host, port or settings.http_port
    sockets = None
    if joining or processes > 1:
        sockets = [listening_socket(host, port)]  # bound before the others start: the port is ours
    if processes > 1 and not joining:
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            log.warning("several serving processes without PROMETHEUS_MULTIPROC_DIR: /metrics shows one process's")
        for _ in range(processes - 1):
            start_serving_process(host, port)
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
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        server_header=False,
        lifespan="on",
        http=bounded_http_protocol(settings.max_header_bytes),
    )
    log.info(
        "serving",
        extra={"host": config.host, "port": config.port, "worker": with_worker, "processes": processes},
    )
    # uvicorn re-raises the signal that stopped it once it has shut down. Under the default
    # SIGTERM disposition that kills the process before atexit runs, and the embedded PostgreSQL
    # and Redis would be left running; exiting normally stops them.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    uvicorn.Server(config).run(sockets=sockets)
