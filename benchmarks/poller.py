"""A polling mail.tm client, what other temp-mail clients do: every INTERVAL seconds, ``GET /messages``
(page 1, the 30 newest) for one address; prints ``<monotonic ns>\\t<interval>\\t<subject>`` for each
message it had not seen. Several ``INTERVAL:ADDRESS:PASSWORD`` arguments run side by side, one thread
each. Runs until its stdin is closed.

    python benchmarks/poller.py http://127.0.0.1:8025 5:a@x.test:pw 3:b@x.test:pw
"""

from __future__ import annotations

import sys
import threading
import time

import httpx

_print_lock = threading.Lock()


def poll(api: str, interval: float, address: str, password: str, stop: threading.Event) -> None:
    with httpx.Client(base_url=api, timeout=30) as http:
        token = http.post("/token", json={"address": address, "password": password}).json()["token"]
        http.headers["authorization"] = f"Bearer {token}"
        seen: set[str] = set()
        first = True
        next_poll = time.monotonic()
        while not stop.is_set():
            members = http.get("/messages", params={"page": 1}).json()["hydra:member"]
            now = time.monotonic_ns()
            for message in members:
                if message["id"] in seen:
                    continue
                seen.add(message["id"])
                if not first:
                    with _print_lock:
                        print(f"{now}\t{interval:g}\t{message['subject']}", flush=True)
            if first:
                with _print_lock:
                    print(f"ready\t{interval:g}", flush=True)
            first = False
            next_poll += interval
            stop.wait(max(0.0, next_poll - time.monotonic()))


def main() -> int:
    api, specs = sys.argv[1], sys.argv[2:]
    stop = threading.Event()
    threads = []
    for spec in specs:
        interval, address, password = spec.split(":", 2)
        thread = threading.Thread(
            target=poll, args=(api, float(interval), address, password, stop), daemon=True
        )
        thread.start()
        threads.append(thread)
    sys.stdin.read()
    stop.set()
    for thread in threads:
        thread.join(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
