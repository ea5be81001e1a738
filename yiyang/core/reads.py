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


def _parsers(queryset: models.QuerySet[Any, Any]) -> dict[str, Any]:
    """For a ``values()`` queryset: the parser of each field whose JSON form is text (timestamps, dates)."""
    found: dict[str, Any] = {}
    meta = queryset.model._meta
    for name in queryset.query.values_select:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:  # an annotation or a path across a relation: left as JSON gives it
            continue
        for kind, parse in _PARSERS:
            if isinstance(field, kind):
                found[name] = parse
                break
    return found


def read_together(
    parts: dict[str, models.QuerySet[Any, Any]], *, using: str = "default"
) -> dict[str, list[Any]]:
    """The rows of each ``values()`` queryset in ``parts``, by name (one query on PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {name: list(qs) for name, qs in parts.items()}
    live = {name: qs for name, qs in parts.items() if not qs.query.is_empty()}
    rows: dict[str, list[Any]] = {name: [] for name in parts}
    if not live:
        return rows
    selects: list[str] = []
    params: list[Any] = []
    for qs in live.values():
        sql, ps = qs.query.sql_with_params()  # its ordering kept: a sliced part needs it
        selects.append(f"(SELECT COALESCE(json_agg(t), '[]') FROM ({sql}) t)")  # noqa: S608 (ORM-compiled)
        params.extend(ps)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        found = cursor.fetchone()
    for (name, qs), values in zip(live.items(), found, strict=True):
        parse = _parsers(qs)
        for row in values:
            for key, parser in parse.items():
                if row.get(key) is not None:
                    row[key] = parser(row[key])
        rows[name] = values
    return rows
