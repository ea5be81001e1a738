"""WGS-84 ⇄ GCJ-02 against the pairs published with the eviltransform reference implementation."""

from __future__ import annotations

import pytest

from yiyang.core.geo import gcj02_to_wgs84, haversine_m, out_of_china, wgs84_to_gcj02

PAIRS = [  # (WGS-84 lat, lng), (GCJ-02 lat, lng)
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize("wgs,gcj", PAIRS)
def test_wgs84_to_gcj02_matches_the_published_pairs(wgs, gcj) -> None:
    lat, lng = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lng == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize("wgs,gcj", PAIRS)
def test_gcj02_to_wgs84_recovers_the_published_wgs84_point(wgs, gcj) -> None:
    lat, lng = gcj02_to_wgs84(*gcj)
    assert haversine_m(lat, lng, *wgs) < 0.01  # under a centimetre


def test_the_shift_in_yangzhou_is_about_half_a_kilometre_and_none_abroad() -> None:
    lat, lng = wgs84_to_gcj02(32.394, 119.452)
    assert 400 < haversine_m(32.394, 119.452, lat, lng) < 700
    assert out_of_china(51.5, -0.12)
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
