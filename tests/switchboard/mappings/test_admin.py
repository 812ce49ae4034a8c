"""The admin applies the API's checks to mappings and custom models."""

from __future__ import annotations

from switchboard.mappings.admin import CustomModelForm, FieldMappingForm
from switchboard.mappings.examples import ATS_DEPARTMENT


def _mapping_form(tenant, connection=None, **changes):
    data = {"tenant": tenant.pk, "connection": connection.pk if connection else "", "model": "genericContact",
            "key": "yearsOfExperience", "source": "customField", "custom_field_title": "Years of experience",
            "direction": "both", "select_by": "label", "is_active": "on", "name": "", "description": "",
            "custom_field_id": "", "path": "", "type": "", "currency": ""}
    data.update(changes)
    return FieldMappingForm(data=data)


def test_admin_mapping_form_checks_like_the_api(tenant, connection):
    form = _mapping_form(tenant, connection)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.remote_field_type == "Number"
    collision = _mapping_form(tenant, key="email")
    assert not collision.is_valid() and "COLLISION" in str(collision.errors)
    missing = _mapping_form(tenant, connection, key="shoeSize", custom_field_title="Shoe size")
    assert not missing.is_valid() and "REMOTE_FIELD_NOT_FOUND" in str(missing.errors)


def test_admin_custom_model_form(tenant):
    import json

    good = CustomModelForm(data={"tenant": tenant.pk, "connector_id": "ashby", "is_active": "on",
                                 "definition": json.dumps(ATS_DEPARTMENT)})
    assert good.is_valid(), good.errors
    row = good.save()
    assert row.name == "atsDepartment" and row.title == "Department"
    bad = CustomModelForm(data={"tenant": tenant.pk, "connector_id": "ashby", "is_active": "on",
                                "definition": json.dumps({**ATS_DEPARTMENT, "name": "x y"})})
    assert not bad.is_valid() and "name" in str(bad.errors["definition"])


def test_admin_pages_render(admin_client, tenant, connection):
    _mapping_form(tenant, connection).save()
    assert admin_client.get("/admin/mappings/fieldmapping/").status_code == 200
    assert admin_client.get("/admin/mappings/custommodel/").status_code == 200
    assert admin_client.get("/admin/mappings/fieldmapping/add/").status_code == 200
