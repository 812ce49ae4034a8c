"""`python manage.py sync_connection <connectorId> <ownerId> [--model M] [--full]`: run polling
passes for one connection now, in this process, with a progress bar per model."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from switchboard.connections.models import Connection
from switchboard.webhooks import polling


class Progress:
    """A one-line progress bar. Ashby does not say how many records a pass will see, so it shows
    pages and records with a spinner rather than pretend to know a percentage."""

    FRAMES = "|/-\\"

    def __init__(self, out, model: str):
        self.out, self.model, self.started, self.tick = out, model, time.monotonic(), 0
        self.tty = hasattr(out, "isatty") and out.isatty()

    def __call__(self, run) -> None:
        self.tick += 1
        elapsed = time.monotonic() - self.started
        rate = run.seen / elapsed if elapsed > 0 else 0
        bar = "#" * min(30, run.pages % 31)
        line = (f"{self.FRAMES[self.tick % 4]} {self.model:<20} [{bar:<30}] pages {run.pages:>5}  seen {run.seen:>8}"
                f"  +{run.created} ~{run.updated} -{run.deleted}  {rate:,.0f}/s")
        if self.tty:
            self.out.write("\r" + line)
            self.out.flush()
        elif run.pages % 50 == 1:
            self.out.write(line + "\n")

    def done(self) -> None:
        if self.tty:
            self.out.write("\n")


class Command(BaseCommand):
    help = "Run change-detection passes for one connection now (with a progress bar)."

    def add_arguments(self, parser):
        parser.add_argument("connector_id")
        parser.add_argument("owner_id")
        parser.add_argument("--model", action="append", help="Model to sync (repeatable). Default: every model "
                                                             "the connection's subscriptions need polled.")
        parser.add_argument("--full", action="store_true", help="Full pass (finds deletions) instead of incremental.")
        parser.add_argument("--tenant", help="Tenant slug, when several tenants have this connector/owner pair.")

    def handle(self, *args, connector_id, owner_id, model, full, tenant, **opts):
        qs = Connection.objects.filter(connector_id=connector_id, owner_id=owner_id)
        if tenant:
            qs = qs.filter(tenant__slug=tenant)
        connections = list(qs[:2])
        if not connections:
            raise CommandError(f"No {connector_id} connection for owner {owner_id!r}.")
        if len(connections) > 1:
            raise CommandError("Several tenants have this connection; choose one with --tenant SLUG.")
        connection = connections[0]
        models = model or polling.models_to_poll(connection)
        if not models:
            raise CommandError("No model to sync: no subscription of this connection needs polling (events "
                               "it wants are pushed by provider webhooks, or there are none); name one with --model.")
        out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
        failed = False
        for name in models:
            progress = Progress(out, name)
            run = polling.run_sync(connection, name, full=full, progress=progress)
            progress.done()
            if run is None:
                self.stderr.write(f"{name}: another pass is running; skipped.")
                continue
            summary = (f"{name}: {run.mode} pass {run.status} in {run.duration.total_seconds():.1f} s: "
                       f"{run.seen} seen, {run.created} created, {run.updated} updated, {run.deleted} deleted, "
                       f"{run.pages} pages" + (" (baseline: no events)" if run.baseline else ""))
            for error in run.errors:
                summary += f"\n  ! {error}"
            (self.stdout.write if run.status == run.Status.SUCCEEDED else self.stderr.write)(summary)
            failed |= run.status != run.Status.SUCCEEDED
        if failed:
            raise CommandError("At least one pass failed; see the errors above and the sync log in the admin.")
