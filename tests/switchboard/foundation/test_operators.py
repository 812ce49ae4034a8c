"""Operators log in with allauth (email + password, TOTP available) and the admin sits behind it."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return get_user_model().objects.create_superuser(username="op", email="op@example.com", password="pw-0123456789!")


def test_admin_login_goes_through_allauth(client, operator):
    response = client.get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login = client.post("/accounts/login/", {"login": "op@example.com", "password": "pw-0123456789!"})
    assert login.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_password_does_not_log_in(client, operator):
    client.post("/accounts/login/", {"login": "op@example.com", "password": "nope"})
    assert client.get("/admin/").status_code == 302


def test_totp_setup_is_available(client, operator):
    client.force_login(operator)
    # Activating TOTP asks for the password again (allauth's reauthentication), then offers the secret.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": "pw-0123456789!"})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert b"otpauth" in response.content or b"secret" in response.content.lower()


def test_admin_pages_render(client, operator, tenant_keys):
    client.force_login(operator)
    for url in ["/admin/tenants/tenant/", "/admin/tenants/apikey/", "/admin/connections/connection/",
                "/admin/connections/connectorconfig/add/", "/admin/logs/requestlog/", "/admin/logs/upstreamcalllog/",
                f"/admin/tenants/tenant/{tenant_keys[0].pk}/change/"]:
        assert client.get(url).status_code == 200, url


def test_admin_creating_a_tenant_shows_the_secret_once(client, operator):
    from switchboard.tenants.models import ApiKey, Tenant

    client.force_login(operator)
    response = client.post("/admin/tenants/tenant/add/", {
        "name": "Umbrella", "slug": "", "is_active": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0"}, follow=True)
    assert response.status_code == 200
    tenant = Tenant.objects.get(name="Umbrella")
    key = ApiKey.objects.get(tenant=tenant)
    messages = [str(m) for m in response.context["messages"]]
    assert any(key.public_key in m and "sk_" in m for m in messages)


def test_admin_revoke_action(client, operator, tenant_keys):
    from switchboard.tenants.models import ApiKey

    client.force_login(operator)
    key = ApiKey.objects.get(public_key=tenant_keys[1])
    client.post("/admin/tenants/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
