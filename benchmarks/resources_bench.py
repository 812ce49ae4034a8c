"""Unified API overhead over Ashby: paging, single retrieves, memory.

    .venv/bin/python benchmarks/resources_bench.py [--candidates 100000] [--page-count 10000]
        [--retrieves 300] [--memory-count 100000] [--ashby-latency-ms 0]
        [--server gunicorn|thread] [--database-url postgres://...] [--cache-url redis://...]

One run, on this machine, all on loopback:
  * the Ashby sandbox runs as its own process, seeded with --candidates (optionally with an added
    per-call latency, --ashby-latency-ms, to see the ratio against a network-distant Ashby);
  * Switchboard runs behind a real HTTP server on a fresh SQLite database in a temporary folder
    (or the empty database given with --database-url, and Redis with --cache-url),
    with a tenant and an authorized Ashby connection: by default gunicorn (the production server;
    one worker, so its RSS is the server's own), or `--server thread` for Django's threaded server
    inside this process;
  * (a) pages --page-count candidates directly with candidate.list (limit 100), (b) pages the
    same through GET /v1/resources/genericContact (limit 100), interleaved page by page with the
    order flipped every page, so machine drift and warm caches favour neither; prints both total
    times, the ratio, its spread over page pairs and over five interleaved slices;
  * single retrieves, interleaved: candidate.info directly vs GET /v1/resources/genericContact/{id};
    prints p50/p99 of each and of the added latency (API minus direct, per pair);
  * pages --memory-count candidates through the API while sampling the server's RSS after every
    page: peak over the first 10% vs peak over all shows whether memory stays flat.

The shared per-connection budget (1,000 Ashby calls a minute, like Ashby's own limit) is raised
for the run, and so are the sandbox's limit and the API throttle: this measures overhead, not rate
limits. Everything else is the production request path (auth, tenant scoping, operation checks,
request and upstream-call logs, the database-backed cache of the embedded default). Nothing is
asserted: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "platform"), ROOT]

KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def rss_of(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_sandbox(candidates: int, latency_ms: int = 0) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "connectors.ashby.sandbox", "--port", str(port), "--api-key", KEY,
         "--candidates", str(candidates), "--rate-limit", "10000000", "--latency-ms", str(latency_ms)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    import requests

    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if requests.post(f"{base}/apiKey.info", auth=(KEY, ""), json={}, timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the sandbox did not start")


DATABASE_URL = CACHE_URL = ""  # --database-url / --cache-url; default: SQLite in the temp folder


def bench_env(tmp: str, ashby_url: str) -> dict:
    env = {"SWITCHBOARD_VAR_DIR": tmp, "DATABASE_URL": DATABASE_URL or f"sqlite:///{tmp}/bench.sqlite3",
           "ASHBY_BASE_URL": ashby_url, "API_RATE_LIMIT": "1000000/min", "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "switchboard.settings", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    if CACHE_URL:
        env["CACHE_URL"] = CACHE_URL
    return env


def raise_budget() -> None:
    """Measure overhead, not the rate limit: a larger per-connection budget for this run only."""
    from switchboard.connections import ratelimit

    defaults = list(ratelimit.CacheRateLimiter.__init__.__defaults__)
    defaults[0] = 10_000_000
    ratelimit.CacheRateLimiter.__init__.__defaults__ = tuple(defaults)


def application():
    """gunicorn entry point (`resources_bench:application()`): the real WSGI app, bigger budget."""
    import django

    django.setup()
    raise_budget()
    from switchboard.wsgi import application as app  # the production module, start-up tuning included

    return app


def setup_django(tmp: str, ashby_url: str):
    os.environ.update(bench_env(tmp, ashby_url))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    raise_budget()

    from connectors.ashby.connector import OPERATION_SPECS
    from switchboard.connections.models import Connection
    from switchboard.tenants.services import create_tenant

    tenant, key, secret = create_tenant("Bench")
    Connection.objects.create(tenant=tenant, connector_id="ashby", owner_id="bench",
                              operations=list(OPERATION_SPECS), status=Connection.Status.AUTHORIZED,
                              credentials={"apiKey": KEY}, granted_permissions=["candidatesRead"])
    return key.public_key, secret


def serve_gunicorn(tmp: str, ashby_url: str) -> tuple[str, subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, **bench_env(tmp, ashby_url),
           "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "platform"), ROOT, os.path.join(ROOT, "benchmarks")])}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "resources_bench:application()", "--bind",
                             f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--log-level", "warning"],
                            cwd=ROOT, env=env)
    import requests

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.2)
    with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
        worker = int(fh.read().split()[0])
    return f"http://127.0.0.1:{port}", proc, worker


def serve_django() -> tuple[str, object]:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        # wsgiref writes headers and body separately; without TCP_NODELAY, Nagle plus the client's
        # delayed ACK add ~40 ms to every response (gunicorn sets TCP_NODELAY itself).
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

    port = free_port()
    httpd = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler, allow_reuse_address=True)
    httpd.set_app(get_wsgi_application())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", httpd


def pages_direct(session, ashby: str):
    """Generator: each next() fetches one page with candidate.list; yields (seconds, records)."""
    body = {"limit": 100}
    while True:
        started = time.perf_counter()
        data = session.post(f"{ashby}/candidate.list", json=body, auth=(KEY, ""), timeout=60).json()
        yield time.perf_counter() - started, len(data["results"])
        if not data["moreDataAvailable"]:
            return
        body["cursor"] = data["nextCursor"]


def pages_api(session, api: str):
    """Generator: each next() fetches one page through the unified API; yields (seconds, records)."""
    url, params = f"{api}/v1/resources/genericContact", {"limit": 100}
    while True:
        started = time.perf_counter()
        resp = session.get(url, params=params, timeout=60)
        resp.raise_for_status()
        data = resp.json()
        yield time.perf_counter() - started, len(data["data"])
        if not data["next"]:
            return
        params = {"limit": 100, "cursor": data["next"]}
        del data, resp


def page_direct(session, ashby: str, count: int) -> tuple[float, int]:
    return _page(pages_direct(session, ashby), count)


def page_api(session, api: str, count: int, on_page=None) -> tuple[float, int]:
    return _page(pages_api(session, api), count, on_page)


def _page(pages, count: int, on_page=None) -> tuple[float, int]:
    total, seen = 0.0, 0
    for seconds, n in pages:
        total, seen = total + seconds, seen + n
        if on_page:
            on_page(seen)
        if seen >= count:
            break
    return total, seen


def page_interleaved(direct, ashby: str, client, api: str, count: int) -> tuple[list[float], list[float], int]:
    """(a) and (b) page in lockstep, one page each in turn, the order flipped every page (a b, b a,
    a b ...): a shared machine's speed drifts within seconds, and whichever path went second
    would otherwise meet the other's warm caches every time. Returns per-page times of each."""
    a_pages, b_pages = pages_direct(direct, ashby), pages_api(client, api)
    t_a, t_b, seen = [], [], 0
    while seen < count:
        order = ((a_pages, t_a), (b_pages, t_b)) if len(t_a) % 2 == 0 else ((b_pages, t_b), (a_pages, t_a))
        try:
            for pages, times in order:
                seconds, n = next(pages)
                times.append(seconds)
        except StopIteration:
            break
        seen += n
    return t_a, t_b, seen


