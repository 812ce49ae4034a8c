"""Single-row lookups on the request path with the SQL compiled once.

Django compiles a queryset to SQL on every call. For the lookups every API call makes (the API
key, the tenant, the connection) that compilation took ~0.5 ms each on our 2-core machine,
several times what SQLite needs to run the query. Here the ORM still writes the SQL, from the
same filter, once per database; the row becomes a model instance through `Model.from_db` with
the same field converters a queryset applies (decryption, JSON), also resolved once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connections


@dataclass(frozen=True)
class _Prepared:
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list, object]]  # (column index, converters, expression)


class Lookup:
    """`Lookup(Model, "a", "b").get(x, y)` is `Model.objects.filter(a=x, b=y).first()` for a
    unique combination of plain columns (use `tenant_id`, not `tenant`)."""

    def __init__(self, model, *fields: str):
        self.model = model
        self.fields = fields
        self._prepared: dict[str, _Prepared] = {}
        self._lock = threading.Lock()

    def _prepare(self, alias: str) -> _Prepared:
        connection = connections[alias]
        qs = self.model.objects.using(alias).order_by()
        for i, name in enumerate(self.fields):
            field = self.model._meta.get_field(name)  # accepts a foreign key's attname too
            # Stand-in values of the right type; only their positions in the SQL matter.
            stand_in = 10_000 + i if field.get_internal_type() in ("ForeignKey", "BigAutoField", "AutoField") \
                else f"\x00{i}"
            qs = qs.filter(**{name: stand_in})  # one filter() per field: parameters in this order
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if len(params) != len(self.fields):  # a shape this helper does not understand
            raise ValueError(f"Cannot prepare a lookup on {self.model.__name__} by {self.fields}.")
        # The default columns are the model's concrete fields, in order (what from_db expects).
        columns = [col for col, _, _ in compiler.select]
        fields = [col.target for col in columns]
        if fields != list(self.model._meta.concrete_fields):
            raise ValueError(f"Unexpected columns for {self.model.__name__}.")
        converters = []
        for index, col in enumerate(columns):
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((index, found, col))
        return _Prepared(sql, [f.attname for f in fields], converters)

    def get(self, *values, using: str = "default"):
        connection = connections[using]
        key = f"{using}:{connection.vendor}"
        prepared = self._prepared.get(key)
        if prepared is None:
            with self._lock:  # prepare once, even when several threads arrive together
                prepared = self._prepared.get(key)
                if prepared is None:
                    prepared = self._prepared[key] = self._prepare(using)
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, list(values))
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for index, converters, expression in prepared.converters:
            value = row[index]
            for converter in converters:
                value = converter(value, expression, connection)
            row[index] = value
        return self.model.from_db(using, prepared.attnames, row)
