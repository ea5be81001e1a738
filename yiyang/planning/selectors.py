"""Reads of the elderly-care map, the 15-minute service circle and siting, scoped by ``planning.view``.

Coverage is physical: an elder in the region is covered by any community service facility within the
walking distance, wherever that facility is registered (a station just across a county border serves
the border's elders). Only counts leave this module for facilities outside the caller's scope; names
and positions of facilities are shown for the caller's scope only. Elders are never shown one by one:
the map aggregates them per region and per grid cell (cells with fewer than ``MIN_CELL`` elders are not
drawn, their elders stay in the region totals).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from yiyang.core.geo import wgs84_to_gcj02
from yiyang.core.policy import policy_value
from yiyang.core.regioncodes import normalize_region_code, scope_prefix
from yiyang.elders.choices import ElderStatus
from yiyang.elders.selectors import elder_list
from yiyang.planning.coverage import METRES_PER_DEGREE, Tally, bounding_box, tally_by_region
from yiyang.planning.policies import BEDS_NORM, WALK_DISTANCE
from yiyang.providers.choices import OrgType
from yiyang.providers.selectors import facility_list, service_areas
from yiyang.regions.models import Region
from yiyang.regions.scope import SYSTEM

VIEW = "planning.view"
# The facilities of the 15-minute circle: community home-care services (not care homes, home-service
# firms or clinics, which serve from afar or by admission).
COMMUNITY_TYPES = (OrgType.COMPREHENSIVE_CENTRE, OrgType.DAY_CARE, OrgType.STATION, OrgType.CANTEEN)
MIN_CELL = 5  # fewest elders a density cell must hold to be drawn
DENSITY_CELL_M = 500
OPEN_ORDER_STATUSES = ("created", "dispatched", "accepted", "declined", "checked_in", "checked_out")
_CHILD_LEN = {"province": 4, "city": 6, "county": 9, "town": 12, "village": 12}


def region_get(*, user: Any, code: str) -> Region | None:
    """The region of ``code`` (2/4/6/9/12 digits) if it exists and lies in the user's scope, else None."""
    try:
        full = normalize_region_code(str(code))
    except (TypeError, ValueError):
        return None
    return Region.objects.restrict(user, VIEW).filter(code=full).select_related("parent").first()


def region_home(*, user: Any) -> Region | None:
    """The widest region of the user's ``planning.view`` scope (the map opens there)."""
    if getattr(user, "is_superuser", False):
        return Region.objects.filter(level="city").order_by("code").first()
    prefixes = user.scope_prefixes(VIEW)
    if not prefixes:
        return None
    return Region.objects.filter(code=prefixes[0].ljust(12, "0")).first()


def walk_distance(region_code: str) -> int:
    return policy_value(WALK_DISTANCE, region_code)


def beds_norm(region_code: str) -> int:
    return policy_value(BEDS_NORM, region_code)


def _elders(user: Any, prefix: str) -> QuerySet[Any]:
    return (
        elder_list(user=user, perm=VIEW)
        .filter(region__code__startswith=prefix, status=ElderStatus.ACTIVE)
        .order_by()
    )


def community_facilities(bbox: tuple[float, float, float, float] | None) -> list[tuple[float, float]]:
    """Positions of every community service facility within ``bbox`` (all regions, see the module doc)."""
    if bbox is None:
        return []
    min_lat, max_lat, min_lng, max_lng = bbox
    rows = facility_list(user=SYSTEM).filter(
        organisation__org_type__in=COMMUNITY_TYPES,
        lat__isnull=False,
        lng__isnull=False,
        lat__gte=min_lat,
        lat__lte=max_lat,
        lng__gte=min_lng,
        lng__lte=max_lng,
    )
    return [
        (float(lat), float(lng))
        for lat, lng in rows.values_list("lat", "lng")
        if lat is not None and lng is not None
    ]


