"""The 15-minute service circle as arithmetic: which points lie within a walking distance of a facility.

Pure functions over ``(lat, lng)`` pairs (WGS-84, metres by haversine): no database, so the same code serves
the pages, the API, the siting tool and ``bench/coverage.py``.

The spatial index is a uniform grid of cells at least ``distance_m`` wide (in both directions, at the
most poleward latitude indexed): every point within ``distance_m`` of a query point lies in the query's
cell or one of its eight neighbours, so a query reads nine dictionary buckets and measures only the
points in them exactly. :func:`covered_brute` is the baseline it is checked against (tests, bench).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from math import cos, floor, radians

from yiyang.core.geo import EARTH_RADIUS_M, haversine_m

METRES_PER_DEGREE = EARTH_RADIUS_M * 3.141592653589793 / 180.0  # along a meridian (≈ 111,195 m)

Point = tuple[float, float]
_NEIGHBOURS = [(0, 0), (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


class GridIndex:
    """Points bucketed by grid cell, for "any / which points within ``distance_m`` of here"."""

    def __init__(self, points: Sequence[Point], distance_m: float) -> None:
        if distance_m <= 0:
            raise ValueError("distance_m must be positive")
        self.points = list(points)
        self.distance_m = float(distance_m)
        top = max((abs(lat) for lat, _ in self.points), default=0.0)
        # whole degrees, with at least one of margin for queries just poleward of the points
        top = min(floor(top) + 2.0, 85.0)
        self.lat_step = distance_m / METRES_PER_DEGREE
        self.lng_step = distance_m / (METRES_PER_DEGREE * cos(radians(top)))
        self._outer = (self.distance_m * 1.005) ** 2
        self._inner = (self.distance_m * 0.995) ** 2
        self.cells: dict[tuple[int, int], list[int]] = {}
        for i, (lat, lng) in enumerate(self.points):
            self.cells.setdefault(self.cell(lat, lng), []).append(i)

    def cell(self, lat: float, lng: float) -> tuple[int, int]:
        return floor(lat / self.lat_step), floor(lng / self.lng_step)

    def _near(self, lat: float, lng: float) -> Iterator[int]:
        row, col = self.cell(lat, lng)
        cells = self.cells
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                bucket = cells.get((row + dr, col + dc))
                if bucket:
                    yield from bucket

    def _close(self, lat: float, lng: float, plat: float, plng: float, k: float) -> bool:
        """Within the distance? A flat-earth estimate decides clear cases (its error at these distances is
        far below the 0.5 % band kept around the limit); the band is measured by haversine."""
        dy = (lat - plat) * METRES_PER_DEGREE
        dx = (lng - plng) * k
        flat = dx * dx + dy * dy
        if flat > self._outer:
            return False
        if flat < self._inner:
            return True
        return haversine_m(lat, lng, plat, plng) <= self.distance_m

    def any_within(self, lat: float, lng: float) -> bool:
        # the hot loop of coverage: ``_near`` and ``_close`` written out in place
        points, cells, outer, inner = self.points, self.cells, self._outer, self._inner
        k = METRES_PER_DEGREE * cos(radians(lat))
        row, col = floor(lat / self.lat_step), floor(lng / self.lng_step)
        for dr, dc in _NEIGHBOURS:
            bucket = cells.get((row + dr, col + dc))
            if not bucket:
                continue
            for i in bucket:
                plat, plng = points[i]
                dy = (lat - plat) * METRES_PER_DEGREE
                dx = (lng - plng) * k
                flat = dx * dx + dy * dy
                if flat > outer:
                    continue
                if flat < inner or haversine_m(lat, lng, plat, plng) <= self.distance_m:
                    return True
        return False

    def within(self, lat: float, lng: float) -> list[int]:
        """Indexes of the indexed points within the distance of ``(lat, lng)``."""
        points = self.points
        k = METRES_PER_DEGREE * cos(radians(lat))
        return [i for i in self._near(lat, lng) if self._close(lat, lng, *points[i], k)]


def covered_flags(elders: Sequence[Point], facilities: Sequence[Point], distance_m: float) -> list[bool]:
    """For each elder, whether a facility lies within ``distance_m`` (grid index)."""
    if not facilities:
        return [False] * len(elders)
    index = GridIndex(facilities, distance_m)
    return [index.any_within(lat, lng) for lat, lng in elders]


def covered_brute(elders: Sequence[Point], facilities: Sequence[Point], distance_m: float) -> list[bool]:
    """The same answer by measuring every elder against every facility (the baseline)."""
    return [any(haversine_m(lat, lng, f[0], f[1]) <= distance_m for f in facilities) for lat, lng in elders]


@dataclass
class Tally:
    """One community's elders: all on the register, those with a located home, those within reach."""

    elders: int = 0
    located: int = 0
    covered: int = 0

    @property
    def uncovered(self) -> int:
        return self.elders - self.covered

    @property
    def share(self) -> float | None:
        return round(self.covered / self.elders, 4) if self.elders else None


def tally_by_region(
    elders: Iterable[tuple[str, float | None, float | None]], facilities: Sequence[Point], distance_m: float
) -> tuple[dict[str, Tally], list[tuple[str, float, float]]]:
    """Per region code (the elder's finest region): counts of elders, located and covered; plus the
    located elders left uncovered ``(code, lat, lng)``, which the siting tool works from. An elder
    without a located home counts among the elders and is never covered (it cannot be shown to be)."""
    index = GridIndex(facilities, distance_m) if facilities else None
    tallies: dict[str, Tally] = {}
    uncovered: list[tuple[str, float, float]] = []
    for code, lat, lng in elders:
        tally = tallies.get(code)
        if tally is None:
            tally = tallies[code] = Tally()
        tally.elders += 1
        if lat is None or lng is None:
            continue
        tally.located += 1
        if index is not None and index.any_within(lat, lng):
            tally.covered += 1
        else:
            uncovered.append((code, lat, lng))
    return tallies, uncovered


def bounding_box(points: Iterable[Point], margin_m: float) -> tuple[float, float, float, float] | None:
    """``(min_lat, max_lat, min_lng, max_lng)`` of the points widened by ``margin_m`` (a SQL prefilter
    for the facilities that can matter); ``None`` for no points."""
    lats: list[float] = []
    lngs: list[float] = []
    for lat, lng in points:
        lats.append(lat)
        lngs.append(lng)
    if not lats:
        return None
    top = min(max(abs(min(lats)), abs(max(lats))) + 1.0, 85.0)
    d_lat = margin_m / METRES_PER_DEGREE
    d_lng = margin_m / (METRES_PER_DEGREE * cos(radians(top)))
    return min(lats) - d_lat, max(lats) + d_lat, min(lngs) - d_lng, max(lngs) + d_lng
