import pytest

from switchboard.tenants.models import ApiKey
from tests.conftest import make_client

pytestmark = pytest.mark.django_db


def test_valid_pair_is_accepted(api):
    response = api.get("/v1/connectors")
    assert response.status_code == 200
    assert isinstance(response.json()["data"], list)


def test_bearer_secret_is_accepted(tenant_keys):
    _, _, secret = tenant_keys
    client = make_client(None, None, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/v1/connectors").status_code == 200


@pytest.mark.parametrize("public,secret,fragment", [
    (None, None, "Missing credentials"),
    ("pk_unknown", None, "Missing credentials"),
    (None, "sk_wrong", "not valid"),
])
def test_missing_or_wrong_credentials(db, public, secret, fragment):
    response = make_client(public, secret).get("/v1/connectors")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "MORPH::UNAUTHORIZED"
    assert fragment in body["message"]


def test_public_key_of_another_pair_is_refused(tenant_keys, other_tenant_keys):
    _, _, secret = tenant_keys
    _, other_public, _ = other_tenant_keys
    response = make_client(other_public, secret).get("/v1/connectors")
    assert response.status_code == 401


def test_revoked_key_is_refused(tenant_keys):
    tenant, public, secret = tenant_keys
    ApiKey.objects.get(public_key=public).revoke()
    response = make_client(public, secret).get("/v1/connectors")
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_secret_used_where_public_expected(tenant_keys):
    _, _, secret = tenant_keys
    response = make_client(secret, secret).get("/v1/connectors")
    assert response.status_code == 401
    assert "public key" in response.json()["message"]


def test_public_used_where_secret_expected(tenant_keys):
    _, public, _ = tenant_keys
    response = make_client(public, public).get("/v1/connectors")
    assert response.status_code == 401
    assert "secret key" in response.json()["message"]


def test_secret_is_stored_hashed_and_last_used_recorded(tenant_keys):
    _, public, secret = tenant_keys
    key = ApiKey.objects.get(public_key=public)
    assert secret not in {key.secret_hash, key.secret_hint, key.public_key}
    assert key.last_used_at is None
    make_client(public, secret).get("/v1/connectors")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_disabled_tenant_is_refused(tenant_keys):
    tenant, public, secret = tenant_keys
    tenant.is_active = False
    tenant.save()
    assert make_client(public, secret).get("/v1/connectors").status_code == 401
