"""State machines as tables (ARCHITECTURE rule 3).

A machine is a mapping ``{from_status: {to_status, ...}}``, defined only in each app's ``transitions.py``.
``transition`` performs a compare-and-swap ``UPDATE ... WHERE pk = ? AND status = old`` so two concurrent
movers can never both win, and writes the timeline row (a ``core.TransitionEvent`` subclass: from, to,
actor, reason, data) in the same transaction. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models.sql import InsertQuery, UpdateQuery

from yiyang.core.errors import Conflict
from yiyang.core.models import TransitionEvent


class IllegalTransition(Conflict):
    code = "illegal_transition"


class LostRace(Conflict):
    code = "concurrent_update"


class StateMachine:
    def __init__(
        self, edges: Mapping[str, set[str] | frozenset[str]], labels: Mapping[str, str] | None = None
    ):
        self.edges = {k: frozenset(v) for k, v in edges.items()}
        self.labels = dict(labels or {})

    def can(self, old: str, new: str) -> bool:
        return new in self.edges.get(old, frozenset())

    def targets(self, old: str) -> frozenset[str]:
        return self.edges.get(old, frozenset())

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def require(self, old: str, new: str) -> None:
        """Raise ``IllegalTransition`` naming both statuses by label unless ``old → new`` is an edge."""
        if not self.can(old, new):
            raise IllegalTransition(
                f"当前状态为「{self.label(old)}」，不能变更为「{self.label(new)}」",
                extra={"current_status": old},
            )


def actor_name(actor: Any) -> str:
    """How a timeline shows who acted: the display name, or 系统 for jobs and anonymous callers."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return str(getattr(actor, "display_name", "") or "系统")
    return str(getattr(actor, "display_name", "") or actor.username)