@dataclass
class CoverageReport:
    region: Region
    distance_m: int
    tallies: dict[str, Tally]
    uncovered_points: list[tuple[str, float, float]]
    regions: dict[str, Region] = field(default_factory=dict)

    @property
    def elders(self) -> int:
        return sum(t.elders for t in self.tallies.values())

    @property
    def located(self) -> int:
        return sum(t.located for t in self.tallies.values())

    @property
    def covered(self) -> int:
        return sum(t.covered for t in self.tallies.values())

    @property
    def share(self) -> float | None:
        return round(self.covered / self.elders, 4) if self.elders else None

    def by_child(self) -> dict[str, Tally]:
        """Tallies summed per child region of the report's region (its streets for a county…)."""
        length = _CHILD_LEN[self.region.level]
        out: dict[str, Tally] = {}
        for code, tally in self.tallies.items():
            key = code[:length].ljust(12, "0")
            total = out.setdefault(key, Tally())
            total.elders += tally.elders
            total.located += tally.located
            total.covered += tally.covered
        return out

    def community_rows(self) -> list[dict[str, Any]]:
        """Every community with elders: name, street, counts and share; the least covered first."""
        rows: list[dict[str, Any]] = []
        for code, tally in self.tallies.items():
            region = self.regions.get(code)
            parent = region.parent if region is not None else None
            rows.append(
                {
                    "code": code,
                    "name": region.name if region is not None else code,
                    "town": parent.name
                    if parent is not None and region and region.level == "village"
                    else "",
                    "elders": tally.elders,
                    "located": tally.located,
                    "covered": tally.covered,
                    "uncovered": tally.uncovered,
                    "share": tally.share,
                }
            )
        rows.sort(key=lambda r: (-r["uncovered"], r["code"]))
        return rows

    def uncovered_communities(self) -> list[dict[str, Any]]:
        """The gaps: communities with at least one elder not within reach (API entries, see api.md)."""
        return [
            {
                "code": r["code"],
                "name": r["name"],
                "town": r["town"],
                "elders": r["elders"],
                "covered": r["covered"],
                "uncovered": r["uncovered"],
                "share": r["share"],
            }
            for r in self.community_rows()
            if r["uncovered"] > 0
        ]


def coverage_report(*, user: Any, region: Region, distance_m: int) -> CoverageReport:
    """Who in ``region`` (already checked to be in the user's scope) lives within ``distance_m`` of a
    community service facility. Two queries for the elders and facilities: a bounding-box prefilter in
    SQL, then the grid index (``yiyang.planning.coverage``) in Python."""
    prefix = scope_prefix(region.code)
    rows = list(_elders(user, prefix).values_list("region_id", "lat", "lng"))
    box = bounding_box(
        ((lat, lng) for _, lat, lng in rows if lat is not None and lng is not None), distance_m
    )
    facilities = community_facilities(box)
    tallies, uncovered = tally_by_region(rows, facilities, distance_m)
    regions = {r.code: r for r in Region.objects.filter(code__in=list(tallies)).select_related("parent")}
    return CoverageReport(region, distance_m, tallies, uncovered, regions)


# --- beds against the plan's norm ------------------------------------------------------------------------


