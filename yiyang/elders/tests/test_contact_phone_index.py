"""Contacts' phones carry the phone blind index (the hotline recognises a relative calling): set on save
and on import (new and re-imported contacts), recomputed by the data migration for older rows."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from yiyang.core.pii import encrypt
from yiyang.elders.identity import phone_index
from yiyang.elders.importing import run_import
from yiyang.elders.models import ElderContact
from yiyang.elders.tests.factories import id_number
from yiyang.elders.tests.test_import_export import row, write_csv

pytestmark = pytest.mark.django_db


def test_import_sets_and_updates_the_contact_phone_index(cast: Any, tmp_path: Path) -> None:
    number = id_number()
    first = row(cast, 身份证号=number, 紧急联系人姓名="周明", 紧急联系人电话="13712345678", 与老人关系="儿子")
    run_import(write_csv(tmp_path / "a.csv", [first]), actor=cast.county_admin_a)
    contact = ElderContact.objects.get()
    assert contact.phone_hash == phone_index("13712345678") and contact.relation == "son"
    again = {**first, "紧急联系人电话": "0514-87654321"}
    run_import(write_csv(tmp_path / "b.csv", [again]), actor=cast.county_admin_a)
    contact.refresh_from_db()
    assert contact.phone_hash == phone_index("051487654321")


def test_migration_backfills_contacts_saved_before_the_index(cast: Any) -> None:
    from yiyang.elders.tests.factories import make_elder

    elder = make_elder(cast, cast.community_a1)
    old = ElderContact.objects.create(elder=elder, name="周明", phone_enc=encrypt("13700009999"))
    empty = ElderContact.objects.create(elder=elder, name="无电话")
    migration = importlib.import_module("yiyang.elders.migrations.0009_contact_phone_hash")
    migration.backfill(apps, None)
    old.refresh_from_db()
    empty.refresh_from_db()
    assert old.phone_hash == phone_index("13700009999") and empty.phone_hash == ""


def test_reindex_command_recomputes_contact_phone_indexes(cast: Any) -> None:
    import io

    from django.core.management import call_command

    from yiyang.elders.tests.factories import make_elder

    elder = make_elder(cast, cast.community_a1)
    contact = ElderContact.objects.create(
        elder=elder, name="周明", phone_enc=encrypt("13700008888"), phone_hash="0" * 32
    )
    call_command("rotate_elder_keys", "--reindex", stdout=io.StringIO())
    contact.refresh_from_db()
    assert contact.phone_hash == phone_index("13700008888")
