"""The periodic permission re-check, session pruning, and the /v1/s/ twins of resource routes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import include, path, re_path
from django.utils import timezone
from rest_framework.response import Response

from switchboard.api.views import TenantAPIView
from switchboard.connect import tasks
from switchboard.connect.api_urls import session_twins
from switchboard.connect.authentication import SessionTokenAuthentication
from switchboard.connect.models import Session
from switchboard.connect.services import create_session
from switchboard.connections.models import Connection
from tests.fakes import GOOD_KEY, LIMITED_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_inline(monkeypatch):
    """Queue = run now: the tasks' logic is under test here, not the broker."""
    import switchboard.core.tasks as core_tasks

    monkeypatch.setattr(core_tasks, "enqueue", lambda task, *args, **kw: task(*args, **kw))


def _authorized(tenant, owner, key, checked_ago=timedelta(days=2)):
    return Connection.objects.create(
        tenant=tenant, connector_id="fake", owner_id=owner, operations=["atsJob::list", "atsJob::create"],
        status="authorized", credentials={"apiKey": key}, granted_permissions=["jobsRead", "jobsWrite"],
        permissions_checked_at=timezone.now() - checked_ago)


def test_recheck_finds_lost_permissions(fake_connector, tenant_keys, run_inline):
    tenant = tenant_keys[0]
    stale = _authorized(tenant, "stale", LIMITED_KEY)   # the key lost jobsWrite since the last check
    fresh = _authorized(tenant, "fresh", LIMITED_KEY, checked_ago=timedelta(minutes=5))
    Connection.objects.create(tenant=tenant, connector_id="fake", owner_id="never")  # no credentials
    assert tasks.recheck_due_permissions() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.missing_operations == ["atsJob::create"] and stale.granted_permissions == ["jobsRead"]
    assert stale.permissions_checked_at > timezone.now() - timedelta(minutes=1)
    assert fresh.missing_operations == []  # not due yet
    assert fake_connector.checked == [LIMITED_KEY]


def test_recheck_marks_dead_credentials_and_recovers(fake_connector, tenant_keys, run_inline):
    conn = _authorized(tenant_keys[0], "dead", "revoked-key")
    tasks.recheck_due_permissions()
    conn.refresh_from_db()
    assert conn.status == "error" and "rejected" in conn.last_error
    Connection.objects.filter(pk=conn.pk).update(credentials={"apiKey": GOOD_KEY},
                                                 permissions_checked_at=timezone.now() - timedelta(days=2))
    assert tasks.recheck_connection_permissions(conn.pk) == "authorized"


def test_recheck_survives_provider_outage(fake_connector, tenant_keys):
    from tests.switchboard.connect.conftest import DOWN_KEY

    conn = _authorized(tenant_keys[0], "down", DOWN_KEY)
    assert tasks.recheck_connection_permissions(conn.pk) == "failed"
    conn.refresh_from_db()
    assert conn.status == "authorized"  # an outage says nothing about the key
    assert tasks.recheck_connection_permissions(999999) == "skipped"


def test_recheck_interval_setting(settings):
    settings.PERMISSION_RECHECK_HOURS = 6
    assert tasks.recheck_interval() == timedelta(hours=6)


def test_beat_schedule_names_the_tasks(settings):
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "switchboard.connect.tasks.recheck_due_permissions" in names
    assert "switchboard.connect.tasks.prune_sessions" in names


def test_prune_sessions(fake_connector, tenant_keys):
    conn = Connection.objects.create(tenant=tenant_keys[0], connector_id="fake", owner_id="p")
    create_session(conn, expires_in=-8 * 86400)
    live, _ = create_session(conn)
    assert tasks.prune_sessions() == 1
    assert list(Session.objects.all()) == [live]


# -- /v1/s/ twins of the resources app's routes ---------------------------------------------------------

class EchoView(TenantAPIView):
    def get(self, request, model, **kw):
        connection = self.get_connection()
        return Response({"model": model, "ownerId": connection.owner_id})


class OtherView(TenantAPIView):
    def get(self, request):
        return Response({})


FAKE_RESOURCE_ROUTES = [
    path("resources/<str:model>", EchoView.as_view(), name="resources"),
    re_path(r"^models/(?P<model>[A-Za-z]+)/fields$", EchoView.as_view(), name="model-fields"),
    path("proxy", OtherView.as_view(), name="proxy"),
]


def test_session_twins_mount_resource_routes_with_session_auth():
    twins = session_twins(FAKE_RESOURCE_ROUTES)
    assert [t.name for t in twins] == ["session-resources", "session-model-fields"]
    assert str(twins[0].pattern) == "s/resources/<str:model>"
    assert twins[1].pattern.regex.pattern == "^s/models/(?P<model>[A-Za-z]+)/fields$"
    for twin in twins:
        view_class = twin.callback.view_class
        assert issubclass(view_class, EchoView) and view_class.authentication_classes == [SessionTokenAuthentication]
    assert EchoView.authentication_classes != [SessionTokenAuthentication]  # the original is untouched


# This module doubles as the URL map for the next test: the fake routes plus their twins.
urlpatterns = [
    path("v1/", include(FAKE_RESOURCE_ROUTES + session_twins(FAKE_RESOURCE_ROUTES))),
    path("v1/", include("switchboard.connect.api_urls")),
]


def test_session_twin_serves_the_sessions_connection(new_session, session_client, settings, api):
    settings.ROOT_URLCONF = __name__
    new_session(owner="someone-else")
    _, token = new_session(owner="me")
    r = session_client(token).get("/v1/s/resources/atsJob")
    assert r.status_code == 200 and r.json() == {"model": "atsJob", "ownerId": "me"}
    assert session_client(token).get("/v1/s/models/atsJob/fields").json()["ownerId"] == "me"
    # The original route still wants the secret key; the session token does not open it.
    assert session_client(token).get("/v1/resources/atsJob").status_code == 401
    r = api.get("/v1/resources/atsJob", HTTP_X_CONNECTOR_ID="fake", HTTP_X_OWNER_ID="someone-else")
    assert r.json()["ownerId"] == "someone-else"
    assert session_client(token).get("/v1/s/proxy").status_code == 404
