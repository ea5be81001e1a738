"""Several small reads in one round trip.

``read_together({name: queryset.values(...)})`` runs each ``values()`` queryset and returns its rows as
dicts under its name. On PostgreSQL all of them go in **one** query (each part aggregated to a JSON array
by ``json_agg``, the SQL and parameters compiled by Django); elsewhere one query each. Either way the rows
come back typed as the ORM gives them: JSON carries timestamps, dates and UUIDs as text and decimals as
numbers, so the fields of those types are turned back into ``datetime`` / ``date`` / ``UUID`` /
``Decimal`` (decision 0019).

A part may be sliced (``[:1]`` of an ordered queryset picks the same row as the ORM would). The rows of a
part are not promised in order through ``json_agg``: sort them after the read where the order matters.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models

_PARSERS: tuple[tuple[type[models.Field[Any, Any]], Any], ...] = (
    (models.DateTimeField, datetime.fromisoformat),
    (models.DateField, date.fromisoformat),
    (models.UUIDField, uuid.UUID),
    (models.DecimalField, lambda value: Decimal(str(value))),
)


def _parsers(model: type[models.Model], names: tuple[str, ...]) -> dict[str, Any]:
    """The parser of each of ``names`` (fields of ``model``) whose JSON form is text (timestamps, dates,
    UUIDs) or a float (decimals)."""
    found: dict[str, Any] = {}
    meta = model._meta
    for name in names:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:  # an annotation or a path across a relation: left as JSON gives it
            continue
        for kind, parse in _PARSERS:
            if isinstance(field, kind):
                found[name] = parse
                break
    return found


# The SQL of ``SubjectRows`` reads, compiled once per process: (model, field, fields, alias) → SQL.
_COMPILED: dict[tuple[Any, ...], str] = {}
_MARK = -7_305_091_126  # a key no row has: compiling with it shows where the subject's key goes


class SubjectRows:
    """The rows of ``model`` whose ``field`` (an integer key, e.g. ``order_id``) equals ``value``, as
    ``values(*fields)`` in the model's ordering: the same read as that queryset, but its SQL compiled
    once per process (compiling such a read costs more than running it)."""

    def __init__(self, model: type[models.Model], field: str, value: int, fields: tuple[str, ...]) -> None:
        self.model, self.field, self.value, self.fields = model, field, int(value), tuple(fields)

    def queryset(self, value: int | None = None) -> models.QuerySet[Any, Any]:
        key = self.value if value is None else value
        return self.model._default_manager.filter(**{self.field: key}).values(*self.fields)

    def sql(self, using: str) -> tuple[str, tuple[Any, ...]]:
        key = (self.model, self.field, self.fields, using)
        sql = _COMPILED.get(key)
        if sql is None:
            sql, params = self.queryset(_MARK).query.sql_with_params()
            if tuple(params) != (_MARK,):  # not a plain one-key read: compiled each time, never cached
                return self.queryset().query.sql_with_params()
            _COMPILED[key] = sql
        return sql, (self.value,)


def read_together(
    parts: dict[str, models.QuerySet[Any, Any] | SubjectRows], *, using: str = "default"
) -> dict[str, list[Any]]:
    """The rows of each part (a ``values()`` queryset or ``SubjectRows``), by name (one query on
    PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {
            name: list(part.queryset() if isinstance(part, SubjectRows) else part)
            for name, part in parts.items()
        }
    rows: dict[str, list[Any]] = {name: [] for name in parts}
    selects: list[str] = []
    params: list[Any] = []
    live: list[tuple[str, type[models.Model], tuple[str, ...]]] = []
    for name, part in parts.items():
        if isinstance(part, SubjectRows):
            sql, ps = part.sql(using)
            live.append((name, part.model, part.fields))
        else:
            if part.query.is_empty():
                continue
            sql, ps = part.query.sql_with_params()  # its ordering kept: a sliced part needs it
            live.append((name, part.model, tuple(part.query.values_select)))
        selects.append(f"(SELECT COALESCE(json_agg(t), '[]') FROM ({sql}) t)")  # noqa: S608 (ORM-compiled)
        params.extend(ps)
    if not live:
        return rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        found = cursor.fetchone()
    for (name, model, names), values in zip(live, found, strict=True):
        parse = _parsers(model, names)
        for row in values:
            for key, parser in parse.items():
                if row.get(key) is not None:
                    row[key] = parser(row[key])
        rows[name] = values
    return rows
