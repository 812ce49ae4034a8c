"""API calls cache a tenant's field mappings and connector settings per config token: no query
for them on repeated calls, and every change is seen by the very next call."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from switchboard.mappings import services
from switchboard.tenants import config
from tests.switchboard.mappings.conftest import HEADERS

YEARS = {"model": "genericContact", "key": "yearsOfExperience", "customFieldTitle": "Years of experience"}


@pytest.fixture(autouse=True)
def _empty_cache():
    config.clear()
    yield
    config.clear()


def _config_queries(client, url):
    with CaptureQueriesContext(db) as q:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content
    return [x["sql"] for x in q.captured_queries
            if "mappings_fieldmapping" in x["sql"] or "connections_connectorconfig" in x["sql"]], resp.json()


def test_repeated_calls_read_configuration_once(client):
    first, _ = _config_queries(client, "/v1/resources/genericContact?limit=2")
    again, _ = _config_queries(client, "/v1/resources/genericContact?limit=2")
    assert len(first) == 2 and again == []


def test_a_new_mapping_is_seen_by_the_next_call(plain, client):
    _, before = _config_queries(client, "/v1/resources/genericContact?limit=2")
    assert "yearsOfExperience" not in before["data"][0]["fields"]
    created = plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS)
    assert created.status_code == 201, created.content
    queries, after = _config_queries(client, "/v1/resources/genericContact?limit=2")
    assert queries  # the token changed: read again
    assert "yearsOfExperience" in after["data"][0]["fields"]
    deleted = plain.delete(f"/v1/field-mappings/{created.json()['id']}")
    assert deleted.status_code in (200, 204), deleted.content
    _, gone = _config_queries(client, "/v1/resources/genericContact?limit=2")
    assert "yearsOfExperience" not in gone["data"][0]["fields"]


def test_connector_settings_changes_are_seen_by_the_next_call(client, tenant):
    from switchboard.connections.models import ConnectorConfig

    _config_queries(client, "/v1/resources/genericContact?limit=2")
    cfg = ConnectorConfig.objects.get(tenant=tenant, connector_id="ashby")
    old = tenant.__class__.objects.get(pk=tenant.pk).config_token
    cfg.settings = {**cfg.settings, "anonymize": True}
    cfg.save()
    assert tenant.__class__.objects.get(pk=tenant.pk).config_token != old
    queries, _ = _config_queries(client, "/v1/resources/genericContact?limit=2")
    assert any("connections_connectorconfig" in q for q in queries)


def test_work_outside_api_calls_always_reads_the_database(connection, plain):
    from switchboard.connections.models import Connection

    background = Connection.objects.get(pk=connection.pk)  # as a worker loads it
    assert services.effective_mappings(background, "genericContact") == []
    plain.post("/v1/field-mappings", YEARS, format="json", **HEADERS)
    stale_tenant = background.tenant  # loaded before? no matter: not marked fresh, never cached
    assert [m.key for m in services.effective_mappings(background, "genericContact")] == ["yearsOfExperience"]
    assert not getattr(stale_tenant, "_config_fresh", False)