def measure(label: str, api: str, server_pid: int, direct, client, ashby: str, args) -> None:
    import requests  # noqa: F401 - sessions come from main

    # Warm both paths (imports, connection pools, first queries) before measuring.
    page_direct(direct, ashby, 300)
    page_api(client, api, 300)
    t_a, t_b, seen = page_interleaved(direct, ashby, client, api, args.page_count)
    t_direct, t_api = sum(t_a), sum(t_b)
    pair = sorted(b / a for a, b in zip(t_a, t_b, strict=True))
    # Five consecutive stretches of the run: how much the ratio moves with the machine's load.
    n = len(t_a)
    cuts = [round(i * n / 5) for i in range(6)]
    slices = [sum(t_b[cuts[i]:cuts[i + 1]]) / sum(t_a[cuts[i]:cuts[i + 1]]) for i in range(5)] if n >= 5 else []
    print(f"\n[{label}] paging {seen:,} candidates (limit 100), (a) and (b) interleaved page by page")
    print(f"  (a) direct candidate.list         {t_direct:7.2f}s  {seen / t_direct:9,.0f} records/s")
    print(f"  (b) /v1/resources/genericContact  {t_api:7.2f}s  {seen / t_api:9,.0f} records/s")
    print(f"  ratio (b)/(a)                     {t_api / t_direct:7.2f}   per page pair: p10 {pct(pair, 10):.2f} "
          f"median {pct(pair, 50):.2f} p90 {pct(pair, 90):.2f}")
    if slices:
        print(f"  ratio in five stretches of the run {' '.join(f'{r:.2f}' for r in slices)}")

    ids = [r["id"] for r in direct.post(f"{ashby}/candidate.list", json={"limit": 100}, auth=(KEY, ""))
           .json()["results"]]
    d_times, a_times, added = [], [], []
    for i in range(args.retrieves):
        cid = ids[i % len(ids)]
        s = time.perf_counter()
        direct.post(f"{ashby}/candidate.info", json={"id": cid}, auth=(KEY, ""), timeout=30).raise_for_status()
        d = time.perf_counter() - s
        s = time.perf_counter()
        client.get(f"{api}/v1/resources/genericContact/{cid}", timeout=30).raise_for_status()
        a = time.perf_counter() - s
        d_times.append(d * 1000)
        a_times.append(a * 1000)
        added.append((a - d) * 1000)
    print(f"[{label}] single retrieve, {args.retrieves} pairs (ms)   p50      p99")
    print(f"  direct candidate.info              {pct(d_times, 50):7.2f}  {pct(d_times, 99):7.2f}")
    print(f"  GET /v1/resources/genericContact/id {pct(a_times, 50):6.2f}  {pct(a_times, 99):7.2f}")
    print(f"  added latency (per pair)           {pct(added, 50):7.2f}  {pct(added, 99):7.2f}"
          f"   mean {statistics.mean(added):.2f}")

    if not args.memory_count:
        return
    samples: list[tuple[int, float]] = []
    start_rss = rss_of(server_pid)
    t_mem, n_mem = page_api(client, api, args.memory_count,
                            on_page=lambda seen: samples.append((seen, rss_of(server_pid))))
    tenth = [r for n, r in samples if n <= n_mem // 10] or [start_rss]
    print(f"[{label}] server RSS while paging {n_mem:,} candidates through the API ({t_mem:.1f}s, "
          f"{n_mem / t_mem:,.0f} records/s)")
    print(f"  RSS before {start_rss:7.1f} MB")
    print(f"  peak RSS over the first 10% ({n_mem // 10:,})  {max(tenth):7.1f} MB")
    print(f"  peak RSS over all {n_mem:,}            {max(r for _, r in samples):7.1f} MB")
    print(f"  RSS at the end                        {samples[-1][1]:7.1f} MB")
    print(f"  high-water mark (VmHWM)               {rss_of(server_pid, 'VmHWM'):7.1f} MB")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--candidates", type=int, default=100_000)
    p.add_argument("--page-count", type=int, default=10_000)
    p.add_argument("--retrieves", type=int, default=300)
    p.add_argument("--memory-count", type=int, default=100_000)
    p.add_argument("--ashby-latency-ms", type=int, default=0)
    p.add_argument("--server", choices=["gunicorn", "thread"], default="gunicorn")
    p.add_argument("--database-url", default="", help="e.g. postgres://postgres@127.0.0.1:5432/bench "
                   "(an empty database you can spare: the run migrates it and adds a tenant)")
    p.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/2")
    args = p.parse_args()
    global DATABASE_URL, CACHE_URL
    DATABASE_URL, CACHE_URL = args.database_url, args.cache_url

    import requests

    t0 = time.perf_counter()
    proc, ashby = start_sandbox(args.candidates, args.ashby_latency_ms)
    print(f"sandbox: {args.candidates:,} candidates, ready in {time.perf_counter() - t0:.1f}s at {ashby}"
          f" (added latency {args.ashby_latency_ms} ms); server: {args.server}")
    tmp = tempfile.mkdtemp(prefix="sb-bench-")
    try:
        public, secret = setup_django(tmp, ashby)
        for label in [args.server]:
            server = httpd = None
            if args.server == "gunicorn":
                api, server, server_pid = serve_gunicorn(tmp, ashby)
            else:
                api, httpd = serve_django()
                server_pid = os.getpid()
            # This client process has Django loaded (it created the tenant): freeze that heap so its
            # own garbage collections do not walk it. They land more often in (a), which parses
            # the bigger page, and would make the direct path look slower than a plain client.
            gc.collect()
            gc.freeze()
            direct = requests.Session()
            client = requests.Session()
            client.headers.update({"x-api-key": public, "x-api-secret": secret, "x-connector-id": "ashby",
                                   "x-owner-id": "bench"})
            try:
                measure(label, api, server_pid, direct, client, ashby, args)
            finally:
                if server is not None:
                    server.terminate()
                    server.wait(timeout=10)
                if httpd is not None:
                    httpd.shutdown()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
