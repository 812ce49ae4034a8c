"""Operators: whitelabel client secret stays write-only; sessions can be listed and revoked."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from switchboard.connect.models import Session
from switchboard.connect.services import create_session
from switchboard.connections.models import Connection, ConnectorConfig

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("op", "op@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


def test_client_secret_is_write_only(operator, tenant_keys):
    cfg = ConnectorConfig.objects.create(tenant=tenant_keys[0], connector_id="oauthdemo", oauth_client_id="cid",
                                         oauth_client_secret="very-secret-value")
    html = operator.get(f"/admin/connections/connectorconfig/{cfg.pk}/change/").content.decode()
    assert "cid" in html and "very-secret-value" not in html


def test_sessions_admin_lists_and_revokes(operator, fake_connector, tenant_keys):
    connection = Connection.objects.create(tenant=tenant_keys[0], connector_id="fake", owner_id="adm")
    session, token = create_session(connection)
    html = operator.get("/admin/connect/session/").content.decode()
    assert str(session.public_id) in html and token not in html and session.token_hash not in html
    r = operator.post("/admin/connect/session/", {"action": "revoke", "_selected_action": [session.pk]})
    assert r.status_code == 302
    assert Session.objects.get(pk=session.pk).revoked_at is not None
