"""``temp-inbox serve``: run the local mail service in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from desktop_app.server.app import LocalMailServer
from desktop_app.server.limits import ServerLimits

_DEFAULTS = ServerLimits()


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
    # Off by default: on loopback nothing slows a client down the way the network does against mail.tm,
    # so mail.tm's 8/s would fail programs that work in production. --rate-limit 8 gives mail.tm's 429s.
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument(
        "--rate-limit",
        metavar="N",
        type=_positive(float),
        default=None,
        help="requests/second per client IP, then 429 as mail.tm (8 there; default: no limit)",
    )
    limit.add_argument("--no-rate-limit", action="store_true", help="no rate limit (the default)")
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
    add(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="answer this Host name too (besides localhost and the bind address), repeatable",
    )
    limits = parser.add_argument_group("resource limits")
    bound = limits.add_argument
    bound(
        "--header-timeout",
        metavar="SECONDS",
        type=_positive(float),
        default=_DEFAULTS.header_timeout,
        help=f"close a connection lacking a whole request head after this ({_DEFAULTS.header_timeout:g})",
    )
    bound(
        "--body-timeout",
        metavar="SECONDS",
        type=_positive(float),
        default=_DEFAULTS.body_timeout,
        help=f"answer 408 to a request body not complete after this long ({_DEFAULTS.body_timeout:g})",
    )
    bound(
        "--max-body",
        metavar="BYTES",
        type=_positive(int),
        default=_DEFAULTS.max_body_bytes,
        help=f"answer 413 to a larger REST request body ({_DEFAULTS.max_body_bytes})",
    )
    bound(
        "--max-connections",
        metavar="N",
        type=_positive(int),
        default=_DEFAULTS.max_connections,
        help=f"open HTTP connections; more get 503 ({_DEFAULTS.max_connections})",
    )
    bound(
        "--smtp-timeout",
        metavar="SECONDS",
        type=_positive(float),
        default=_DEFAULTS.smtp_idle_timeout,
        help=f"close an SMTP session idle this long ({_DEFAULTS.smtp_idle_timeout:g})",
    )
    bound(
        "--max-smtp-sessions",
        metavar="N",
        type=_positive(int),
        default=_DEFAULTS.max_smtp_sessions,
        help=f"concurrent SMTP sessions; more get 421 ({_DEFAULTS.max_smtp_sessions})",
    )
    bound(
        "--max-parsers",
        metavar="N",
        type=_positive(int),
        default=_DEFAULTS.max_parsers,
        help=f"mails parsed at once ({_DEFAULTS.max_parsers})",
    )
    add("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def _positive(kind: type[float] | type[int]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
        return value

    return parse


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
            rate_limit=args.rate_limit,
            heartbeat=args.heartbeat,
            write_timeout=args.write_timeout,
            retention_days=args.retention_days,
            history_size=args.history,
            allow_faults=args.allow_faults,
            allowed_hosts=args.allow_host,
            limits=ServerLimits(
                header_timeout=args.header_timeout,
                body_timeout=args.body_timeout,
                max_body_bytes=args.max_body,
                max_connections=args.max_connections,
                smtp_idle_timeout=args.smtp_timeout,
                max_smtp_sessions=args.max_smtp_sessions,
                max_parsers=args.max_parsers,
            ),
        )
        asyncio.run(_serve(server))
    except OSError as error:
        print(f"temp-inbox serve: {error}", file=sys.stderr)
        return 1
    return 0
