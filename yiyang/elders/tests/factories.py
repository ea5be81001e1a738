"""Test helpers: synthetic valid ID numbers and elders."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from yiyang.core.identifiers import resident_id_check_char
from yiyang.elders.models import Elder
from yiyang.elders.services import elder_create

_seq = itertools.count(1)


def id_number(
    address: str = "321002", birth: date = date(1948, 3, 7), seq: int | None = None, sex: str = "F"
) -> str:
    n = next(_seq) if seq is None else seq
    order = (n % 499) * 2 + (1 if sex == "M" else 0)
    first17 = f"{address}{birth:%Y%m%d}{order:03d}"
    return first17 + resident_id_check_char(first17)


def phone(n: int | None = None) -> str:
    return f"139{(next(_seq) if n is None else n):08d}"


def make_elder(cast: Any, region: Any, **kw: Any) -> Elder:
    kw.setdefault("name", "测试老人")
    kw.setdefault("id_number", id_number())
    kw.setdefault("phone", phone())
    kw.setdefault("address", "扬州市广陵区文昌中路 100 号 3 幢 201 室")
    actor = cast.county_admin_a if region.code.startswith("321002") else cast.county_admin_b
    elder, _ = elder_create(actor=actor, region=region, **kw)
    return elder
