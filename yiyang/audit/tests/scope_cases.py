from yiyang.audit.models import AuditEvent
from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page


def _make(cast, region):
    return AuditEvent.objects.create(
        region=region,
        event="test.event",
        actor_username="someone",
        object_type="test.object",
        object_id=f"obj-{region.code}",
    )


register_api(ApiScopeCase(basename="audit-event", make=_make))
register_page(PageScopeCase(name="audit:event", make=_make, url=lambda e: f"/audit/{e.public_id}/"))

from yiyang.core.testing import FilterCase, register_filter  # noqa: E402

for _param, _value in [
    ("actor", lambda c, e: e.actor_username),
    ("event", lambda c, e: e.event),
    ("object_type", lambda c, e: e.object_type),
    ("object_id", lambda c, e: e.object_id),
    ("since", lambda c, e: "2000-01-01T00:00:00+08:00"),
    ("until", lambda c, e: "2099-01-01T00:00:00+08:00"),
]:
    register_filter(FilterCase(basename="audit-event", param=_param, value=_value))
