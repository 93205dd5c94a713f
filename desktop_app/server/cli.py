"""``temp-inbox serve``: placeholder until the local server lands."""

from __future__ import annotations


def main(argv: list[str]) -> int:
    raise SystemExit("temp-inbox serve: not available yet")
