import pytest
from django.db import connection as db_connection

from switchboard.connections.models import Connection
from switchboard.logs.models import RequestLog
from tests.fakes import GOOD_KEY, LIMITED_KEY

pytestmark = pytest.mark.django_db
URL = "/v1/connections/fake/owner-1"


def test_create_retrieve_update_delete(api, fake_connector):
    created = api.post(URL, {"operations": ["atsJob::list"]}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["object"] == "connection"
    assert body["connectorId"] == "fake" and body["ownerId"] == "owner-1"
    assert body["status"] == "unauthorized" and body["operations"] == ["atsJob::list"]
    assert {"createdAt", "updatedAt"} <= set(body)

    assert api.get(URL).json()["operations"] == ["atsJob::list"]
    patched = api.patch(URL, {"operations": ["atsJob::list", "atsJob::create"]}, format="json")
    assert patched.status_code == 200 and patched.json()["operations"] == ["atsJob::list", "atsJob::create"]
    # Creating again is idempotent: it replaces the operations, it does not fail.
    again = api.post(URL, {"operations": ["atsJob::retrieve"]}, format="json")
    assert again.status_code == 200 and again.json()["operations"] == ["atsJob::retrieve"]

    assert api.delete(URL).status_code == 204
    missing = api.get(URL)
    assert missing.status_code == 404 and missing.json()["error"] == "MORPH::CONNECTION::NOT_FOUND"


@pytest.mark.parametrize("operations,status,code", [
    (["nope::list"], 400, "CONNECTOR::RESOURCE_MODEL::NOT_FOUND"),
    (["atsJob::explode"], 400, "CONNECTOR::OPERATION::NOT_FOUND"),
    ("atsJob::list", 400, "MORPH::BAD_REQUEST"),
    ([1, 2], 400, "MORPH::BAD_REQUEST"),
])
def test_operations_are_validated(api, fake_connector, operations, status, code):
    response = api.post(URL, {"operations": operations}, format="json")
    assert response.status_code == status
    assert response.json()["error"] == code
    assert not Connection.objects.exists()


def test_unknown_connector_is_404(api):
    response = api.post("/v1/connections/nosuch/o", {"operations": []}, format="json")
    assert response.status_code == 404 and response.json()["error"] == "CONNECTOR::NOT_FOUND"
    assert api.get("/v1/connectors/nosuch").status_code == 404


def test_connector_catalogue_lists_operations(api, fake_connector):
    data = api.get("/v1/connectors").json()["data"]
    fake = next(c for c in data if c["id"] == "fake")
    assert fake["auth"]["settings"][0]["key"] == "apiKey"
    ops = {o["name"]: o for m in fake["models"] for o in m["operations"]}
    assert ops["atsJob::delete"]["supported"] is False and ops["atsJob::delete"]["note"]
    assert api.get("/v1/connectors/fake").json()["id"] == "fake"


def test_tenant_isolation(api, other_api, fake_connector):
    api.post(URL, {"operations": ["atsJob::list"]}, format="json")
    assert other_api.get(URL).status_code == 404
    assert other_api.patch(URL, {"operations": []}, format="json").status_code == 404
    assert other_api.delete(URL).status_code == 404
    assert other_api.post(URL + "/authorization", {"settings": {"apiKey": GOOD_KEY}}, format="json").status_code == 404
    # The other tenant may use the same owner id: it gets its own connection.
    assert other_api.post(URL, {"operations": []}, format="json").status_code == 201
    assert Connection.objects.filter(owner_id="owner-1").count() == 2
    assert api.get(URL).json()["operations"] == ["atsJob::list"]


def test_authorize_with_settings_stores_encrypted_credentials(api, fake_connector):
    api.post(URL, {"operations": ["atsJob::list", "genericContact::list"]}, format="json")
    response = api.post(URL + "/authorization", {"settings": {"apiKey": GOOD_KEY}}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "connectionAuthorization" and body["status"] == "authorized"
    assert api.get(URL).json()["status"] == "authorized"
    assert api.get(URL).json()["missingOperations"] == []

    with db_connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connections_connection")
        raw = cursor.fetchone()[0]
    assert GOOD_KEY not in raw and "apiKey" not in raw
    assert Connection.objects.get().credentials == {"apiKey": GOOD_KEY}
    # The secret never lands in the request log either.
    for log in RequestLog.objects.all():
        assert GOOD_KEY not in f"{log.path}{log.query}"


def test_authorize_reports_missing_operations(api, fake_connector):
    api.post(URL, {"operations": ["atsJob::list", "genericContact::list"]}, format="json")
    api.post(URL + "/authorization", {"settings": {"apiKey": LIMITED_KEY}}, format="json")
    assert api.get(URL).json()["missingOperations"] == ["genericContact::list"]


def test_authorize_with_bad_key_is_401_and_stores_nothing(api, fake_connector):
    api.post(URL, {"operations": ["atsJob::list"]}, format="json")
    response = api.post(URL + "/authorization", {"settings": {"apiKey": "bad"}}, format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "MORPH::CONNECTION::NOT_AUTHORIZED"
    assert Connection.objects.get().credentials is None


def test_authorize_validates_settings(api, fake_connector):
    api.post(URL, {"operations": []}, format="json")
    missing = api.post(URL + "/authorization", {"settings": {"other": "x"}}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"] == "MORPH::CONNECTION::MISSING_REQUIRED_AUTHORIZATION_SETTINGS"
    unknown = api.post(URL + "/authorization", {"settings": {"apiKey": GOOD_KEY, "x": 1}}, format="json")
    assert unknown.status_code == 400 and "x" in unknown.json()["message"]
    assert fake_connector.checked == []  # refused before any provider call


def test_every_call_is_logged(api, fake_connector):
    api.post(URL, {"operations": []}, format="json", HTTP_X_REQUEST_ID="req-42")
    api.get("/v1/connections/fake/nobody")
    logs = list(RequestLog.objects.order_by("created_at"))
    assert [(r.method, r.status) for r in logs] == [("POST", 201), ("GET", 404)]
    assert logs[0].request_id == "req-42" and logs[0].connection is not None
    assert logs[1].error_code == "MORPH::CONNECTION::NOT_FOUND"
    assert logs[0].tenant is not None and logs[0].duration_ms >= 0
