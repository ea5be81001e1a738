"""An append-only ledger base: benefits (补贴), service credit and the time bank (minutes) each make a
concrete subclass of :class:`LedgerEntry`. An account's balance is the sum of its entries; a wrong
entry is never edited or deleted but cancelled by a reversal entry (the negated amount, pointing back
at the entry it cancels). See ``docs/decisions/0007-money.md``.

Writes go through :func:`ledger_post` and :func:`ledger_reverse`; the model itself refuses ``save()`` on
an existing row and ``delete()``, and its queryset refuses ``update()`` and ``delete()``, so nothing
outside these services can rewrite history either."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, TypeVar, cast

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Sum

from yiyang.core.errors import Conflict, DomainError


class AppendOnly(Conflict):
    """Someone tried to change or delete a ledger entry."""

    code = "append_only"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("账目只能追加，不能修改；请做冲销")

    def delete(self) -> Any:
        raise AppendOnly("账目只能追加，不能删除；请做冲销")

    def balance(self, account: str, *, at: datetime | None = None) -> int:
        rows = self.filter(account=account)
        if at is not None:
            rows = rows.filter(created_at__lte=at)
        return int(rows.aggregate(s=Sum("amount"))["s"] or 0)


class LedgerEntry(models.Model):
    """One signed movement on an account. ``amount`` is in the ledger's unit (``UNIT``: fen for money
    ledgers, minutes for the time bank); credits are positive, debits negative."""

    UNIT: ClassVar[str] = "fen"
    REVERSAL_KIND: ClassVar[str] = "reversal"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.CharField("账户", max_length=80, db_index=True)
    amount = models.BigIntegerField("金额")
    kind = models.CharField("类型", max_length=30)
    reversal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    memo = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("记账时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = LedgerQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnly("账目只能追加，不能修改；请做冲销")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("账目只能追加，不能删除；请做冲销")

    @property
    def is_reversed(self) -> bool:
        return hasattr(self, "reversed_by")


E = TypeVar("E", bound=LedgerEntry)


def ledger_post(
    model: type[E], *, account: str, amount: int, kind: str, memo: str = "", actor: Any, **fields: Any
) -> E:
    """Append one entry. ``amount`` must be a non-zero integer in the ledger's unit. The caller checks
    scope and writes its audit row in the same transaction (extra ``fields`` fill subclass columns)."""
    if not account:
        raise DomainError("请指定账户", code="validation_error", errors={"account": ["请指定账户"]})
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise DomainError(
            "金额应为非零整数", code="validation_error", errors={"amount": ["金额应为非零整数"]}
        )
    if kind == model.REVERSAL_KIND:
        raise DomainError(
            "冲销请使用冲销操作", code="validation_error", errors={"kind": ["冲销请使用冲销操作"]}
        )
    manager: Any = model.objects  # the concrete ledger's manager (typed loosely: E is only bound)
    return cast(
        E, manager.create(account=account, amount=amount, kind=kind, memo=memo[:300], actor=actor, **fields)
    )


def ledger_reverse(entry: E, *, memo: str, actor: Any) -> E:
    """Cancel ``entry`` with a new entry of the negated amount on the same account; once only, and a
    reversal is never itself reversed (post a new entry instead)."""
    if not memo.strip():
        raise DomainError("请填写冲销原因", code="validation_error", errors={"memo": ["请填写冲销原因"]})
    model: Any = type(entry)  # a concrete subclass; typed loosely (mypy cannot follow E's manager)
    if getattr(entry, "reversal_of_id", None) is not None:
        raise Conflict("冲销记录不能再冲销", code="illegal_reversal")
    extra = {
        f.attname: getattr(entry, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in _BASE_FIELDS and not f.primary_key
    }
    try:
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=entry.pk)
            if model.objects.filter(reversal_of=locked).exists():
                raise Conflict("该记录已冲销", code="duplicate")
            return cast(
                E,
                model.objects.create(
                    account=locked.account,
                    amount=-locked.amount,
                    kind=model.REVERSAL_KIND,
                    reversal_of=locked,
                    memo=memo.strip()[:300],
                    actor=actor,
                    **extra,
                ),
            )
    except IntegrityError as exc:
        raise Conflict("该记录已冲销", code="duplicate") from exc


def ledger_balance(model: type[LedgerEntry], account: str, *, at: datetime | None = None) -> int:
    """The account's balance: the sum of every entry (reversals included) up to ``at``."""
    return model.objects.balance(account, at=at)


_BASE_FIELDS = {
    "public_id",
    "account",
    "amount",
    "kind",
    "reversal_of_id",
    "memo",
    "created_at",
    "actor_id",
}
