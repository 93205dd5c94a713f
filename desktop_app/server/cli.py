"""``temp-inbox serve``: run the local mail service in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path

from desktop_app.server.app import LocalMailServer


def _endpoint(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("temp-inbox", appauthor=False)) / "server"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="temp-inbox serve",
        description="Run the embedded mail.tm-compatible service: REST API, Mercure hub and SMTP intake.",
    )
    parser.add_argument(
        "--http", type=_endpoint, default=("127.0.0.1", 8025), help="HOST:PORT (default 127.0.0.1:8025)"
    )
    parser.add_argument(
        "--smtp", type=_endpoint, default=("127.0.0.1", 2525), help="HOST:PORT (default 127.0.0.1:2525)"
    )
    parser.add_argument(
        "--domain",
        action="append",
        dest="domains",
        help="mail domain to accept (repeatable; default temp-inbox.test)",
    )
    storage = parser.add_mutually_exclusive_group()
    storage.add_argument("--data", type=Path, help="data directory (default: the user data dir's 'server')")
    storage.add_argument("--memory", action="store_true", help="keep everything in memory")
    parser.add_argument(
        "--rate-limit", type=float, default=8.0, help="requests per second per client IP (default 8)"
    )
    parser.add_argument("--no-rate-limit", action="store_true", help="switch the rate limit off")
    parser.add_argument(
        "--heartbeat", type=float, default=15.0, help="hub heartbeat interval, seconds (default 15)"
    )
    parser.add_argument("--write-timeout", type=float, default=None, help="close hub streams after N seconds")
    parser.add_argument(
        "--retention-days", type=float, default=7.0, help="delete messages after N days (default 7)"
    )
    parser.add_argument("--history", type=int, default=1000, help="hub events kept for Last-Event-ID replay")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


async def _serve(server: LocalMailServer) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    print(json.dumps(server.describe()), flush=True)
    logging.getLogger(__name__).info("serving; press Ctrl+C to stop")
    try:
        await stop.wait()
    finally:
        await server.stop()
        logging.getLogger(__name__).info("stopped")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aiosmtpd logs every SMTP command at INFO; only worth seeing when debugging.
    logging.getLogger("mail.log").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    http_host, http_port = args.http
    smtp_host, smtp_port = args.smtp
    data_dir = None if args.memory else (args.data or _default_data_dir())
    try:
        server = LocalMailServer(
            host=http_host,
            http_port=http_port,
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            domains=args.domains or ["temp-inbox.test"],
            data_dir=data_dir,
            rate_limit=None if args.no_rate_limit else args.rate_limit,
            heartbeat=args.heartbeat,
            write_timeout=args.write_timeout,
            retention_days=args.retention_days,
            history_size=args.history,
        )
        asyncio.run(_serve(server))
    except OSError as error:
        print(f"temp-inbox serve: {error}", file=sys.stderr)
        return 1
    return 0
