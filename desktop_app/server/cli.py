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
    add = parser.add_argument
    add(
        "--http",
        metavar="HOST:PORT",
        type=_endpoint,
        default=("127.0.0.1", 8025),
        help="REST API and hub (8025)",
    )
    add("--smtp", metavar="HOST:PORT", type=_endpoint, default=("127.0.0.1", 2525), help="SMTP intake (2525)")
    add("--domain", metavar="NAME", action="append", dest="domains", help="domain to accept, repeatable")
    storage = parser.add_mutually_exclusive_group()
    storage.add_argument(
        "--data", metavar="DIR", type=Path, help="data directory (default: user data dir/server)"
    )
    storage.add_argument("--memory", action="store_true", help="keep everything in memory")
    add("--rate-limit", metavar="N", type=float, default=8.0, help="requests/second per client IP (8)")
    add("--no-rate-limit", action="store_true", help="switch the rate limit off")
    add("--heartbeat", metavar="SECONDS", type=float, default=15.0, help="hub heartbeat interval (15)")
    add(
        "--write-timeout",
        metavar="SECONDS",
        type=float,
        default=None,
        help="close hub streams after this long",
    )
    add(
        "--retention-days",
        metavar="DAYS",
        type=float,
        default=7.0,
        help="delete messages after this long (7)",
    )
    add("--history", metavar="N", type=int, default=1000, help="hub events kept for Last-Event-ID replay")
    add(
        "--allow-faults",
        action="store_true",
        help="enable POST /_admin/faults (fault injection for tests; off by default)",
    )
    add("-v", "--verbose", action="store_true", help="debug logging")
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
            allow_faults=args.allow_faults,
        )
        asyncio.run(_serve(server))
    except OSError as error:
        print(f"temp-inbox serve: {error}", file=sys.stderr)
        return 1
    return 0
