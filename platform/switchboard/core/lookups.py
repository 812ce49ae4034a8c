"""Single-row lookups on the request path with the SQL compiled once.

Django compiles a queryset to SQL on every call. For the two lookups every API call makes (the
API key, the connection) that compilation took ~0.5 ms each on our 2-core machine, several
times what SQLite needs to run the query. Here the ORM still writes the SQL, from the same
filter, once per database vendor; `raw()` runs it and builds the model instance, applying field
converters (decryption, JSON) exactly as a queryset would.
"""

from __future__ import annotations

import threading

from django.db import connections


class Lookup:
    """`Lookup(Model, "a", "b").get(x, y)` is `Model.objects.filter(a=x, b=y).first()` for a
    unique combination of plain columns (use `tenant_id`, not `tenant`)."""

    def __init__(self, model, *fields: str):
        self.model = model
        self.fields = fields
        self._sql: dict[str, str] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> str:
        qs = self.model.objects.using(alias).order_by()
        for i, name in enumerate(self.fields):
            field = self.model._meta.get_field(name)  # accepts a foreign key's attname too
            # Stand-in values of the right type; only their positions in the SQL matter.
            stand_in = 10_000 + i if field.get_internal_type() in ("ForeignKey", "BigAutoField", "AutoField") \
                else f"\x00{i}"
            qs = qs.filter(**{name: stand_in})  # one filter() per field: parameters in this order
        sql, params = qs.query.sql_with_params()
        if len(params) != len(self.fields):  # a shape this helper does not understand
            raise ValueError(f"Cannot prepare a lookup on {self.model.__name__} by {self.fields}.")
        return sql

    def get(self, *values, using: str = "default"):
        vendor_key = f"{using}:{connections[using].vendor}"
        sql = self._sql.get(vendor_key)
        if sql is None:
            with self._lock:
                sql = self._sql.setdefault(vendor_key, self._compile(using))
        for obj in self.model.objects.db_manager(using).raw(sql, list(values)):
            return obj
        return None
