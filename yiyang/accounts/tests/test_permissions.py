import pytest

from yiyang.accounts.roles import PERMISSIONS, ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_every_role_has_permissions_from_the_vocabulary():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    for role, perms in ROLE_PERMISSIONS.items():
        assert set(perms) <= set(PERMISSIONS), role
        assert set(perms.values()) <= {"region", "own"}, role


def test_scope_prefixes_follow_grants(cast):
    assert cast.county_admin_a.scope_prefixes("elders.view") == ["321002"]
    assert cast.street_worker_a1.scope_prefixes("elders.view") == ["321002001"]
    assert cast.community_worker_a1.scope_prefixes("elders.view") == ["321002001001"]
    assert cast.auditor.scope_prefixes("audit.view") == ["3210"]
    assert cast.nobody.scope_prefixes("elders.view") == []


def test_own_scope_roles_get_no_region_prefix(cast):
    assert cast.caregiver.scope_prefixes("orders.view") == []
    assert cast.caregiver.has_own_scope("orders.view")
    assert cast.family.has_own_scope("elders.view")


def test_has_perm_comes_from_grants(cast):
    assert cast.county_admin_a.has_perm("audit.view")
    assert not cast.caregiver.has_perm("audit.view")
    assert not cast.nobody.has_perm("regions.view")
