"""``make bench``: every benchmark of the suite against the embedded server on loopback, the results in
``bench-results.json`` (not committed) and the table in ``docs/performance.md`` (between its
``bench:begin``/``bench:end`` markers), printed too. Benchmarks report; they never fail the build: a
missed target is a row saying so.

    make bench                 # full run (about 7-8 minutes on 2 cores)
    BENCH_QUICK=1 make bench   # fewer messages and runs, no 10,000-mail burst, no 500/100,000 start
    python benchmarks/run_all.py --only push startup
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness as h

RESULTS = h.REPO / "bench-results.json"
DOC = h.REPO / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def run_memory() -> Any:
    from benchmarks import memory

    return memory.run(50, 1 if h.QUICK else 3)


def run_push() -> Any:
    from benchmarks import push_latency

    return push_latency.run([1, 50, 500], 40 if h.QUICK else 100, 10 if h.QUICK else 30)


def run_startup() -> Any:
    from benchmarks import startup

    return startup.run(3 if h.QUICK else 5, big=not h.QUICK)


def run_burst() -> Any:
    from benchmarks import burst

    if h.QUICK:
        return {"2000": burst.run(1000, 10)}
    return {"2000": burst.run(2000, 20), "10000": burst.run(10000, 60)}


def run_maildev() -> Any:
    from benchmarks import maildev_compare

    return maildev_compare.run()


def run_reading() -> Any:
    from benchmarks import reading

    return reading.run(20 if h.QUICK else 40)


def run_all_addresses() -> Any:
    from benchmarks import all_addresses

    return all_addresses.run(10_000, 10 if h.QUICK else 20)


SUITES = {
    "push": run_push,
    "startup": run_startup,
    "memory": run_memory,
    "burst": run_burst,
    "reading": run_reading,
    "all_addresses": run_all_addresses,
    "maildev": run_maildev,
}


def _ms(s: dict[str, Any], key: str) -> str:
    return f"{s[key]:.2f} ms" if s.get("n") else "—"


def _s(s: dict[str, Any], key: str) -> str:
    return f"{s[key]:.3f} s" if s.get("n") else "—"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def table(results: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str, str, str]] = []  # what, target, median, p99, peer, verdict
    push = results.get("push") or {}
    for n, limit in (("1", None), ("50", 5.0), ("500", 10.0)):
        case = push.get(n)
        if isinstance(case, dict) and "error" in case:
            rows.append((f"Push, {n} live: did not finish ({case['error']})", "", "", "", "", ""))
        if not isinstance(case, dict) or "push_ms" not in case:
            continue
        p = case["push_ms"]
        polls = case["poll_ms"]
        peer = ", ".join(
            f"{k} s poll: {polls[k]['median'] / 1000:.2f} s ({case.get(f'poll_{k}s_over_push_median', '?')}×)"
            for k in ("5", "3")
            if polls.get(k, {}).get("n")
        )
        target = "p50 ≤ 1.5 ms" + (f", worst ≤ {limit:g} ms" if limit else "")
        ok = p["median"] <= 1.5 and (limit is None or p["worst"] <= limit)
        rows.append(
            (
                f"Push SMTP 250 → Notify, {n} live (worst {p['worst']:.2f} ms, n={p['n']})",
                target,
                _ms(p, "median"),
                _ms(p, "p99"),
                peer,
                _verdict(ok),
            )
        )
        if case.get("push_from_data_ms", {}).get("n"):
            d = case["push_from_data_ms"]
            # Judged by the same target: the 250 now follows the hub write, so "250 → Notify" can be
            # met (even negative) without delivery getting faster; this zero does not move.
            worst = d.get("worst", d["p99"])
            rows.append(
                (
                    "  … from the sender's end of DATA (independent of when the server sends its 250)",
                    target,
                    _ms(d, "median"),
                    _ms(d, "p99"),
                    "",
                    _verdict(d["median"] <= 1.5 and (limit is None or worst <= limit)),
                )
            )
    for n in ("50", "500"):
        case = push.get(n)
        if not isinstance(case, dict) or "idle" not in case:
            continue
        idle = case["idle"]
        rows.append(
            (
                f"Idle, {n} live ({idle['window_s']:.0f} s window): REST requests per address-hour",
                "0",
                f"{idle['rest_requests_per_address_hour']:g}",
                "",
                "a 5 s poller: 720",
                _verdict(idle["rest_requests"] == 0),
            )
        )
        rows.append(
            (
                f"Idle, {n} live: hub reconnects",
                "0",
                str(idle["hub_reconnects"]),
                "",
                "",
                _verdict(idle["hub_reconnects"] == 0),
            )
        )
        rows.append(
            (
                f"Idle, {n} live: CPU s per hour (app + web engine)",
                "",
                f"{idle['cpu_s_per_hour']:g}",
                "",
                "",
                "—",
            )
        )
        rows.append(
            (
                f"TCP connections to the provider, {n} live (at rest / after mail)",
                "1 per provider",
                f"{idle['tcp_connections']} / {case['tcp_connections_after_mail']}",
                "",
                "",
                _verdict(idle["tcp_connections"] <= 1),
            )
        )
        rows.append(
            (
                f"All {n} addresses live after import (REST requests quiet after "
                f"{case.get('requests_quiet_after_import_s', float('nan')):.1f} s)",
                "",
                f"{case['all_live_after_import_s']:.2f} s",
                "",
                "",
                "—",
            )
        )
    start = results.get("startup") or {}
    bare = start.get("bare_pyside6_window", {}).get("s", {})
    targets = {
        "empty": None,
        "50_addresses_10000_messages": 0.35,
        "50_addresses_10000_messages_offline": 0.35,
        "500_addresses_100000_messages": 0.5,
    }
    for name, limit in targets.items():
        case = start.get(name)
        if not isinstance(case, dict):
            continue
        s = case["s"]
        label = name.replace("_", " ").replace("100000", "100,000").replace("10000", "10,000")
        peer = f"bare PySide6 window {bare.get('median', float('nan')):.3f} s ({case['over_bare_window']}×)"
        rows.append(
            (
                f"Start-up to window shown: {label}",
                f"≤ {limit:g} s" if limit else "",
                _s(s, "median"),
                _s(s, "p99"),
                peer,
                _verdict(None if limit is None else s["median"] <= limit),
            )
        )
        if "all_live_s" in case:
            live = case["all_live_s"]
            rows.append(
                (
                    "  … all 50 live again after launch",
                    "",
                    f"{live['median']:.2f} s",
                    f"{live['p99']:.2f} s",
                    "",
                    "—",
                )
            )
    memory = results.get("memory") or {}
    if memory.get("peak_tree_rss", {}).get("n"):
        rss, pss = memory["peak_tree_rss"], memory["peak_tree_pss"]
        rows.append(
            (
                "Memory, 50 live + one HTML message: peak summed RSS of the app and its web-engine processes",
                "≤ 300 MB",
                f"{rss['median']:.0f} MiB",
                f"{rss['p99']:.0f} MiB",
                "",
                _verdict(rss["median"] * 1.048576 <= 300),
            )
        )
        rows.append(
            (
                "  … the same as PSS (shared pages divided among every process mapping them)",
                "≤ 300 MB",
                f"{pss['median']:.0f} MiB",
                f"{pss['p99']:.0f} MiB",
                "",
                _verdict(pss["median"] * 1.048576 <= 300),
            )
        )
        if memory.get("peak_tree_footprint", {}).get("n"):
            f = memory["peak_tree_footprint"]
            rows.append(
                (
                    "  … the same with each shared file counted once (independent of other programs)",
                    "≤ 300 MB",
                    f"{f['median']:.0f} MiB",
                    f"{f['p99']:.0f} MiB",
                    "",
                    _verdict(f["median"] * 1.048576 <= 300),
                )
            )
        last = memory["runs"][-1]
        rows.append(
            (
                "  … idle with 50 live, before any message (summed RSS)",
                "",
                f"{last['idle_tree_rss']:.0f} MiB",
                "",
                "",
                "—",
            )
        )
    for burst in (results.get("burst") or {}).values():
        lag = burst["loop_lag_ms"]
        rows.append(
            (
                f"Burst: {burst['messages']} messages in {burst['sending_s']:.0f} s over {burst['addresses']}"
                " addresses: lost",
                "0",
                str(burst["lost"]),
                "",
                "",
                _verdict(burst["lost"] == 0),
            )
        )
        rows.append(
            (
                "  … event-loop lag (IPC round trip beyond the quiet median, every 10 ms; "
                f"worst {lag['worst']:.0f} ms)",
                "p99 ≤ 50 ms",
                _ms(lag, "median"),
                _ms(lag, "p99"),
                "",
                _verdict(lag["p99"] <= 50),
            )
        )
        rows.append(("  … notifications (coalesced)", "", str(burst["notifications"]), "", "", "—"))
        rows.append(
            (
                "  … every body cached, after the last 250",
                "",
                f"{burst['all_bodies_cached_after_last_250_s']:.1f} s",
                "",
                "",
                "—",
            )
        )
    read = results.get("reading") or {}
    if read.get("warm_ms", {}).get("n"):
        rows.append(
            (
                "Reading: first HTML message of the session on screen after show (IPC, no CLI process)",
                "≤ 250 ms",
                f"{read['first_ms']:.0f} ms",
                "",
                "",
                _verdict(read["first_ms"] <= 250),
            )
        )
        w = read["warm_ms"]
        rows.append(
            (
                f"Reading: later HTML messages on screen after show (n={w['n']}; one poll of the pane costs "
                f"{read.get('one_poll_ms', {}).get('median', float('nan')):.0f} ms)",
                "≤ 50 ms",
                _ms(w, "median"),
                _ms(w, "p99"),
                "",
                _verdict(w["median"] <= 50),
            )
        )
        j = read.get("j_step_ms") or {}
        if j.get("n"):
            rows.append(
                (
                    f"Reading: stepping with j (xdotool), next message on screen (n={j['n']})",
                    "",
                    _ms(j, "median"),
                    _ms(j, "p99"),
                    "",
                    "—",
                )
            )
    every = results.get("all_addresses") or {}
    if every.get("indexed"):
        n, fresh, bare = every["messages"], every["indexed"], every["without_index"]
        for key, label in (("first_page_ms", "count + first page"), ("last_page_ms", "the last page")):
            rows.append(
                (
                    f"All addresses, {n:,} cached messages: {label} (fresh connection)",
                    "",
                    _ms(fresh[key], "median"),
                    _ms(fresh[key], "p99"),
                    f"without the messages_by_time index: {bare[key]['median']:.2f} ms",
                    "—",
                )
            )
        model = every["model"]
        rows.append(
            (
                f"All addresses: the list model open (n={model['open_ms']['n']}) / paged to its end",
                "",
                _ms(model["open_ms"], "median"),
                _ms(model["open_ms"], "p99"),
                f"to the end: {model['scroll_to_end_ms']['median']:.0f} ms",
                "—",
            )
        )
    peer = results.get("maildev") or {}
    ours, theirs = peer.get("temp_inbox") or {}, peer.get("maildev") or {}
    for key, label in (
        ("intake_10kB_1conn_per_s", "SMTP intake, 10 kB mails, 1 connection"),
        ("intake_10kB_8conn_per_s", "SMTP intake, 10 kB mails, 8 connections"),
        ("intake_1MB_1conn_per_s", "SMTP intake, 1 MB mails, 1 connection"),
        ("intake_1MB_8conn_per_s", "SMTP intake, 1 MB mails, 8 connections"),
    ):
        if key in ours:
            other = theirs.get(key)
            rows.append(
                (
                    f"Local server: {label} (messages/s)",
                    "ahead of MailDev",
                    f"{ours[key]:g}/s",
                    "",
                    f"MailDev {theirs.get('version', '')}: {other:g}/s ({ours[key] / other:.2f}×)"
                    if other
                    else "—",
                    _verdict(None if not other else ours[key] > other),
                )
            )
    if ours.get("push_ms", {}).get("n"):
        p, q = ours["push_ms"], theirs.get("push_ms") or {}
        rows.append(
            (
                "Local server: SMTP 250 → push event at a subscriber (Node, same script)",
                "ahead of MailDev",
                _ms(p, "median"),
                _ms(p, "p99"),
                f"MailDev web socket: median {q['median']:.2f} ms, p99 {q['p99']:.2f} ms"
                if q.get("n")
                else "—",
                _verdict(None if not q.get("n") else p["median"] < q["median"] and p["p99"] < q["p99"]),
            )
        )
    lines = [
        "| Figure | Target | Median | p99 | Peer (same run) | |",
        "|---|---|---|---|---|---|",
        *("| " + " | ".join(r) + " |" for r in rows),
    ]
    for name, error in (results.get("errors") or {}).items():
        lines.append(f"| {name}: did not finish ({error}) | | | | | |")
    m = results["machine"]
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}, {m['qt']}; load average {m['load_at_start']} at the start"
        + (f"; the app's {m['bytecode']} modules precompiled, as installed. " if m.get("bytecode") else ". ")
        + f"Run {results['finished']} ({'BENCH_QUICK=1' if results['quick'] else 'full run'}) in "
        f"{results['elapsed_s'] / 60:.1f} min."
        + (f" ({results['partial']}.)" if results.get("partial") else ""),
        "Suites: "
        + ", ".join(f"{k} {v['s']} s (finished {v['at']})" for k, v in (results.get("suites") or {}).items())
        + ".",
    ]
    if memory.get("runs"):
        last = memory["runs"][-1]
        lines += ["", "Memory per process, one HTML message open (last run, MiB):", ""]
        lines += ["| Process | RSS | own peak | anonymous | file-backed | PSS |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {p['role']} | {p['rss']:.0f} | {p['hwm']:.0f} | {p['anon']:.0f} | {p['file']:.0f} | "
            f"{p['pss']:.0f} |"
            for p in last["opened"]
        ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in doc:
        doc += f"\n{BEGIN}\n{END}\n"
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=sorted(SUITES), default=list(SUITES))
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args()
    started = time.monotonic()
    results: dict[str, Any] = {"machine": h.machine(), "quick": h.QUICK, "errors": {}}
    results["machine"]["bytecode"] = h.compile_app_bytecode()
    if args.only != list(SUITES) and RESULTS.exists():  # a partial run updates the last full one
        previous = json.loads(RESULTS.read_text())
        results.update({k: v for k, v in previous.items() if k in SUITES and k not in args.only})
        results["suites"] = {k: v for k, v in previous.get("suites", {}).items() if k not in args.only}
        results["errors"] = {k: v for k, v in previous.get("errors", {}).items() if k not in args.only}
        results["partial"] = f"{', '.join(args.only)} re-run; the rest from {previous.get('finished')}"
    for name in args.only:
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        try:
            results[name] = SUITES[name]()
        except Exception as exc:  # report, never fail the build
            traceback.print_exc()
            results["errors"][name] = f"{type(exc).__name__}: {exc}"[:200]
        took = time.monotonic() - t0
        results.setdefault("suites", {})[name] = {
            "s": round(took),
            "at": time.strftime("%H:%M UTC", time.gmtime()),
        }
        print(f"bench: {name} took {took:.0f} s", file=sys.stderr, flush=True)
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    text = table(results)
    if not args.no_doc:
        write_doc(text)
    print(text)
    print(f"\nwrote {RESULTS.name}" + ("" if args.no_doc else f" and {DOC.relative_to(h.REPO)}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
