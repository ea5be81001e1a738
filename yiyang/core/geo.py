"""Great-circle distance on the WGS-84 mean radius (metres), and the WGS-84 ⇄ GCJ-02 datum shift.

Datum stored: every coordinate the platform keeps (elders' homes, facilities, caregivers' posts, region
centres, check-in positions) is **WGS-84**, as a phone's GPS reports it and as the caregiver's navigation
link states (``coordinate=wgs84``). Distances are computed between stored WGS-84 points. GCJ-02 (the
datum Chinese web maps and the map outlines derived from them are drawn in) is used only to draw points
over such outlines (:func:`wgs84_to_gcj02`), and to read a point someone copied from such a map
(:func:`gcj02_to_wgs84`). See docs/decisions/0017-map-coverage-and-siting.md.
"""

from __future__ import annotations

from math import asin, cos, fabs, pi, radians, sin, sqrt

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


# --- WGS-84 ⇄ GCJ-02 ----------------------------------------------------------------------------------
# The published GCJ-02 algorithm (Krasovsky 1940 ellipsoid constants); inside mainland China only.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def out_of_china(lat: float, lng: float) -> bool:
    """Outside the rectangle where the GCJ-02 shift is applied (coordinates stay as they are)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x))
    d_lat += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * sin(y / 12.0 * pi) + 320 * sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x))
    d_lng += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lng += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lng += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1 - _GCJ_EE * sin(rad) ** 2
    sqrt_magic = sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    d_lng = (d_lng * 180.0) / (_GCJ_A / sqrt_magic * cos(rad) * pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A WGS-84 point as GCJ-02 ``(lat, lng)`` (unchanged outside China)."""
    if out_of_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _shift(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """A GCJ-02 point back to WGS-84 ``(lat, lng)``: the forward shift inverted by fixed-point iteration
    (to well under a millimetre; the shift has no closed-form inverse)."""
    if out_of_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _ in range(30):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        e_lat, e_lng = g_lat - lat, g_lng - lng
        w_lat, w_lng = w_lat - e_lat, w_lng - e_lng
        if fabs(e_lat) < 1e-10 and fabs(e_lng) < 1e-10:
            break
    return w_lat, w_lng
