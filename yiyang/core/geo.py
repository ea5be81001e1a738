"""Great-circle distance on the WGS-84 mean radius (metres)."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lng2 - lng1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(a)))


def distance_text(metres: float | int | None) -> str:
    """A distance as people read it: metres up to 1,000 m, then kilometres with one decimal
    ("850 米", "4.4 公里"); empty for an unknown distance."""
    if metres is None:
        return ""
    m = round(float(metres))
    if m < 1000:
        return f"{m} 米"
    km = f"{m / 1000:.1f}".removesuffix(".0")
    return f"{km} 公里"
