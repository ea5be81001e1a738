"""Test helpers: the default programmes in the cast's city, elders born on a given day, runs."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiyang.benefits.services import programme_seed_defaults
from yiyang.elders.tests.factories import id_number, make_elder
from yiyang.regions.scope import SYSTEM


def make_programmes(cast: Any, *, first_month: str = "2026-01") -> None:
    programme_seed_defaults(
        actor=SYSTEM, region_code=cast.city.code, valid_from="2026-01", first_month=first_month
    )


def elder_born(cast: Any, region: Any, birth: date, **kw: Any) -> Any:
    address = region.code[:6]
    return make_elder(cast, region, id_number=id_number(address=address, birth=birth), **kw)
