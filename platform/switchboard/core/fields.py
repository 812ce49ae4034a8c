"""A model field that stores JSON encrypted with `core.crypto`; the database never sees plaintext."""

from __future__ import annotations

from django.db import models

from switchboard.core import crypto


class EncryptedJSONField(models.TextField):
    description = "JSON encrypted at rest (Fernet, rotatable keys)"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return crypto.decrypt_json(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith("gAAAA"):
            return crypto.decrypt_json(value)
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt_json(value)


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt_str(value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        return crypto.encrypt_str(value)