def timeline_write(
    *,
    timeline: type[TransitionEvent],
    subject: models.Model,
    old: str,
    new: str,
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> TransitionEvent:
    """Write one timeline row. ``transition`` calls it for every move; services call it directly only for
    a creation (``old=""``), which is not a move of an existing row."""
    row = timeline_row(
        timeline=timeline,
        subject=subject,
        old=old,
        new=new,
        actor=actor,
        reason=reason,
        data=data,
        extra=extra,
    )
    row.save(force_insert=True, using=router.db_for_write(timeline))
    return row


def timeline_row(
    *,
    timeline: type[TransitionEvent],
    subject: models.Model,
    old: str,
    new: str,
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> TransitionEvent:
    """The timeline row of a move, not yet saved (``timeline_write`` saves it; ``transition`` may write it
    in the same statement as the move)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return timeline(
        **{timeline.subject_name(): subject},
        from_status=old,
        to_status=new,
        actor=actor if authenticated else None,
        actor_name=actor_name(actor)[:150],
        reason=reason[:300],
        data=dict(data or {}),
        **(extra or {}),
    )


def transition(
    *,
    obj: models.Model,
    to: str,
    machine: StateMachine,
    timeline: type[TransitionEvent],
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    timeline_extra: Mapping[str, Any] | None = None,
    on_moved: Callable[[str, str], Any] | None = None,
    field: str = "status",
    updates: Mapping[str, Any] | None = None,
    rows: Sequence[models.Model] | None = None,
) -> models.Model:
    """Move ``obj`` to status ``to`` or raise ``IllegalTransition`` / ``LostRace`` (both HTTP 409).

    After the swap succeeded and in the same transaction, ``on_moved(old, new)`` runs for further effects
    (audit event, flags, outbox messages), then the timeline row (``timeline``: old → new, actor, reason,
    ``data``, plus ``timeline_extra`` columns) is written; ``data`` is read after ``on_moved``, so effects
    may add what they did to it. ``updates`` are extra columns set in the same
    UPDATE.

    ``rows`` (unsaved rows, e.g. the move's audit event): the timeline row and these rows are written
    together with the compare-and-swap — on PostgreSQL in the same statement (``WITH moved AS (UPDATE …
    RETURNING), … INSERT …``: one round trip), elsewhere right after the UPDATE — and ``on_moved`` runs
    after them, so it can no longer add to ``data``. A lost race rolls the rows back with the rest."""
    model = type(obj)
    # With ``rows`` the caller's transaction is the unit (no savepoint of its own: two round trips
    # fewer); a lost race or a refused insert propagates and rolls that transaction back.
    with transaction.atomic(using=router.db_for_write(model), savepoint=rows is None):
        old = getattr(obj, field)
        machine.require(old, to)
        values = {field: to, **(updates or {})}
        swap = model._default_manager.filter(pk=obj.pk, **{field: old})
        if rows is None:
            moved = swap.update(**values)
        else:
            written = [
                timeline_row(
                    timeline=timeline,
                    subject=obj,
                    old=old,
                    new=to,
                    actor=actor,
                    reason=reason,
                    data=data,
                    extra=timeline_extra,
                ),
                *rows,
            ]
            moved = _swap_and_insert(swap, values, written)
        if moved == 0:
            current = model._default_manager.filter(pk=obj.pk).values_list(field, flat=True).first()
            raise LostRace(
                f"该记录已被他人处理，当前状态为「{machine.label(str(current))}」，请刷新后重试",
                extra={"current_status": current},
            )
        for key, value in values.items():
            setattr(obj, key, value)
        if on_moved is not None:
            on_moved(old, to)
        if rows is None:
            timeline_write(
                timeline=timeline,
                subject=obj,
                old=old,
                new=to,
                actor=actor,
                reason=reason,
                data=data,
                extra=timeline_extra,
            )
    return obj


def _plain_insert(row: models.Model) -> bool:
    """A row that may be inserted without ``save()``: no ``save`` override and no auto primary key set."""
    return type(row).save is models.Model.save and row.pk is None


def _swap_and_insert(swap: models.QuerySet[Any], values: Mapping[str, Any], rows: list[models.Model]) -> int:
    """The compare-and-swap UPDATE of ``swap`` with ``values``, and the INSERT of ``rows`` (in the caller's
    transaction). On PostgreSQL one statement: the UPDATE and the INSERTs as data-modifying CTEs, SQL and
    parameters compiled by Django's own update and insert compilers (the same the ORM would send one by
    one). Returns the number of rows the UPDATE matched (0: the race was lost; the caller raises and its
    transaction takes the inserted rows back)."""
    alias = swap.db
    connection = connections[alias]
    if connection.vendor != "postgresql" or not all(_plain_insert(r) for r in rows):
        moved = swap.update(**values)
        if moved:
            for row in rows:
                row.save(force_insert=True, using=alias)
        return moved
    update: UpdateQuery = swap.query.chain(UpdateQuery)  # type: ignore[assignment]
    update.add_update_values(dict(values))
    update.annotations = {}
    compiler = update.get_compiler(alias)
    compiler.pre_sql_setup()
    update_sql, update_params = compiler.as_sql()
    ctes = [f"moved AS ({update_sql} RETURNING 1)"]
    params: list[Any] = list(update_params)
    selects = ["(SELECT count(*) FROM moved)"]
    qn = connection.ops.quote_name
    for n, row in enumerate(rows):
        meta = row._meta
        insert = InsertQuery(type(row))
        insert.insert_values([f for f in meta.local_concrete_fields if f is not meta.auto_field], [row])
        insert_compiler = insert.get_compiler(alias)
        insert_compiler.returning_fields = [meta.pk]
        ((insert_sql, insert_params),) = insert_compiler.as_sql()
        ctes.append(f"r{n} AS ({insert_sql})")
        params.extend(insert_params)
        selects.append(f"(SELECT {qn(str(meta.pk.column))} FROM r{n})")  # noqa: S608 (compiled by Django)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT {', '.join(selects)}", params)
        result = cursor.fetchone()
    moved = int(result[0])
    if moved:
        for row, pk in zip(rows, result[1:], strict=True):
            row.pk = pk
            row._state.adding = False
            row._state.db = alias
    return moved
