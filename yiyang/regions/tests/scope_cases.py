from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page
from yiyang.regions.models import Region


def _make(cast, region):  # the case's "object" is a region of its own under the given community's town
    town = region.parent
    code = town.code[:9] + "099"
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"name": "测试社区", "level": "village", "parent": town}
    )
    return obj


register_api(ApiScopeCase(basename="region", make=_make, lookup=lambda r: r.gb_code))
register_page(PageScopeCase(name="regions:region", make=_make, url=lambda r: f"/regions/{r.gb_code}/"))

from yiyang.core.testing import FilterCase, register_filter  # noqa: E402

for _param, _value in [
    ("level", lambda c, r: r.level),
    ("parent", lambda c, r: r.parent.code),
    ("q", lambda c, r: r.name),
]:
    register_filter(FilterCase(basename="region", param=_param, value=_value))
