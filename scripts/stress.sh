#!/usr/bin/env bash
# make test-stress: every @pytest.mark.timing test, COUNT times on a quiet machine and COUNT times while
# two busy processes load both cores, then passes per test. Not part of `make test`: it takes minutes.
# Failures are counted, never rerun or hidden.
set -uo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-20}
PY=${PY:-.venv/bin/python}
out=${STRESS_DIR:-$(mktemp -d /tmp/temp-inbox-stress.XXXXXX)}
mkdir -p "$out"

run() {  # $1: label
    "$PY" -m pytest -m timing --count="$COUNT" -p no:cacheprovider -q -o addopts="--strict-markers" \
        --junitxml="$out/$1.xml" "${@:2}" >"$out/$1.log" 2>&1
    tail -n 1 "$out/$1.log"
}

echo "== quiet: each timing test $COUNT times"
run quiet
echo "== loaded: each timing test $COUNT times, two busy processes on the cores"
busy=()
for _ in 1 2; do
    "$PY" -c 'while True: pass' &
    busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
run loaded
kill "${busy[@]}" 2>/dev/null
wait "${busy[@]}" 2>/dev/null
trap - EXIT

"$PY" scripts/stress_report.py "$out/quiet.xml" "$out/loaded.xml"
