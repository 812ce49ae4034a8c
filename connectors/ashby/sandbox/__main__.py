"""CLI: `python -m connectors.ashby.sandbox --port 8765 --api-key KEY --candidates 1000`."""

from __future__ import annotations

import argparse
import sys
import time

from .permissions import ALL_PERMISSIONS, normalise_permissions
from .server import SandboxServer


def _key_arg(value: str):
    # KEY or KEY=perm1,perm2 (camelCase or jobs:read spelling)
    if "=" in value:
        key, perms = value.split("=", 1)
        return key, normalise_permissions([p for p in perms.split(",") if p])
    return value, list(ALL_PERMISSIONS)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m connectors.ashby.sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--api-key", action="append", type=_key_arg, dest="api_keys",
                   help="KEY (all permissions) or KEY=candidatesRead,jobsRead; repeatable. Default: sandbox-key")
    p.add_argument("--candidates", type=int, default=50)
    p.add_argument("--jobs", type=int, default=12)
    p.add_argument("--users", type=int, default=25)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate-limit", type=int, default=1000, help="requests per minute per key (Ashby: 1000)")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--fail-rate", type=float, default=0.0, help="fraction of calls answered 503")
    p.add_argument("--webhook-delay", type=float, default=0.0, help="seconds before the first delivery attempt")
    p.add_argument("--webhook-retries", type=int, default=4)
    p.add_argument("--webhook-retry-base", type=float, default=0.5,
                   help="retry n waits (2^n-1)*base seconds (Ashby: base 10, 9 retries)")
    p.add_argument("--permission-error-status", type=int, default=403, choices=[200, 403],
                   help="HTTP status of missing_endpoint_permission (docs: 403; some clients saw 200)")
    p.add_argument("--allow-remote-control", action="store_true", help="serve /_sandbox to non-loopback clients")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)

    started = time.monotonic()
    server = SandboxServer(
        host=args.host, port=args.port, api_keys=dict(args.api_keys) if args.api_keys else None,
        candidates=args.candidates, seed=args.seed, jobs=args.jobs, users=args.users,
        per_minute_limit=args.rate_limit, latency_ms=args.latency_ms, fail_rate=args.fail_rate,
        webhook_delay=args.webhook_delay, webhook_retries=args.webhook_retries,
        webhook_retry_base=args.webhook_retry_base, permission_error_status=args.permission_error_status,
        allow_remote_control=args.allow_remote_control, verbose=args.verbose)
    server.start()
    print(f"Ashby sandbox listening on {server.base_url} "
          f"(candidates={args.candidates}, seed={args.seed}, keys={','.join(server.keys)}, "
          f"ready in {time.monotonic() - started:.2f}s)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
