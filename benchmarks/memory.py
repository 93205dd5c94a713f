"""Memory of the real app and every QtWebEngine process under it, with 50 live addresses and one HTML
message rendered (issue 14, item 5; target ≤ 300 MB).

The app runs under Xvfb (xcb, software rendering) against ``temp-inbox serve`` in its own process, so
the figures are the app's, not the server's. A sampler walks ``/proc`` children every 50 ms: the
figure is the peak of the tree's summed RSS (and PSS, which shares a library's pages between the
processes that map it instead of counting them once per process), plus each process's own VmHWM.

    python benchmarks/memory.py [--addresses 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import smtplib
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchmarks import harness as h

HERO = "#2a6fdb"
HTML = """<html><head><style>
body {{ font-family: sans-serif; margin: 0 }} .hero {{ background: {hero}; color: white; padding: 24px }}
table {{ border-collapse: collapse }} td {{ border: 1px solid #ccc; padding: 4px 8px }}
</style></head><body>
<div class="hero"><h1>Welcome, {marker}</h1><p>Your verification code is <b>482913</b>.</p></div>
<table>{rows}</table>
<p><a href="https://example.test/verify?token=abc">Verify your address</a></p>
</body></html>"""


def html_message(to: str, marker: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Service <noreply@example.test>"
    message["To"] = to
    message["Subject"] = f"Welcome {marker}"
    message.set_content(f"Welcome {marker}. Your code is 482913.")
    rows = "".join(f"<tr><td>row {i}</td><td>value {i * 7}</td></tr>" for i in range(40))
    message.add_alternative(HTML.format(marker=marker, rows=rows, hero=HERO), subtype="html")
    return message


def message_ids(api: str, address: str, password: str) -> list[str]:
    with httpx.Client(base_url=api, timeout=30) as http:
        token = http.post("/token", json={"address": address, "password": password}).json()["token"]
        listing = http.get("/messages", headers={"authorization": f"Bearer {token}"}).json()
        return [m["id"] for m in listing["hydra:member"]]


def rendered(data: Path, marker: str) -> bool:
    state = h.command(data, "debug-pane")["state"]
    html = state["pane"].get("html") or {}
    # Painted, not only in the DOM: the hero block's colour covers part of a grab of the view.
    return (
        bool(html.get("visible")) and marker in str(html.get("text", "")) and HERO in html.get("colours", [])
    )


def by_role(tree: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(tree, key=lambda m: (-m["rss"], m["role"]))


def one_run(root: Path, addresses: int, env: dict[str, str]) -> dict[str, Any]:
    with h.MailServer() as server, h.desktop(root / "session") as session:
        sink = h.NotifySink(session)
        data = root / "data"
        app = h.start_app(session, data, server, env={"TEMP_INBOX_DEBUG_IPC": "1", **env})
        try:
            accounts = h.create_accounts(server.api, addresses)
            h.import_accounts(data, h.export_file(root / "export.json", server, accounts))
            with h.TreeSampler(app.pid) as sampler:
                h.wait_until(lambda: h.live_count(data) == addresses, 120, f"{addresses} addresses live")
                time.sleep(1.0)
                idle = h.tree_memory(app.pid)
                idle_peak = sampler.peak_rss
                address, password = accounts[0]
                marker = f"memory-{int(time.time())}"
                with smtplib.SMTP(*server.smtp, timeout=30) as smtp:
                    smtp.send_message(html_message(address, marker))
                ids = h.wait_until(lambda: message_ids(server.api, address, password), 30, "the message")
                h.wait_until(lambda: sink.wait_for(marker, 0.1), 30, "its notification")
                h.command(data, "show", {"message_id": ids[0]})
                h.wait_until(lambda: rendered(data, marker), 60, "the HTML message on screen", 0.2)
                time.sleep(3.0)  # a short-lived renderer, a late allocation: still inside the window
                sampler.sample()
                opened = h.tree_memory(app.pid)
                mappings = {f"{m['role']} {m['pid']}": h.mapping_breakdown(m["pid"], 10) for m in opened}
            return {
                "idle": by_role(idle),
                "idle_tree_rss": round(sum(m["rss"] for m in idle), 1),
                "idle_peak_rss": round(idle_peak, 1),
                "opened": by_role(opened),
                "opened_tree_rss": round(sum(m["rss"] for m in opened), 1),
                "opened_tree_pss": round(sum(m["pss"] for m in opened), 1),
                "peak_tree_rss": round(sampler.peak_rss, 1),
                "peak_tree_pss": round(sampler.peak_pss, 1),
                "peak_tree_footprint": sampler.peak_footprint,
                "opened_tree_footprint": h.tree_footprint(m["pid"] for m in opened),
                "processes_seen": by_role(list(sampler.seen.values())),
                "mappings": mappings,
            }
        finally:
            h.quit_app(data, app)
            sink.stop()


def run(addresses: int = 50, runs: int = 3, env: dict[str, str] | None = None) -> dict[str, Any]:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-mem-") as tmp:
            results.append(one_run(Path(tmp), addresses, env or {}))
    peaks = [r["peak_tree_rss"] for r in results]
    return {
        "addresses": addresses,
        "runs": results,
        "peak_tree_rss": h.summary(peaks, 1),
        "peak_tree_pss": h.summary([r["peak_tree_pss"] for r in results], 1),
        "peak_tree_footprint": h.summary([r["peak_tree_footprint"] for r in results], 1),
    }


def describe(tree: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"    {m['role']:<34} rss {m['rss']:6.1f}  peak {m['hwm']:6.1f}  anon {m['anon']:6.1f}  "
        f"file {m['file']:6.1f}  shmem {m['shmem']:5.1f}  pss {m['pss']:6.1f}"
        for m in tree
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--addresses", type=int, default=50)
    parser.add_argument("--runs", type=int, default=1 if h.QUICK else 3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--env", action="append", default=[], metavar="K=V", help="extra environment (experiments)"
    )
    parser.add_argument("--mappings", action="store_true", help="print where each process's RSS is")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    result = run(args.addresses, args.runs, env)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    last = result["runs"][-1]
    print(f"peak tree RSS over {args.runs} runs: {result['peak_tree_rss']}; PSS {result['peak_tree_pss']}")
    print(f"  shared files counted once: {result['peak_tree_footprint']}")
    print(f"  idle with {args.addresses} live (MiB): total {last['idle_tree_rss']}")
    print(describe(last["idle"]))
    print(f"  one HTML message open: total RSS {last['opened_tree_rss']}, PSS {last['opened_tree_pss']}")
    print(describe(last["opened"]))
    print("  every process seen, at its own peak:")
    print(describe(last["processes_seen"]))
    if args.mappings:
        for proc, top in last["mappings"].items():
            print(f"  {proc}: " + ", ".join(f"{n} {mib}" for n, mib in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
