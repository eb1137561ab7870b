from __future__ import annotations

import asyncio
import logging
import signal
import sys

import uvicorn

from entrypoints.bootstrap import prepare_database
from entrypoints.config import Settings, with_servers
from entrypoints.container import Container
from entrypoints.http.app import create_app

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str | None, port: int | None) -> None:
    settings = with_servers(settings)
    asyncio.run(prepare_database(settings))
    app = create_app(Container(settings=settings))
    config = uvicorn.Config(
        app,
        host=host or settings.http_host,
        port=port or settings.http_port,
        log_config=None,
        access_log=False,
        server_header=False,
        lifespan="on",
    )
    log.info("serving", extra={"host": config.host, "port": config.port})
    # uvicorn re-raises the signal that stopped it once it has shut down. Under the default
    # SIGTERM disposition that kills the process before atexit runs, and the embedded PostgreSQL
    # and Redis would be left running; exiting normally stops them.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    uvicorn.Server(config).run()
