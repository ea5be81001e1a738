"""The ledger base is append-only: balance by sum, corrections by reversal entries, and every attempt
to rewrite or delete an entry is refused (by the model, its queryset and the services)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, models

from yiyang.core.errors import Conflict, DomainError
from yiyang.core.ledger import AppendOnly, LedgerEntry, ledger_balance, ledger_post, ledger_reverse


class TimeBankEntry(LedgerEntry):
    """A concrete ledger for the test only (an app label outside INSTALLED_APPS: no migration)."""

    UNIT = "minutes"
    elder_ref = models.CharField(max_length=40, blank=True)

    class Meta(LedgerEntry.Meta):
        app_label = "ledger_tests"


@pytest.fixture
def ledger(transactional_db: Any) -> Iterator[type[TimeBankEntry]]:
    with connection.schema_editor() as editor:
        editor.create_model(TimeBankEntry)
    yield TimeBankEntry
    with connection.schema_editor() as editor:
        editor.delete_model(TimeBankEntry)


def test_balance_is_the_sum_and_a_reversal_cancels_one_entry(ledger: type[TimeBankEntry], cast: Any) -> None:
    a = ledger_post(
        ledger, account="elder:1", amount=120, kind="service", actor=cast.county_admin_a, elder_ref="x"
    )
    ledger_post(ledger, account="elder:1", amount=-45, kind="redeem", actor=cast.county_admin_a)
    ledger_post(ledger, account="elder:2", amount=30, kind="service", actor=None)
    assert ledger_balance(ledger, "elder:1") == 75
    rev = ledger_reverse(a, memo="重复登记", actor=cast.county_admin_a)
    assert (rev.amount, rev.kind, rev.reversal_of.pk if rev.reversal_of else None, rev.elder_ref) == (
        -120,
        "reversal",
        a.pk,
        "x",
    )
    assert ledger_balance(ledger, "elder:1") == -45
    assert ledger_balance(ledger, "elder:2") == 30
    assert ledger.objects.count() == 4
    a.refresh_from_db()
    assert a.amount == 120 and a.is_reversed


def test_entries_can_be_neither_changed_nor_deleted(ledger: type[TimeBankEntry], cast: Any) -> None:
    entry = ledger_post(ledger, account="elder:1", amount=60, kind="service", actor=None)
    entry.amount = 600
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        ledger.objects.filter(pk=entry.pk).update(amount=600)
    with pytest.raises(AppendOnly):
        ledger.objects.filter(pk=entry.pk).delete()
    assert ledger.objects.get(pk=entry.pk).amount == 60
    assert ledger_balance(ledger, "elder:1") == 60


def test_reversal_is_once_only_and_never_of_a_reversal(ledger: type[TimeBankEntry], cast: Any) -> None:
    entry = ledger_post(ledger, account="elder:1", amount=60, kind="service", actor=None)
    rev = ledger_reverse(entry, memo="错记", actor=None)
    with pytest.raises(Conflict):
        ledger_reverse(entry, memo="再冲一次", actor=None)
    with pytest.raises(Conflict):
        ledger_reverse(rev, memo="冲销的冲销", actor=None)
    with pytest.raises(DomainError):
        ledger_reverse(entry, memo=" ", actor=None)
    assert ledger_balance(ledger, "elder:1") == 0
    assert ledger.objects.count() == 2


@pytest.mark.parametrize("amount", [0, 1.5, True])
def test_amounts_are_non_zero_integers(ledger: type[TimeBankEntry], amount: Any) -> None:
    with pytest.raises(DomainError):
        ledger_post(ledger, account="elder:1", amount=amount, kind="service", actor=None)
    with pytest.raises(DomainError):
        ledger_post(ledger, account="elder:1", amount=5, kind="reversal", actor=None)
    assert ledger.objects.count() == 0
