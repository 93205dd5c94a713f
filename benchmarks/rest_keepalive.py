"""Per-request latency of the local server's REST API on one kept-alive HTTP/1.1 connection.

Starts an in-memory ``LocalMailServer`` in a background thread and times sequential requests from
one ``httpx.Client`` (one connection, reused). Without TCP_NODELAY on accepted connections a reply
waits for the peer's delayed ACK, about 40 ms per request on Linux (issue 9, defect 6); with it the
median is well under a millisecond plus the handler's own cost.

    python benchmarks/rest_keepalive.py --requests 500
    python benchmarks/rest_keepalive.py --no-nodelay   # the old behaviour, for comparison
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from desktop_app.server import app as server_app
from desktop_app.server.background import BackgroundMailServer


def _without_nodelay(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)  # proto 0: asyncio skips TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def measure(requests: int, path: str) -> list[float]:
    server = BackgroundMailServer(rate_limit=None)
    server.start()
    try:
        with httpx.Client(base_url=server.api_url) as http:
            for _ in range(10):  # warm up: connection, imports, caches
                http.get(path).raise_for_status()
            times = []
            for _ in range(requests):
                start = time.perf_counter()
                http.get(path).raise_for_status()
                times.append(time.perf_counter() - start)
    finally:
        server.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--path", default="/domains")
    parser.add_argument("--no-nodelay", action="store_true", help="listen with proto=0, as before the fix")
    args = parser.parse_args()
    if args.no_nodelay:
        with mock.patch.object(server_app, "_listening_socket", _without_nodelay):
            times = measure(args.requests, args.path)
    else:
        times = measure(args.requests, args.path)
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    result = {
        "requests": len(times),
        "nodelay": not args.no_nodelay,
        "median_ms": round(statistics.median(times) * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
