from yiyang.core.testing import ApiScopeCase, register_api
from yiyang.orders.tests.factories import make_provider, uscc
from yiyang.providers.models import Organisation


def _body(cast, region):
    return {"name": "新机构", "uscc": uscc(99999), "org_type": "station", "region": region.code}


register_api(
    ApiScopeCase(
        basename="provider",
        make=lambda cast, region: make_provider(region),
        create=_body,
        count=Organisation.objects.count,
    )
)
