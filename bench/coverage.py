"""Benchmark: the 15-minute service circle at province size — which of N elders live within a walking
distance of one of M community facilities — with the grid index (``yiyang.planning.coverage``) over all
elders, against the brute-force pass (every elder measured against every facility) on a random sample of
them, in the same run. Prints both rates, the ratio, the brute-force time extrapolated to all elders and
whether the two agree on the sample.

The data is synthetic and seeded: elders clustered around settlements spread over a Jiangsu-sized box
(30.8–35.0°N, 116.4–121.8°E), facilities placed near settlements. What is timed is the computation the
coverage API and pages run after their two SQL reads (elders, facilities in the bounding box); the reads
are not part of it.

    .venv/bin/python bench/coverage.py --elders 1000000 --facilities 5000 --sample 2000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from yiyang.planning.coverage import GridIndex, covered_brute, tally_by_region  # noqa: E402

BOX = (30.8, 35.0, 116.4, 121.8)


def synthetic(
    elders: int, facilities: int, seed: int
) -> tuple[list[tuple[str, float, float]], list[tuple[float, float]]]:
    rng = random.Random(seed)
    min_lat, max_lat, min_lng, max_lng = BOX
    settlements = [
        (rng.uniform(min_lat, max_lat), rng.uniform(min_lng, max_lng)) for _ in range(max(1, elders // 500))
    ]
    people = []
    for i in range(elders):
        lat0, lng0 = settlements[rng.randrange(len(settlements))]
        people.append((f"c{i % 5000}", lat0 + rng.gauss(0, 0.012), lng0 + rng.gauss(0, 0.014)))
    sites = []
    for _ in range(facilities):
        lat0, lng0 = settlements[rng.randrange(len(settlements))]
        sites.append((lat0 + rng.gauss(0, 0.008), lng0 + rng.gauss(0, 0.009)))
    return people, sites


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=1_000_000)
    parser.add_argument("--facilities", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=2_000, help="elders measured by brute force")
    parser.add_argument("--distance", type=int, default=1000, help="walking distance (m)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    t0 = time.perf_counter()
    people, sites = synthetic(args.elders, args.facilities, args.seed)
    made = time.perf_counter() - t0

    t0 = time.perf_counter()
    index = GridIndex(sites, args.distance)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    tallies, _uncovered = tally_by_region(people, sites, args.distance)
    indexed = time.perf_counter() - t0
    covered = sum(t.covered for t in tallies.values())

    rng = random.Random(args.seed + 1)
    sample = rng.sample(people, min(args.sample, len(people)))
    points = [(lat, lng) for _, lat, lng in sample]
    t0 = time.perf_counter()
    brute = covered_brute(points, sites, args.distance)
    brute_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast = [index.any_within(lat, lng) for lat, lng in points]
    sample_indexed = time.perf_counter() - t0
    agree = brute == fast

    per_indexed = indexed / len(people) * 1e6
    per_brute = brute_s / len(points) * 1e6
    print(f"coverage: {len(people):,} elders, {len(sites):,} facilities, walking distance {args.distance} m")
    print(
        f"  synthetic data made in {made:.1f} s; grid index of the facilities built in {built * 1000:.0f} ms"
    )
    print(
        f"  grid index, all elders:       {indexed:7.2f} s  ({per_indexed:7.2f} µs per elder)  "
        f"covered {covered:,} ({covered / len(people):.1%}), {len(tallies):,} communities"
    )
    print(
        f"  brute force, {len(points):,} sampled:  {brute_s:7.2f} s  ({per_brute:7.2f} µs per elder)  "
        f"→ all elders ≈ {per_brute * len(people) / 1e6:,.0f} s"
    )
    print(
        f"  grid index on the same sample: {sample_indexed * 1000:.0f} ms; answers agree: {'yes' if agree else 'NO'}"
    )
    print(f"  ratio brute force / grid index per elder: {per_brute / per_indexed:,.0f}×")
    print(
        "  reproduce: .venv/bin/python bench/coverage.py "
        f"--elders {args.elders} --facilities {args.facilities} --sample {args.sample} --distance {args.distance}"
    )
    if not agree:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
