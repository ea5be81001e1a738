"""Backfill the region anchors (decision 0006): orders, flags, complaints and settlement lines take the
region of the elder they name; a statement takes the county of its provider (statements made before the
split keep their lines; see the decision). Reverse empties the columns again."""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forward(apps: Any, schema_editor: Any) -> None:
    Elder = apps.get_model("elders", "Elder")
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(region_code="").update(
        region_code=Subquery(Elder.objects.filter(pk=OuterRef("elder_id")).values("region_id")[:1])
    )
    order_code = Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("region_code")[:1])
    for name in ("OrderFlag", "Complaint", "SettlementLine"):
        apps.get_model("orders", name).objects.filter(region_code="").update(region_code=order_code)
    Settlement = apps.get_model("orders", "Settlement")
    for s in Settlement.objects.filter(region_code="").select_related("provider"):
        codes = set(
            apps.get_model("orders", "SettlementLine")
            .objects.filter(settlement=s)
            .values_list("region_code", flat=True)
        )
        counties = {c[:6] for c in codes if c}
        county = counties.pop() if len(counties) == 1 else s.provider.region_id[:6]
        Settlement.objects.filter(pk=s.pk).update(region_code=county + "000000")


def backward(apps: Any, schema_editor: Any) -> None:
    for name in ("Order", "OrderFlag", "Complaint", "SettlementLine", "Settlement"):
        apps.get_model("orders", name).objects.update(region_code="")


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_region_code_anchor"), ("elders", "0005_exact_hash_indexes")]

    operations = [migrations.RunPython(forward, backward)]
