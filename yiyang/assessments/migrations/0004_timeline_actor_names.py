"""Fill the new ``actor_name`` of existing timeline rows from the actor (display name, else login)."""

from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("assessments", "assessmentevent")
    for event in Event.objects.filter(actor__isnull=False, actor_name="").select_related("actor").iterator():
        event.actor_name = (event.actor.display_name or event.actor.username)[:150]
        event.save(update_fields=["actor_name"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_transition_event_base")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
