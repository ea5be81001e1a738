from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date

from yiyang.core.identifiers import age_on, parse_resident_id
from yiyang.elders.demo import synthetic_people


@dataclass
class Place:
    code: str
    name: str
    lat: float = 32.39
    lng: float = 119.45


PLACES = [Place("321002001001", "文昌社区"), Place("321003001001", "汶河社区")]
TODAY = date(2026, 11, 23)


def people(n: int, seed: int = 3) -> list[dict]:
    return list(synthetic_people(random.Random(seed), PLACES, n, today=TODAY, faker_seed=seed))


def test_population_is_deterministic_with_valid_unique_ids() -> None:
    a, b = people(300), people(300)
    assert [p["id_number"] for p in a] == [p["id_number"] for p in b]
    assert [p["name"] for p in a] == [p["name"] for p in b]
    numbers = [p["id_number"] for p in a]
    assert len(set(numbers)) == len(numbers)
    for p in a:
        rid = parse_resident_id(p["id_number"])
        assert rid.birth_date == p["birth_date"] and rid.sex == p["sex"]


def test_population_has_realistic_shares() -> None:
    crowd = people(4000)
    n = len(crowd)
    ages = [age_on(p["birth_date"], TODAY) for p in crowd]
    assert min(ages) >= 60
    assert 0.12 <= sum(a >= 80 for a in ages) / n <= 0.18
    living = Counter(p["living_situation"] for p in crowd)
    assert 0.09 <= living["alone"] / n <= 0.15 and 0.35 <= living["empty_nest"] / n <= 0.45
    cats = Counter(c["category"] for p in crowd for c in p["categories"])
    assert 0.045 <= cats["disabled"] / n <= 0.075 and 0.03 <= cats["dibao"] / n <= 0.05
    assert any(p["id_number"][:6] in {"321027", "321026", "321011"} for p in crowd)  # some revoked codes
    assert all(abs(p["lat"] - 32.39) < 0.05 for p in crowd)  # clustered around the community
