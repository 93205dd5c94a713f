"""Passes per test from the junit files of `make test-stress`; exit status 1 if any run failed."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def tally(path: Path) -> tuple[Counter[str], Counter[str]]:
    passed: Counter[str] = Counter()
    ran: Counter[str] = Counter()
    for case in ET.parse(path).iter("testcase"):
        # pytest-repeat names the runs test[1-20], test[param-1-20]: drop the repeat part.
        name = re.sub(r"-?\d+-\d+\]$", "]", f"{case.get('classname')}::{case.get('name')}").replace("[]", "")
        ran[name] += 1
        if not any(child.tag in ("failure", "error", "skipped") for child in case):
            passed[name] += 1
    return passed, ran


def main(paths: list[str]) -> int:
    results = {Path(p).stem: tally(Path(p)) for p in paths}
    names = sorted(set().union(*(ran for _, ran in results.values())))
    labels = list(results)
    print(f"{'test':<100} " + " ".join(f"{label:>10}" for label in labels))
    bad = False
    for name in names:
        cells = []
        for label in labels:
            passed, ran = results[label]
            cells.append(f"{passed[name]:>4}/{ran[name]:<5}")
            bad |= passed[name] != ran[name]
        print(f"{name:<100} " + " ".join(f"{c:>10}" for c in cells))
    print("all passed" if not bad else "SOME RUNS FAILED")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
