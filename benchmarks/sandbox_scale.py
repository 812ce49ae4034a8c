"""Ashby sandbox at scale: startup time, memory, and a full candidate.list pass.

    .venv/bin/python benchmarks/sandbox_scale.py [--candidates 100000] [--pages 0]

Starts `python -m connectors.ashby.sandbox` as a subprocess (so RSS is the sandbox's own), reports
the time until it prints its ready line and its RSS, then pages through candidate.list and
application.list (limit 100) over one keep-alive session and reports throughput and RSS after.
Nothing is asserted: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def full_pass(session, base, endpoint, max_pages):
    body, pages, records, started = {"limit": 100}, 0, 0, time.perf_counter()
    while True:
        data = session.post(f"{base}/{endpoint}", json=body, timeout=30).json()
        assert data["success"], data
        pages += 1
        records += len(data["results"])
        if not data["moreDataAvailable"] or (max_pages and pages >= max_pages):
            break
        body["cursor"] = data["nextCursor"]
    return pages, records, time.perf_counter() - started


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--candidates", type=int, default=100_000)
    p.add_argument("--pages", type=int, default=0, help="stop each pass after N pages (0 = all)")
    args = p.parse_args()
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "connectors.ashby.sandbox", "--port", str(port), "--api-key", "bench",
         "--candidates", str(args.candidates), "--rate-limit", "100000000"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        ready = time.perf_counter() - started
        print(f"candidates:           {args.candidates}")
        print(f"ready line:           {line.strip()}")
        print(f"startup (to ready):   {ready:.2f} s")
        print(f"RSS after start:      {rss_mb(proc.pid):.1f} MB")
        session = requests.Session()
        session.auth = ("bench", "")
        base = f"http://127.0.0.1:{port}"
        for endpoint in ("candidate.list", "application.list"):
            pages, records, secs = full_pass(session, base, endpoint, args.pages)
            print(f"{endpoint:<21} {records} records / {pages} pages in {secs:.2f} s "
                  f"({records / secs:,.0f} records/s, {secs / pages * 1000:.1f} ms/page)")
        t = time.perf_counter()
        for _ in range(200):
            session.post(f"{base}/candidate.info", json={"id": "missing"}, timeout=10)
        print(f"200 x candidate.info:  {(time.perf_counter() - t) * 1000 / 200:.2f} ms/call")
        print(f"RSS after passes:     {rss_mb(proc.pid):.1f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
