"""`python manage.py rundemo`: the embedded default in one process tree.

Starts the Ashby sandbox, migrates, makes sure a demo tenant (keys printed) and a demo Ashby
connection (authorized against the sandbox) exist, then runs the web server, a Celery worker and
beat until interrupted. Same code paths as production, with SQLite and a filesystem broker.
`--smoke` starts everything, checks that /v1/resources/atsJob answers, and exits: CI uses it to
keep the README's run command honest.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DEMO_ASHBY_KEY = "sandbox-demo-key"


def _wait_for_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"{what} exited during start-up (code {proc.returncode}); see its output above.")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise CommandError(f"{what} did not start listening on port {port} within {timeout:.0f} s.")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Command(BaseCommand):
    help = "Run the whole product on its embedded default: sandbox, web, worker, beat, demo tenant."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--sandbox-port", type=int, default=8100)
        parser.add_argument("--candidates", type=int, default=500)
        parser.add_argument("--no-worker", action="store_true", help="Do not start the Celery worker and beat.")
        parser.add_argument("--smoke", action="store_true", help="Start, check one API call, stop.")

    def handle(self, *args, **opts):
        self.children: list[tuple[str, subprocess.Popen]] = []
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            self._run(opts)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop_children()

    # ------------------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        proc = subprocess.Popen(argv, env=env, cwd=settings.BASE_DIR)
        self.children.append((name, proc))
        return proc

    def _stop_children(self) -> None:
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                proc.terminate()
        for name, proc in self.children:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                proc.kill()

    def _run(self, opts) -> None:
        port, sandbox_port = opts["port"], opts["sandbox_port"]
        for p, what in ((port, "the web server"), (sandbox_port, "the Ashby sandbox")):
            if not _port_free(p):
                raise CommandError(f"Port {p} for {what} is already in use; pick another with "
                                   f"--{'port' if p == port else 'sandbox-port'}.")
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(settings.BASE_DIR / "platform"), str(settings.BASE_DIR)]),
            "ASHBY_BASE_URL": os.environ.get("ASHBY_BASE_URL", sandbox_url),
            "WEBHOOKS_ALLOW_PRIVATE_URLS": os.environ.get("WEBHOOKS_ALLOW_PRIVATE_URLS", "true"),
            "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", f"http://localhost:{port}"),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "switchboard.settings"),
        }
        python = sys.executable

        self.stdout.write("==> starting the Ashby sandbox")
        sandbox = self._spawn("sandbox", [python, "-m", "connectors.ashby.sandbox", "--port", str(sandbox_port),
                                          "--api-key", DEMO_ASHBY_KEY, "--candidates", str(opts["candidates"])], env)
        self.stdout.write("==> applying database migrations")
        call_command("migrate", interactive=False, verbosity=0)
        _wait_for_port(sandbox_port, sandbox, "The Ashby sandbox")

        settings.ASHBY_BASE_URL = env["ASHBY_BASE_URL"]
        settings.PUBLIC_BASE_URL = env["PUBLIC_BASE_URL"]
        demo = self._ensure_demo()

        self.stdout.write("==> starting web server, worker and beat")
        web = self._spawn("web", [python, "-m", "gunicorn", "switchboard.wsgi", "--bind", f"127.0.0.1:{port}",
                                  "--workers", "2", "--threads", "4", "--timeout", "120",
                                  "--access-logfile", "-"], env)
        if not opts["no_worker"]:
            # Deliveries and everything else on one worker, polling passes on another: a long
            # pass never delays a webhook delivery (see CELERY_TASK_QUEUES).
            self._spawn("worker", [python, "-m", "celery", "-A", "switchboard", "worker", "--loglevel", "INFO",
                                   "--concurrency", "2", "-Q", "celery", "-n", "worker@%h"], env)
            self._spawn("poller", [python, "-m", "celery", "-A", "switchboard", "worker", "--loglevel", "INFO",
                                   "--concurrency", "1", "-Q", "polling", "-n", "poller@%h"], env)
            self._spawn("beat", [python, "-m", "celery", "-A", "switchboard", "beat", "--loglevel", "INFO"], env)
        _wait_for_port(port, web, "The web server")
        self._banner(port, sandbox_url, demo)

        if opts["smoke"]:
            self._smoke(port, demo)
            return
        while True:
            for name, proc in self.children:
                if proc.poll() is not None:
                    raise CommandError(f"{name} stopped unexpectedly (code {proc.returncode}).")
            time.sleep(1)

    def _ensure_demo(self) -> dict:
        from django.contrib.auth import get_user_model

        from connectors.registry import get_connector
        from switchboard.connections.models import Connection
        from switchboard.connections.services import check_and_store_credentials
        from switchboard.tenants.models import ApiKey, Membership, Tenant, hash_secret
        from switchboard.tenants.services import create_tenant

        state_file = Path(settings.VAR_DIR) / "demo.json"
        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        key = ApiKey.objects.active().filter(public_key=state.get("publicKey", "")).first()
        if key is None or key.secret_hash != hash_secret(state.get("secretKey", "")):
            tenant = Tenant.objects.filter(slug="demo").first()
            if tenant is None:
                tenant, key, secret = create_tenant("Demo")
            else:
                key, secret = ApiKey.issue(tenant, name="demo")
            state.update(publicKey=key.public_key, secretKey=secret)
        tenant = key.tenant

        user_model = get_user_model()
        if not user_model.objects.filter(email="admin@example.com").exists():
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_superuser(username="admin", email="admin@example.com", password=password)
            Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": "owner"})
            state["adminPassword"] = password

        # The demo account gets every operation Ashby supports, authorized against the sandbox.
        connector = get_connector("ashby")
        operations = [s.name for s in connector.operation_specs if s.supported]
        connection, _ = Connection.objects.get_or_create(tenant=tenant, connector_id="ashby", owner_id="demo",
                                                         defaults={"operations": operations})
        if connection.operations != operations:
            connection.operations = operations
            connection.save()
        check_and_store_credentials(connection, {"apiKey": DEMO_ASHBY_KEY})
        try:  # the example custom models (atsDepartment, atsInterviewFeedback), when that app exists
            from switchboard.mappings.examples import install_examples

            list(install_examples(tenant, replace=False))
        except ImportError:
            pass
        state_file.write_text(json.dumps(state, indent=2))
        state_file.chmod(0o600)  # local demo secrets; the file lives in the git-ignored var/
        return state

    def _banner(self, port: int, sandbox_url: str, demo: dict) -> None:
        base = f"http://localhost:{port}"
        auth = f"-H 'x-api-key: {demo['publicKey']}' -H 'x-api-secret: {demo['secretKey']}'"
        self.stdout.write(self.style.SUCCESS(f"""
