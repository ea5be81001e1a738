from yiyang.audit.models import AuditEvent
from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page


def _make(cast, region):
    return AuditEvent.objects.create(region=region, event="test.event", actor_username="someone")


register_api(ApiScopeCase(basename="audit-event", make=_make))
register_page(PageScopeCase(name="audit:event", make=_make, url=lambda e: f"/audit/{e.public_id}/"))
