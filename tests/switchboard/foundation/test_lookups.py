"""Prepared single-row lookups return what the ORM would, treat values strictly as parameters,
and build instances whose converted fields (encrypted credentials, JSON) read as usual."""

import pytest

from switchboard.connections.models import Connection
from switchboard.core.lookups import Lookup
from switchboard.tenants.models import ApiKey, Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def conn(tenant_keys):
    tenant = tenant_keys[0]
    return Connection.objects.create(tenant=tenant, connector_id="ashby", owner_id="o'wner; DROP TABLE x --",
                                     operations=["atsJob::list"], credentials={"apiKey": "s3cret"})


def test_hits_and_misses_match_the_orm(conn, other_tenant_keys):
    by_name = Lookup(Connection, "tenant_id", "connector_id", "owner_id")
    found = by_name.get(conn.tenant_id, "ashby", conn.owner_id)
    assert found is not None and found.pk == conn.pk
    assert found.credentials == {"apiKey": "s3cret"}  # decrypted by the field, as with a queryset
    assert found.operations == ["atsJob::list"]
    orm = Connection.objects.get(pk=conn.pk)
    for field in Connection._meta.concrete_fields:  # every column converted as a queryset would
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert found._state.adding is False and found._state.db == "default"
    assert by_name.get(other_tenant_keys[0].pk, "ashby", conn.owner_id) is None  # another tenant's: none
    assert by_name.get(conn.tenant_id, "ashby", "nobody") is None
    assert Connection.objects.filter(owner_id=conn.owner_id).count() == 1  # values stayed values


def test_lookups_by_key_and_id(tenant_keys):
    tenant, public, _ = tenant_keys
    key = ApiKey.objects.get(public_key=public)
    assert Lookup(ApiKey, "secret_hash").get(key.secret_hash).pk == key.pk
    got = Lookup(Tenant, "id").get(tenant.pk)
    assert got.pk == tenant.pk and got.config_token == tenant.config_token
    assert Lookup(Tenant, "id").get(10**12) is None


def test_a_shape_it_cannot_prepare_is_refused():
    from django.core.exceptions import FieldDoesNotExist

    with pytest.raises(FieldDoesNotExist):
        Lookup(Connection, "tenant__name").get("x")
