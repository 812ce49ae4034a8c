"""Encryption and rotation, health endpoints, settings errors, the create_tenant command, pruning."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from switchboard.core import crypto

ROOT = Path(__file__).resolve().parents[3]


def test_encryption_round_trip_and_rotation():
    crypto._multifernet.cache_clear()
    with override_settings(ENCRYPTION_KEYS=["old-key"]):
        token = crypto.encrypt_json({"apiKey": "s3cret"})
        assert "s3cret" not in token
    with override_settings(ENCRYPTION_KEYS=["new-key", "old-key"]):
        assert crypto.decrypt_json(token) == {"apiKey": "s3cret"}
        rotated = crypto.rotate(token)
    with override_settings(ENCRYPTION_KEYS=["new-key"]):
        assert crypto.decrypt_json(rotated) == {"apiKey": "s3cret"}
        with pytest.raises(ImproperlyConfigured):
            crypto.decrypt_json(token)  # the old key is gone, and we say so clearly


@pytest.mark.django_db
def test_rotation_command_reencrypts_rows(tenant_keys):
    from switchboard.connections.models import Connection

    tenant = tenant_keys[0]
    with override_settings(ENCRYPTION_KEYS=["k1"]):
        Connection.objects.create(tenant=tenant, connector_id="ashby", owner_id="o", credentials={"apiKey": "x"})
    with override_settings(ENCRYPTION_KEYS=["k2", "k1"]):
        call_command("rotate_encryption_keys", stdout=StringIO())
    with override_settings(ENCRYPTION_KEYS=["k2"]):
        assert Connection.objects.get().credentials == {"apiKey": "x"}


@pytest.mark.django_db
def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content


@pytest.mark.django_db
def test_readyz_reports_broker_down(client, monkeypatch):
    from switchboard.core import views

    monkeypatch.setattr(views, "_check_broker", lambda: "broker unreachable: ConnectionRefusedError")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "broker" in response.json()["problems"]


def _settings_in_subprocess(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ENCRYPTION_KEYS", "PUBLIC_BASE_URL",
                                                             "ALLOWED_HOSTS", "SWITCHBOARD_ENV"}}
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"],
                          env={**base, "DJANGO_SETTINGS_MODULE": "switchboard.settings",
                               "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}", **env},
                          capture_output=True, text=True, cwd=ROOT)


def test_production_without_secret_key_names_it():
    result = _settings_in_subprocess({"SWITCHBOARD_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "required" in result.stderr


def test_production_without_encryption_keys_names_it():
    result = _settings_in_subprocess({"SWITCHBOARD_ENV": "production", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0 and "ENCRYPTION_KEYS" in result.stderr


def test_bad_boolean_is_explained():
    result = _settings_in_subprocess({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_debug_is_off_unless_asked():
    from django.conf import settings

    assert os.environ.get("DEBUG") or settings.DEBUG is False


@pytest.mark.django_db
def test_create_tenant_json_interface():
    out = StringIO()
    call_command("create_tenant", "Initech", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["tenant"]["name"] == "Initech"
    assert payload["publicKey"].startswith("pk_") and payload["secretKey"].startswith("sk_")
    from switchboard.tenants.models import ApiKey

    key = ApiKey.objects.get(public_key=payload["publicKey"])
    assert payload["secretKey"] not in key.secret_hash


@pytest.mark.django_db
def test_prune_removes_only_old_logs(tenant_keys):
    from switchboard.logs.models import RequestLog
    from switchboard.logs.tasks import prune_request_logs

    old = RequestLog.objects.create(method="GET", path="/v1/x", status=200, duration_ms=1, request_id="a")
    RequestLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    RequestLog.objects.create(method="GET", path="/v1/y", status=200, duration_ms=1, request_id="b")
    assert prune_request_logs() == 1
    assert list(RequestLog.objects.values_list("request_id", flat=True)) == ["b"]


@pytest.mark.django_db
def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_signup_is_closed_by_default(client):
    response = client.get("/accounts/signup/")
    assert response.status_code in (200, 403)
    assert b"Sign Up Closed" in response.content or response.status_code == 403


def test_openapi_schema_and_docs(client, db):
    schema = client.get("/v1/schema?format=json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert "/v1/connections/{connector_id}/{owner_id}" in spec["paths"]
    assert client.get("/v1/docs").status_code == 200
