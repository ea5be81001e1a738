"""Backfill the region anchors (decision 0006): assessments, their events and signatures, and external
results take the region of the elder they name. Reverse empties the columns again."""

from typing import Any

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forward(apps: Any, schema_editor: Any) -> None:
    Elder = apps.get_model("elders", "Elder")
    elder_code = Subquery(Elder.objects.filter(pk=OuterRef("elder_id")).values("region_id")[:1])
    for name in ("Assessment", "ExternalAssessmentResult"):
        apps.get_model("assessments", name).objects.filter(region_code="").update(region_code=elder_code)
    Assessment = apps.get_model("assessments", "Assessment")
    parent = Subquery(Assessment.objects.filter(pk=OuterRef("assessment_id")).values("region_code")[:1])
    for name in ("AssessmentEvent", "AssessmentSignature"):
        apps.get_model("assessments", name).objects.filter(region_code="").update(region_code=parent)


def backward(apps: Any, schema_editor: Any) -> None:
    for name in ("Assessment", "ExternalAssessmentResult", "AssessmentEvent", "AssessmentSignature"):
        apps.get_model("assessments", name).objects.update(region_code="")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_region_code_anchor"), ("elders", "0005_exact_hash_indexes")]

    operations = [migrations.RunPython(forward, backward)]
