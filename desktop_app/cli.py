"""Command-line entry point: ``temp-inbox [options] [command]``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "serve":
        from desktop_app.server.cli import main as serve_main

        return serve_main(args[1:])
    from desktop_app.app import run_app

    return run_app(args)