Switchboard is running at {base}  (Ctrl-C stops everything)

  public key : {demo['publicKey']}
  secret key : {demo['secretKey']}
  Ashby sandbox : {sandbox_url}  (demo Ashby API key: {DEMO_ASHBY_KEY})
  admin      : {base}/admin/  admin@example.com / {demo.get('adminPassword', '(set on first run; see var/demo.json)')}
  API docs   : {base}/v1/docs

Try:
  curl {auth} {base}/v1/connectors
  curl {auth} -H 'x-connector-id: ashby' -H 'x-owner-id: demo' '{base}/v1/resources/atsJob?limit=5'
"""))

    def _smoke(self, port: int, demo: dict) -> None:
        response = requests.get(
            f"http://127.0.0.1:{port}/v1/resources/atsJob?limit=5", timeout=30,
            headers={"x-api-key": demo["publicKey"], "x-api-secret": demo["secretKey"],
                     "x-connector-id": "ashby", "x-owner-id": "demo"})
        if response.status_code != 200 or not response.json().get("data"):
            raise CommandError(f"Smoke check failed: GET /v1/resources/atsJob -> {response.status_code} "
                               f"{response.text[:300]}")
        self.stdout.write(self.style.SUCCESS(f"Smoke check passed: {len(response.json()['data'])} jobs listed."))
