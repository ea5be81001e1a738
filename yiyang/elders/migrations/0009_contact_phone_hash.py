"""Blind index of contacts' phones (the hotline matches a relative calling), backfilled from the
encrypted phone in batches."""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    from yiyang.core.pii import decrypt
    from yiyang.elders.identity import phone_index

    ElderContact = apps.get_model("elders", "ElderContact")
    last = 0
    while True:
        rows = list(
            ElderContact.objects.filter(pk__gt=last).exclude(phone_enc="").order_by("pk")[:2000]
        )
        if not rows:
            break
        last = rows[-1].pk
        for row in rows:
            digits = decrypt(row.phone_enc).replace("-", "")
            row.phone_hash = phone_index(digits) if digits else ""
        ElderContact.objects.bulk_update(rows, ["phone_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("elders", "0008_timeline_actor_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="eldercontact",
            name="phone_hash",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddIndex(
            model_name="eldercontact",
            index=models.Index(fields=["phone_hash"], name="eldercontact_phone_hash"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
