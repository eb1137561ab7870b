"""The benchmark's upstream: a minimal HTTP/1.1 keep-alive server (asyncio, one fixed 200 answer)
in a process of its own, so that its latency is small and steady and the breaker's share shows.
``python -m benchmarks.loopback_upstream`` prints its URL and serves until stdin closes."""

from __future__ import annotations

import asyncio
import sys

BODY = b'{"status":"ok"}'
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.readuntil(b"\r\n\r\n"):  # GETs only: no body to read
            writer.write(RESPONSE)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"http://{host}:{port}", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
