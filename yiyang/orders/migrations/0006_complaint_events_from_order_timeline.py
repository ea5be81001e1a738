"""Complaint moves used to be written as order-timeline rows with from == to == the order's status and
``data.complaint`` naming the complaint. Move them into the complaint's own timeline (reversible: the
order's status at the time is kept in ``data.order_status``)."""

from typing import Any

from django.db import migrations

# The reason's opening words tell which move a row recorded: (from, to) of the complaint.
MOVES = (
    ("收到投诉", "", "open"),
    ("受理投诉", "open", "handling"),
    ("投诉办结", "handling", "resolved"),
    ("投诉人不满意", "resolved", "handling"),
)


def _move(reason: str, data: dict[str, Any]) -> tuple[str, str]:
    for prefix, old, new in MOVES:
        if reason.startswith(prefix):
            return old, new
    return "", str(data.get("complaint_status", ""))


def forward(apps: Any, schema_editor: Any) -> None:
    OrderEvent = apps.get_model("orders", "OrderEvent")
    ComplaintEvent = apps.get_model("orders", "ComplaintEvent")
    Complaint = apps.get_model("orders", "Complaint")
    ids = dict(Complaint.objects.values_list("public_id", "pk"))
    by_text = {str(k): v for k, v in ids.items()}
    moved = []
    for event in OrderEvent.objects.filter(data__has_key="complaint").order_by("at", "pk").iterator():
        complaint_id = by_text.get(str(event.data.get("complaint")))
        if complaint_id is None:
            continue
        data = {k: v for k, v in event.data.items() if k not in ("complaint", "complaint_status")}
        data["order_status"] = event.to_status
        old, new = _move(event.reason, event.data)
        created = ComplaintEvent.objects.create(
            complaint_id=complaint_id,
            from_status=old,
            to_status=new,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            reason=event.reason,
            data=data,
        )
        ComplaintEvent.objects.filter(pk=created.pk).update(at=event.at)  # auto_now_add ignores a given value
        moved.append(event.pk)
    OrderEvent.objects.filter(pk__in=moved).delete()


def backward(apps: Any, schema_editor: Any) -> None:
    OrderEvent = apps.get_model("orders", "OrderEvent")
    ComplaintEvent = apps.get_model("orders", "ComplaintEvent")
    for event in ComplaintEvent.objects.select_related("complaint").order_by("at", "pk").iterator():
        data = dict(event.data)
        order_status = data.pop("order_status", "") or event.complaint.order.status
        created = OrderEvent.objects.create(
            order_id=event.complaint.order_id,
            from_status=order_status,
            to_status=order_status,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            reason=event.reason,
            data={
                "complaint": str(event.complaint.public_id),
                "category": event.complaint.category,
                "complaint_status": event.to_status,
                **{k: v for k, v in data.items() if k != "category"},
            },
        )
        OrderEvent.objects.filter(pk=created.pk).update(at=event.at)
    ComplaintEvent.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_transition_event_base")]

    operations = [migrations.RunPython(forward, backward)]