def beds_rows(*, user: Any, region: Region) -> list[dict[str, Any]]:
    """Beds per 1,000 elders for the region and each of its counties (care homes and every facility with
    beds, registered there), against the norm in force."""
    prefix = scope_prefix(region.code)
    level = region.level
    if level in {"town", "village"}:  # facilities register with their county: judge at county level
        prefix = prefix[:6]
    units: list[Region] = [Region.objects.get(code=prefix.ljust(12, "0"))]
    if level in {"province", "city"}:
        units += list(Region.objects.filter(parent_id=units[0].code, level="county").order_by("code"))
    elders = Counter[str]()
    for code, n in (
        _elders(user, prefix).values_list("region_id").annotate(n=Count("pk")).values_list("region_id", "n")
    ):
        elders[code[:6]] += n
    beds = Counter[str]()
    facilities = facility_list(user=user, perm=VIEW).filter(organisation__region__code__startswith=prefix)
    for code, ordinary, nursing, dementia in facilities.values_list(
        "organisation__region_id", "beds_ordinary", "beds_nursing", "beds_dementia"
    ):
        beds[code[:6]] += ordinary + nursing + dementia
    out = []
    for unit in units:
        p = scope_prefix(unit.code)
        n_elders = sum(v for k, v in elders.items() if k.startswith(p))
        n_beds = sum(v for k, v in beds.items() if k.startswith(p))
        norm = beds_norm(unit.code)
        per_1000 = round(n_beds * 1000 / n_elders, 1) if n_elders else None
        out.append(
            {
                "region": unit,
                "elders": n_elders,
                "beds": n_beds,
                "per_1000": per_1000,
                "norm": norm,
                "needed": max(0, -(-norm * n_elders // 1000) - n_beds),
                "meets": per_1000 is not None and per_1000 >= norm,
            }
        )
    return out


# --- the map ---------------------------------------------------------------------------------------------


def _shifted(lat: float, lng: float) -> list[float]:
    """A stored WGS-84 point as ``[lng, lat]`` in GCJ-02, the datum the outlines are drawn in."""
    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    return [round(g_lng, 6), round(g_lat, 6)]


def _density(report: CoverageReport, user: Any) -> tuple[list[list[float]], int]:
    prefix = scope_prefix(report.region.code)
    step = DENSITY_CELL_M / METRES_PER_DEGREE
    cells = Counter[tuple[int, int]]()
    for lat, lng in (
        _elders(user, prefix).filter(lat__isnull=False, lng__isnull=False).values_list("lat", "lng")
    ):
        cells[(int(lat // step), int(lng // step))] += 1
    shown: list[list[float]] = []
    hidden = 0
    for (row, col), n in sorted(cells.items()):
        if n < MIN_CELL:
            hidden += n
            continue
        shown.append([*_shifted((row + 0.5) * step, (col + 0.5) * step), n])
    return shown, hidden


def _counts_by_child(codes: list[tuple[str, int]], length: int) -> Counter[str]:
    out = Counter[str]()
    for code, n in codes:
        out[code[:length].ljust(12, "0")] += n
    return out


def map_payload(*, user: Any, region: Region, distance_m: int) -> dict[str, Any]:
    """What the map page draws for ``region``: the outlines to show, one bubble per child region (towns
    and communities have no boundary data: their bubbles sit at their centres, marked 示意), density
    cells, facilities by type, providers' service areas, open alarms and open orders per child region."""
    from yiyang.devices.selectors import alarms_live
    from yiyang.orders.selectors import order_list
    from yiyang.providers.choices import OrgType as Types

    report = coverage_report(user=user, region=region, distance_m=distance_m)
    prefix = scope_prefix(region.code)
    level = region.level
    length = _CHILD_LEN[level]
    by_child = report.by_child()
    child_level = {"province": "city", "city": "county", "county": "town"}.get(level, "village")
    children = list(
        Region.objects.restrict(user, VIEW)
        .filter(code__startswith=prefix, level=child_level)
        .order_by("code")
    )
    if level == "village":
        children = [region]
    # Centres: a community's own; a street's the mean of its communities'.
    villages = Region.objects.filter(code__startswith=prefix, level="village", lat__isnull=False)
    centres: dict[str, list[tuple[float, float]]] = {}
    for code, lat, lng in villages.values_list("code", "lat", "lng"):
        if lat is not None and lng is not None:
            centres.setdefault(code[:length].ljust(12, "0"), []).append((lat, lng))
    alarms = Counter[str]()
    if user.has_perm("alarms.view"):
        live = alarms_live(user=user).filter(region_code__startswith=prefix).order_by()
        alarms = _counts_by_child(list(live.values_list("region_code").annotate(n=Count("pk"))), length)
    orders = Counter[str]()
    if user.has_perm("orders.view"):
        open_orders = order_list(user=user).filter(
            region_code__startswith=prefix, status__in=OPEN_ORDER_STATUSES
        )
        orders = _counts_by_child(
            list(open_orders.order_by().values_list("region_code").annotate(n=Count("pk", distinct=True))),
            length,
        )
    areas = service_areas(user=user, perm=VIEW)
    items = []
    for child in children:
        tally = by_child.get(child.code, Tally())
        pts = centres.get(child.code, [])
        position = (
            _shifted(sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts else None
        )
        child_prefix = scope_prefix(child.code)
        serving = sorted(
            {name for name, _, codes in areas if any(child_prefix.startswith(scope_prefix(c)) for c in codes)}
        )
        items.append(
            {
                "code": child.gb_code,
                "name": child.name,
                "level": child.level,
                "position": position,
                "elders": tally.elders,
                "covered": tally.covered,
                "share": tally.share,
                "alarms": alarms.get(child.code, 0),
                "orders": orders.get(child.code, 0),
                "providers": serving,
                "drill": child.level != "village",
            }
        )
    type_labels = dict(Types.choices)
    facilities = []
    county_prefix = prefix if len(prefix) <= 6 else prefix[:6]
    for f in (
        facility_list(user=user, perm=VIEW)
        .filter(organisation__region__code__startswith=county_prefix, lat__isnull=False, lng__isnull=False)
        .values_list(
            "name", "organisation__org_type", "lat", "lng", "beds_ordinary", "beds_nursing", "beds_dementia"
        )
    ):
        name, org_type, lat, lng, b1, b2, b3 = f
        facilities.append(
            {
                "name": name,
                "type": str(type_labels.get(org_type, org_type)),
                "community": org_type in COMMUNITY_TYPES,
                "value": _shifted(float(lat or 0), float(lng or 0)),  # filtered: never None here
                "beds": b1 + b2 + b3,
            }
        )
    density, hidden = _density(report, user)
    outline = sorted(
        {c.code[:6] for c in children if c.level == "county"}
        if level in {"province", "city"}
        else {prefix[:6]}
    )
    return {
        "region": {"code": region.gb_code, "name": region.name, "level": region.level},
        "distance_m": distance_m,
        "outline": outline,
        "children": items,
        "density": density,
        "density_hidden": hidden,
        "min_cell": MIN_CELL,
        "facilities": facilities,
        "layers": {"alarms": user.has_perm("alarms.view"), "orders": user.has_perm("orders.view")},
        "totals": {
            "elders": report.elders,
            "located": report.located,
            "covered": report.covered,
            "share": report.share,
            "alarms": sum(alarms.values()),
            "orders": sum(orders.values()),
        },
        "uncovered": [
            {**row, "code": row["code"], "position": _centre(report.regions.get(row["code"]))}
            for row in report.uncovered_communities()[:100]
        ],
    }


def _centre(region: Region | None) -> list[float] | None:
    if region is None or region.lat is None or region.lng is None:
        return None
    return _shifted(region.lat, region.lng)


# --- siting ----------------------------------------------------------------------------------------------

CANDIDATE_KINDS = {"community": "社区中心", "grid": "未覆盖老人聚集网格"}
EXACT_MAX_CANDIDATES = 80


def siting_proposal(
    *, user: Any, region: Region, n: int, distance_m: int, kinds: list[str]
) -> dict[str, Any]:
    """Propose ``n`` new community facility sites in ``region`` covering the most elders left uncovered
    by today's facilities (greedy), with the optimum for small cases (branch and bound) and the coverage
    before and after."""
    from yiyang.planning.siting import Candidate, cover_sets, demand_weights, exact, greedy, grid_candidates

    report = coverage_report(user=user, region=region, distance_m=distance_m)
    prefix = scope_prefix(region.code)
    candidates: list[Candidate] = []
    if "community" in kinds:
        for code, name, lat, lng in (
            Region.objects.filter(
                code__startswith=prefix, level="village", lat__isnull=False, lng__isnull=False
            )
            .order_by("code")
            .values_list("code", "name", "lat", "lng")
        ):
            if lat is not None and lng is not None:
                candidates.append(Candidate(f"{name}中心", lat, lng, "community", code))
    if "grid" in kinds:
        candidates += grid_candidates(report.uncovered_points, distance_m)
    demand, weights = demand_weights([(lat, lng) for _, lat, lng in report.uncovered_points])
    covers = cover_sets(candidates, demand, distance_m)
    proposal = greedy(covers, weights, n)
    useful = sum(1 for c in covers if c)
    optimum = exact(covers, weights, n, node_budget=20_000) if useful <= EXACT_MAX_CANDIDATES else None
    names = {
        r.code: r
        for r in Region.objects.filter(
            code__in={candidates[i].region_code for i in proposal.chosen}
        ).select_related("parent")
    }
    sites = []
    running = report.covered
    for rank, (i, gain) in enumerate(zip(proposal.chosen, proposal.gains, strict=True), start=1):
        c = candidates[i]
        running += gain
        place = names.get(c.region_code)
        sites.append(
            {
                "rank": rank,
                "label": c.label,
                "kind": CANDIDATE_KINDS[c.kind],
                "community": place.name if place is not None else "",
                "town": place.parent.name if place is not None and place.parent is not None else "",
                "lat": round(c.lat, 5),
                "lng": round(c.lng, 5),
                "map": _shifted(c.lat, c.lng),
                "gain": gain,
                "covered_after": running,
            }
        )
    after = report.covered + proposal.covered
    return {
        "region": region,
        "n": n,
        "distance_m": distance_m,
        "kinds": kinds,
        "elders": report.elders,
        "located": report.located,
        "before": report.covered,
        "after": after,
        "share_before": report.share,
        "share_after": round(after / report.elders, 4) if report.elders else None,
        "uncovered_located": len(report.uncovered_points),
        "candidates": len(candidates),
        "useful_candidates": useful,
        "sites": sites,
        "greedy_total": proposal.covered,
        "optimum": optimum.optimum if optimum is not None else None,
        "optimum_checked": optimum is not None,
        "gap": (optimum.optimum - proposal.covered)
        if optimum is not None and optimum.optimum is not None
        else None,
        "optimum_nodes": optimum.nodes if optimum is not None else 0,
    }
