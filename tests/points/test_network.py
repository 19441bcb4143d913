"""The closure model: exact against brute force, explained, and fast enough to re-solve on a click."""

from __future__ import annotations

import csv
import itertools
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import highspy
import numpy as np
import pytest

from coordination.points import network
from coordination.points.distances import distance_km, distance_matrix_km, to_d96tm
from coordination.points.network import (
    Finding,
    Municipality,
    Network,
    Point,
    Reason,
    Rules,
    cost_text,
    describe,
    explanation_text,
    precheck_text,
    reason_text,
)

MUNICIPALITIES_CSV = Path(__file__).parents[2] / "coordination" / "data" / "municipalities.csv"


def point(pid: int, visits: int, municipality: str, region: str, lat: float, lon: float, months: float = 10) -> Point:
    return Point(pid, f"DIT-{pid:03d}", visits, months, municipality, region, lat, lon)


# --- Distances -----------------------------------------------------------------------------------
# Reference values: D96/TM coordinates from PROJ (pyproj 3.7, EPSG:4326 -> EPSG:3794) and geodesic
# distances on the WGS 84 ellipsoid from Karney's geographiclib 2.1, computed once and written here.


@pytest.mark.parametrize(
    ("lat", "lon", "easting", "northing"),
    [
        (46.0511, 14.5051, 461702.5665, 101374.6900),
        (46.5547, 15.6459, 549526.2061, 157431.4737),
        (45.42, 13.38, 373217.6542, 32395.0900),
        (46.88, 16.61, 622710.7360, 194645.8609),
        (46.0, 15.0, 500000.0, 95576.3177),
    ],
)
def test_projection_matches_the_national_grid(lat: float, lon: float, easting: float, northing: float) -> None:
    e, n = to_d96tm(lat, lon)
    assert abs(float(e) - easting) < 0.001
    assert abs(float(n) - northing) < 0.001


@pytest.mark.parametrize(
    ("a", "b", "geodesic_km"),
    [
        ((46.0511, 14.5051), (46.5547, 15.6459), 104.198590),  # Ljubljana - Maribor
        ((45.42, 13.38), (46.88, 16.61), 297.621445),  # corners of Slovenia's bounding box
        ((45.5, 15.0), (45.5, 15.5), 39.078969),
        ((46.0511, 14.5051), (46.0611, 14.5051), 1.111524),
    ],
)
def test_grid_distance_is_within_two_hundredths_of_a_percent_of_the_geodesic(
    a: tuple[float, float], b: tuple[float, float], geodesic_km: float
) -> None:
    assert distance_km(*a, *b) == pytest.approx(geodesic_km, rel=2e-4)


def test_distance_matrix_rows_are_the_first_places() -> None:
    matrix = distance_matrix_km([46.0, 46.5], [14.5, 15.6], [46.0, 46.5, 46.0], [14.5, 15.6, 14.6])
    assert matrix.shape == (2, 3)
    assert matrix[0, 0] == 0 and matrix[1, 1] == 0
    assert matrix[0, 1] == pytest.approx(matrix[1, 0])
    assert matrix[0, 2] == pytest.approx(distance_km(46.0, 14.5, 46.0, 14.6))


# --- Brute force ---------------------------------------------------------------------------------


@dataclass
class Case:
    points: list[Point]
    municipalities: list[Municipality]
    rules: Rules


def random_case(rng: random.Random) -> Case:
    """Up to 18 points in 2–4 regions on a 45 km square, so radii of 3–30 km matter; every rule at random.

    Thresholds and population limits often equal a point's average or a population, to test the boundaries.
    """
    regions = [f"Regija {c}" for c in "ABCD"[: rng.randint(2, 4)]]
    municipalities = [
        Municipality(
            f"SI-{k:03d}",
            f"Občina {k}",
            rng.choice(regions),
            rng.uniform(45.9, 46.3),
            rng.uniform(14.3, 14.9),
            rng.choice([800, 5_000, 12_000, 25_000, 60_000]),
        )
        for k in range(rng.randint(2, 6))
    ]
    tie_prone = rng.random() < 0.3
    points = []
    for pid in range(1, rng.randint(1, 18) + 1):
        muni = rng.choice(municipalities)
        visits = rng.choice([0, 12, 24, 60]) if tie_prone else rng.randint(0, 600)
        lat, lon = muni.lat + rng.uniform(-0.08, 0.08), muni.lon + rng.uniform(-0.1, 0.1)
        points.append(point(pid, visits, muni.code, muni.region, lat, lon, months=rng.choice([6, 12])))
    if not any(p.visits for p in points):
        points[0] = point(1, 30, points[0].municipality, points[0].region, points[0].lat, points[0].lon)
    return Case(points, municipalities, random_rules(rng, points, regions))


def random_rules(rng: random.Random, points: list[Point], regions: list[str]) -> Rules:
    ids = [p.id for p in points]
    pinned_open: set[int] = set()
    pinned_closed: set[int] = set()
    if rng.random() < 0.35:
        pinned_open = set(rng.sample(ids, rng.randint(0, min(2, len(ids)))))
        pinned_closed = set(rng.sample(ids, rng.randint(0, min(3, len(ids)))))
        if rng.random() < 0.8:
            pinned_closed -= pinned_open
    close_count: int | None = None
    threshold: float | None = None
    if rng.random() < 0.6:
        close_count = rng.randint(0, len(points))
    else:
        threshold = rng.choice([p.monthly for p in points]) if rng.random() < 0.5 else rng.uniform(0, 80)
    overrides = {r: rng.randint(0, 3) for r in regions if rng.random() < 0.3}
    return Rules(
        close_count=close_count,
        threshold=threshold,
        region_min=rng.choice([0, 1, 1, 2]),
        region_min_overrides=overrides,
        coverage_km=rng.uniform(5, 30) if rng.random() < 0.4 else None,
        population_over=rng.choice([1_000, 5_000, 12_000, 30_000]) if rng.random() < 0.4 else None,
        retention=rng.random() < 0.45,
        retention_share=rng.choice([0.5, round(rng.random(), 2)]),
        retention_km=rng.uniform(3, 15),
        pinned_open=frozenset(pinned_open),
        pinned_closed=frozenset(pinned_closed),
    )


@dataclass
class Enumeration:
    closed: np.ndarray  # number of closed points, per subset
    lost: np.ndarray  # visits lost per month, per subset
    feasible_but_count: np.ndarray  # obeys every rule except how many close
    feasible: np.ndarray


def enumerate_plans(case: Case) -> Enumeration:
    """Every open/closed choice at once: row s of `is_open` is the binary expansion of s.

    Written from the rules as the module docstring states them, without the module's model.
    """
    points, rules = case.points, case.rules
    n = len(points)
    subsets = np.arange(2**n, dtype=np.int64)
    is_open = ((subsets[:, None] >> np.arange(n)) & 1).astype(bool)
    monthly = np.array([p.monthly for p in points])
    ok = np.ones(2**n, dtype=bool)
    for i, p in enumerate(points):
        if p.id in rules.pinned_open:
            ok &= is_open[:, i]
        if p.id in rules.pinned_closed:
            ok &= ~is_open[:, i]
        if rules.threshold is not None and p.monthly >= rules.threshold and p.id not in rules.pinned_closed:
            ok &= is_open[:, i]
    for region in {p.region for p in points}:
        members = [i for i, p in enumerate(points) if p.region == region]
        ok &= is_open[:, members].sum(axis=1) >= min(rules.region_floor(region), len(members))
    for muni in case.municipalities:
        if rules.population_over is not None and muni.population > rules.population_over:
            members = [i for i, p in enumerate(points) if p.municipality == muni.code]
            if members:
                ok &= is_open[:, members].any(axis=1)
        if rules.coverage_km is not None:
            reach = [
                i for i, p in enumerate(points) if distance_km(muni.lat, muni.lon, p.lat, p.lon) <= rules.coverage_km
            ]
            ok &= is_open[:, reach].any(axis=1)
    closed = (~is_open).sum(axis=1)
    lost = (~is_open * monthly).sum(axis=1)
    if rules.retention:
        lats, lons = [p.lat for p in points], [p.lon for p in points]
        near = distance_matrix_km(lats, lons, lats, lons) <= rules.retention_km
        np.fill_diagonal(near, False)
        has_open_neighbour = (is_open.astype(np.float32) @ near.T.astype(np.float32)) > 0
        lost = lost - rules.retention_share * (~is_open & has_open_neighbour) @ monthly
    feasible = ok & (closed == rules.close_count) if rules.close_count is not None else ok
    return Enumeration(closed, lost, ok, feasible)


def best(plans: Enumeration, threshold_mode: bool) -> tuple[int, float] | None:
    """(closed, lost) of the best plan: least lost, or in threshold mode most closed then least lost."""
    if not plans.feasible.any():
        return None
    closed, lost = plans.closed[plans.feasible], plans.lost[plans.feasible]
    if threshold_mode:
        most = closed.max()
        return int(most), float(lost[closed == most].min())
    return int(closed[lost.argmin()]), float(lost.min())


CASES = 400


def test_the_solver_agrees_with_enumerating_every_subset() -> None:
    rng = random.Random(20240401)
    used = {"close_count": 0, "threshold": 0, "overrides": 0, "coverage": 0, "population": 0, "retention": 0, "pins": 0}
    verdicts = {"feasible": 0, "infeasible": 0, "n>=16": 0}
    started = time.perf_counter()
    for case_number in range(CASES):
        case = random_case(rng)
        rules = case.rules
        net = Network(case.points, case.municipalities)
        solution = net.solve(rules)
        plans = enumerate_plans(case)
        expected = best(plans, rules.threshold is not None)
        context = f"case {case_number}: {rules}"
        if expected is None:
            assert solution.status == "infeasible", context
            assert not solution.has_plan, context
            verdicts["infeasible"] += 1
        else:
            assert solution.status == "optimal", context
            assert solution.lost_monthly == pytest.approx(expected[1], rel=1e-7, abs=1e-6), context
            assert len(solution.closed_ids) == expected[0] or rules.threshold is None, context
            chosen = sum(1 << i for i, p in enumerate(case.points) if p.id not in solution.closed_ids)
            assert plans.feasible[chosen], context
            assert plans.lost[chosen] == pytest.approx(solution.lost_monthly, abs=1e-6), context
            verdicts["feasible"] += 1
        pre = net.precheck(rules)
        if pre.max_closable is not None and plans.feasible_but_count.any():
            most = int(plans.closed[plans.feasible_but_count].max())
            assert pre.max_closable == most if pre.exact else pre.max_closable >= most, context
        verdicts["n>=16"] += len(case.points) >= 16
        used["close_count"] += rules.close_count is not None
        used["threshold"] += rules.threshold is not None
        used["overrides"] += bool(rules.region_min_overrides)
        used["coverage"] += rules.coverage_km is not None
        used["population"] += rules.population_over is not None
        used["retention"] += rules.retention
        used["pins"] += bool(rules.pinned_open or rules.pinned_closed)
    print(f"\n{CASES} brute-force cases in {time.perf_counter() - started:.1f} s; rules used {used}; {verdicts}")
    assert min(used.values()) >= 60
    assert verdicts["feasible"] >= 150 and verdicts["infeasible"] >= 30 and verdicts["n>=16"] >= 40


def test_region_floors_alone_match_closing_the_least_visited_points_greedily() -> None:
    """With only region floors, closing the least visited point that its region can spare is optimal."""
    rng = random.Random(7)
    for _ in range(60):
        regions = [f"R{k}" for k in range(rng.randint(1, 6))]
        munis = [Municipality(f"SI-{k:03d}", f"O{k}", r, 46.0, 14.5, 1000) for k, r in enumerate(regions)]
        points = [
            point(pid, rng.randint(0, 900), m.code, m.region, 46.0 + rng.random(), 14.5 + rng.random())
            for pid, m in enumerate(rng.choices(munis, k=rng.randint(5, 60)), start=1)
        ]
        floors = {r: rng.randint(0, 4) for r in regions}
        keep = sum(min(floors[r], sum(p.region == r for p in points)) for r in regions)
        close_count = rng.randint(0, len(points) - keep)
        open_in = {r: sum(p.region == r for p in points) for r in regions}
        greedy_lost = 0.0
        closed = 0
        for p in sorted(points, key=lambda p: p.monthly):
            if closed < close_count and open_in[p.region] > floors[p.region]:
                open_in[p.region] -= 1
                greedy_lost += p.monthly
                closed += 1
        solution = Network(points, munis).solve(Rules(close_count=close_count, region_min_overrides=floors))
        assert solution.status == "optimal"
        assert solution.lost_monthly == pytest.approx(greedy_lost)
        assert solution.bound_monthly == pytest.approx(greedy_lost)


# --- Pre-check -----------------------------------------------------------------------------------


def small_country() -> tuple[list[Point], list[Municipality]]:
    """Zasavska: 4 points in 2 municipalities; Osrednjeslovenska: 6 in Ljubljana, 1 in Osilnica's far corner."""
    municipalities = [
        Municipality("SI-129", "Trbovlje", "Zasavska", 46.155, 15.053, 16_000),
        Municipality("SI-142", "Zagorje ob Savi", "Zasavska", 46.134, 14.996, 16_500),
        Municipality("SI-061", "Ljubljana", "Osrednjeslovenska", 46.051, 14.506, 295_000),
        Municipality("SI-071", "Osilnica", "Osrednjeslovenska", 45.529, 14.698, 350),
    ]
    points = [
        point(1, 40, "SI-129", "Zasavska", 46.155, 15.053),
        point(2, 90, "SI-129", "Zasavska", 46.160, 15.060),
        point(3, 150, "SI-142", "Zasavska", 46.134, 14.996),
        point(4, 200, "SI-142", "Zasavska", 46.130, 14.990),
        point(5, 30, "SI-061", "Osrednjeslovenska", 46.051, 14.506),
        point(6, 100, "SI-061", "Osrednjeslovenska", 46.060, 14.510),
        point(7, 500, "SI-061", "Osrednjeslovenska", 46.040, 14.490),
        point(8, 410, "SI-061", "Osrednjeslovenska", 46.070, 14.530),
        point(9, 350, "SI-061", "Osrednjeslovenska", 46.030, 14.520),
        point(10, 60, "SI-061", "Osrednjeslovenska", 46.055, 14.480),
        point(11, 20, "SI-071", "Osrednjeslovenska", 45.560, 14.700),
    ]
    return points, municipalities


def test_precheck_explains_region_floors_with_numbers() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    rules = Rules(close_count=9, region_min_overrides={"Zasavska": 2})
    pre = net.precheck(rules)
    assert pre.max_closable == 8 and pre.exact and not pre.feasible
    zasavska = next(f for f in pre.findings if f.kind == "region_keeps" and f.region == "Zasavska")
    assert zasavska.numbers["points"] == 4 and zasavska.numbers["keep"] == 2
    sentences = precheck_text(pre)
    assert sentences[0] == "Zapreti bi bilo treba 9 točk, pravila pa dovolijo zapreti največ 8."
    assert "Regija Zasavska ima 4 točke in mora obdržati 2." in sentences
    assert "Skupaj je mogoče zapreti največ 8 točk od 11." in sentences
    assert "Region Zasavska has 4 points and must keep 2." in precheck_text(pre, "en")
    solution = net.solve(rules)
    assert solution.status == "infeasible" and solution.solve_ms == 0 and not solution.has_plan


def test_precheck_counts_pins_threshold_and_population_into_the_bound() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    # Ljubljana (>20,000) keeps one point, which the pin on 5 already is; 7, 8, 9 (35+ a month) stay by the
    # threshold; Zasavska must keep 2: Trbovlje and Zagorje are under 20,000.
    rules = Rules(threshold=35, population_over=20_000, region_min=2, pinned_open={5})
    pre = net.precheck(rules)
    region = {f.region: f.numbers for f in pre.findings if f.kind == "region_keeps"}
    assert region["Osrednjeslovenska"]["keep"] == 4
    assert region["Zasavska"]["keep"] == 2
    assert pre.max_closable == 5
    assert net.solve(rules).closed_ids == (1, 2, 6, 10, 11)
    assert "Točk pod pragom (35 obiskov na mesec): 7; pravila dovolijo zapreti največ 5." in precheck_text(pre)


def test_contradictory_pins_are_explained_before_solving() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    cases = {
        "region_short": Rules(close_count=4, pinned_closed={1, 2, 3, 4}),
        "pins_exceed_count": Rules(close_count=1, pinned_closed={1, 5}),
        "pin_conflict": Rules(close_count=1, pinned_open={5}, pinned_closed={5}),
        "municipality_pins": Rules(close_count=2, population_over=100, pinned_closed={11}),
        "seat_pins": Rules(close_count=1, coverage_km=10, pinned_closed={11}),
    }
    for kind, rules in cases.items():
        solution = net.solve(rules)
        fatal = [f for f in solution.findings if f.fatal]
        assert [f.kind for f in fatal] == [kind], kind
        assert solution.status == "infeasible" and solution.solve_ms == 0
    short = next(f for f in net.precheck(cases["region_short"]).findings if f.fatal)
    assert describe(short) == "Regija Zasavska ima 4 točke in mora obdržati 1, a število ročno zaprtih je 4."
    assert describe(short, "en") == "Region Zasavska has 4 points and must keep 1, but 4 are pinned closed."
    seat = next(f for f in net.precheck(cases["seat_pins"]).findings if f.fatal)
    assert describe(seat) == "Vse točke v 10 km od sedeža občine Osilnica so ročno določene za zaprtje."


def test_a_seat_without_any_point_in_reach_is_a_contradiction() -> None:
    points, munis = small_country()
    solution = Network(points, munis).solve(Rules(close_count=0, coverage_km=3))
    fatal = [f for f in solution.findings if f.fatal]
    assert [f.kind for f in fatal] == ["seat_uncovered"]
    assert fatal[0].municipality == "Osilnica"
    assert describe(fatal[0]) == "Sedež občine Osilnica nima nobene točke v 3 km (najbližja je 3,4 km stran)."


def test_coverage_bound_is_an_estimate_and_the_solver_gives_the_true_one() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    # Within 20 km Osilnica's seat reaches only point 11: it must stay although the region floor would let it go.
    rules = Rules(close_count=9, region_min=0, coverage_km=20)
    pre = net.precheck(rules)
    assert pre.feasible and not pre.exact and pre.max_closable == 11
    solution = net.solve(rules)
    assert solution.status == "infeasible"
    finding = next(f for f in solution.findings if f.kind == "solver_infeasible")
    assert finding.numbers["max_closable"] == 8  # Zasavska, Ljubljana and Osilnica each keep one
    assert describe(finding) == "Vsa pravila skupaj dovolijo zapreti največ 8 točk, zapreti pa bi jih bilo treba 9."
    assert net.solve(Rules(close_count=8, region_min=0, coverage_km=20)).status == "optimal"


def test_a_window_without_visits_is_rejected() -> None:
    points, munis = small_country()
    silent = [Point(p.id, p.code, 0, p.months, p.municipality, p.region, p.lat, p.lon) for p in points]
    solution = Network(silent, munis).solve(Rules(close_count=3))
    assert solution.status == "rejected"
    assert describe(solution.findings[0]).startswith("V izbranem obdobju ni imela obiskov nobena od 11 točk")


def test_bad_data_and_rules_raise() -> None:
    points, munis = small_country()
    with pytest.raises(ValueError, match="exactly one"):
        Rules()
    with pytest.raises(ValueError, match="exactly one"):
        Rules(close_count=3, threshold=10)
    with pytest.raises(ValueError, match="not in the network"):
        Network(points, munis).precheck(Rules(close_count=1, pinned_open={99}))
    wrong_region = [*points[:-1], point(11, 20, "SI-071", "Zasavska", 45.56, 14.7)]
    with pytest.raises(ValueError, match="municipality's region"):
        Network(wrong_region, munis)
    with pytest.raises(ValueError, match="unique"):
        Network([*points, points[0]], munis)


# --- Solving ---------------------------------------------------------------------------------------


def test_threshold_mode_closes_as_many_as_allowed_then_loses_least() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    # Under 10 a month: 1 (4), 2 (9), 5 (3), 10 (6), 11 (2). Zasavska must keep 2 of 1..4 and 3 (15) and
    # 4 (20) stay by the threshold, so 1 and 2 may both close; everything under 10 closes.
    solution = net.solve(Rules(threshold=10, region_min=2))
    assert solution.closed_ids == (1, 2, 5, 10, 11)
    assert solution.lost_monthly == pytest.approx(24.0)
    # With retention, closing more still comes first, whatever is retained.
    retained = net.solve(Rules(threshold=10, region_min=2, retention=True, retention_km=3))
    assert retained.closed_ids == (1, 2, 5, 10, 11)
    # Within 3 km: 5 has 6 (1.0 km), 10 has 7 (1.8 km); 1 and 2 are 5 km from 3 and 4, 11 is alone.
    assert retained.lost_monthly == pytest.approx(24.0 - 0.5 * (3 + 6))


def test_retention_keeps_a_share_only_near_an_open_point() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    rules = Rules(close_count=2, region_min=0, retention=True, retention_share=0.6, retention_km=10)
    solution = net.solve(rules)
    # Closing 11 (2 a month, nobody within 10 km) loses 2; closing 5 (3) or 1 (4) keeps 60 %: 1.2 and 1.6.
    assert solution.closed_ids == (1, 5)
    assert solution.lost_monthly == pytest.approx(2.8)
    assert solution.lost_window == pytest.approx(28.0)
    without = net.solve(replace(rules, retention=False))
    assert without.closed_ids == (5, 11) and without.lost_monthly == pytest.approx(5.0)


def test_a_time_limit_is_never_reported_as_optimal() -> None:
    points, munis = synthetic_country(1000, seed=3)
    net = Network(points, munis)
    rules = Rules(close_count=270, coverage_km=25, population_over=20_000, retention=True, time_limit_s=0)
    solution = net.solve(rules)
    assert solution.status == "time_limit"
    assert solution.gap != 0


def test_a_plan_found_before_the_time_limit_is_returned_with_its_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS stopping on time with a plan in hand: the plan comes back, marked time_limit, never optimal."""

    class StoppedOnTime(highspy.Highs):
        def getModelStatus(self) -> highspy.HighsModelStatus:  # noqa: N802 - HiGHS's name
            return highspy.HighsModelStatus.kTimeLimit

    monkeypatch.setattr(highspy, "Highs", StoppedOnTime)
    points, munis = small_country()
    solution = Network(points, munis).solve(Rules(close_count=3))
    assert solution.status == "time_limit"
    assert solution.has_plan and len(solution.closed_ids) == 3
    assert solution.gap is not None and solution.bound_monthly is not None


def test_highs_statuses_in_our_words() -> None:
    status = highspy.HighsModelStatus
    assert network._status(status.kOptimal, True) == "optimal"
    assert network._status(status.kOptimal, False) == "error"
    assert network._status(status.kTimeLimit, True) == "time_limit"
    assert network._status(status.kInfeasible, False) == "infeasible"
    assert network._status(status.kUnbounded, False) == "error"


# --- Explanations and totals -----------------------------------------------------------------------


def test_each_point_says_why_it_stays_or_closes() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    rules = Rules(
        close_count=5,
        coverage_km=25,
        population_over=20_000,
        region_min_overrides={"Zasavska": 1},
        pinned_open={6},
        expected_monthly=20,
    )
    solution = net.solve(rules)
    assert solution.closed_ids == (1, 2, 3, 5, 10)
    why = {e.point_id: e for e in net.explain(solution)}
    assert explanation_text(why[4]) == (
        "ostane: zadnja točka v regiji Zasavska; "
        "brez nje bi bili sedeži občin Trbovlje, Zagorje ob Savi več kot 25 km od najbližje točke"
    )
    assert explanation_text(why[4], "en") == (
        "stays: last point in region Zasavska; "
        "without it the seats of municipalities Trbovlje, Zagorje ob Savi would be more than 25 km from the nearest point"
    )
    assert explanation_text(why[11]) == "ostane: brez nje bi bil sedež občine Osilnica več kot 25 km od najbližje točke"
    assert explanation_text(why[11], "en") == (
        "stays: without it the seat of municipality Osilnica would be more than 25 km from the nearest point"
    )
    assert explanation_text(why[6]) == "ostane: ročno določena kot odprta"
    assert [r.code for r in why[7].reasons] == ["visits"]
    assert (
        explanation_text(why[7], "en")
        == "stays: 50 visits a month; closing it would lose more visits than closing others"
    )
    assert why[1].nearest_open_id == 4 and why[1].nearest_open_km == pytest.approx(
        distance_km(46.155, 15.053, 46.130, 14.990)
    )
    assert explanation_text(why[1]) == (
        "zapre se: 4 obiski na mesec, 80 % manj od pričakovanih 20; najbližja odprta točka 5,6 km (DIT-004)"
    )
    assert explanation_text(why[1], "en") == (
        "closes: 4 visits a month, 80 % below the expected 20; nearest open point 5.6 km (DIT-004)"
    )


def test_population_and_threshold_reasons() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    solution = net.solve(Rules(threshold=12, population_over=20_000, region_min=0, pinned_closed={6, 7, 8, 9, 10}))
    assert solution.closed_ids == (1, 2, 6, 7, 8, 9, 10, 11)  # 5 is the last point left in Ljubljana
    why = {e.point_id: e for e in net.explain(solution)}
    assert (
        explanation_text(why[5]) == "ostane: edina odprta točka v občini Ljubljana, ki ima več kot 20.000 prebivalcev"
    )
    assert explanation_text(why[3]) == "ostane: 15 obiskov na mesec, kar ni pod pragom 12"
    assert explanation_text(why[7]).startswith("zapre se: ročno določena za zaprtje; 50 obiskov na mesec; najbližja")


def test_region_floor_above_one_is_worded_with_its_number() -> None:
    reason = Reason("region_floor", {"floor": 3}, ("Koroška",))
    assert reason_text(reason) == "regija Koroška mora obdržati 3 točke in jih ima odprtih toliko"
    assert reason_text(reason, "en") == "region Koroška must keep 3 points and has exactly that many open"


def test_region_totals_before_and_after() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    solution = net.solve(Rules(close_count=2, region_min=0, retention=True, retention_share=0.6, retention_km=10))
    assert solution.closed_ids == (1, 5)
    totals = {t.region: t for t in net.region_totals(solution, km=20)}
    zasavska, central = totals["Zasavska"], totals["Osrednjeslovenska"]
    assert (zasavska.points_before, zasavska.points_after) == (4, 3)
    assert zasavska.visits_monthly == pytest.approx(48.0) and zasavska.lost_monthly == pytest.approx(1.6)
    assert zasavska.visits_window == 480 and zasavska.lost_window == pytest.approx(16.0)
    assert (central.points_before, central.points_after) == (7, 6)
    assert central.lost_monthly == pytest.approx(1.2)
    assert central.population == 295_350 and zasavska.population == 32_500
    assert central.uncovered_before == 0 and central.uncovered_after == 0
    without_osilnica = net.solve(Rules(close_count=1, region_min=0, pinned_closed={11}))
    totals = {t.region: t for t in net.region_totals(without_osilnica, km=20)}
    assert totals["Osrednjeslovenska"].uncovered_after == 350


def test_the_cost_of_pins_is_the_difference_in_lost_visits() -> None:
    points, munis = small_country()
    net = Network(points, munis)
    cost = net.adjustment_cost(Rules(close_count=2, region_min=0, pinned_open={11}))
    assert cost.without_pins.closed_ids == (5, 11) and cost.with_pins.closed_ids == (1, 5)
    assert cost.extra_lost_monthly == pytest.approx(2.0)
    assert cost_text(cost) == "+2 izgubljena obiska na mesec"
    assert cost_text(cost, "en") == "+2 lost visits a month"


@pytest.mark.parametrize(
    ("n", "sl"),
    [(1, "+1 izgubljen obisk"), (2, "+2 izgubljena obiska"), (4, "+4 izgubljeni obiski"), (37, "+37 izgubljenih obiskov"),
     (101, "+101 izgubljen obisk"), (111, "+111 izgubljenih obiskov"), (-3, "−3 izgubljeni obiski")],
)  # fmt: skip
def test_slovenian_number_forms(n: int, sl: str) -> None:
    solution = Network(*small_country()).solve(Rules(close_count=0))
    cost = network.AdjustmentCost(solution, solution, float(n))
    assert cost_text(cost) == f"{sl} na mesec"


def test_every_finding_kind_has_a_sentence_in_both_languages() -> None:
    numbers = {
        "points": 5,
        "keep": 2,
        "closable": 3,
        "floor": 2,
        "pinned_closed": 3,
        "close_count": 4,
        "max_closable": 3,
        "exact": 0,
        "population": 25_000,
        "over": 20_000,
        "km": 25,
        "nearest_km": 31.2,
        "below": 7,
        "threshold": 12.5,
    }
    kinds = network.FindingKind.__args__  # type: ignore[attr-defined]
    languages: tuple[network.Lang, ...] = ("sl", "en")
    for kind, lang in itertools.product(kinds, languages):
        text = describe(Finding(kind, False, "Zasavska", "Osilnica", "DIT-001", numbers), lang)
        assert text and text.endswith("."), (kind, lang)


# --- Speed -----------------------------------------------------------------------------------------


def slovenia() -> list[Municipality]:
    """The 212 real municipalities and seats, with made-up populations (the file has none)."""
    rng = random.Random(212)
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        Municipality(
            row["code"],
            row["name"],
            row["region"],
            float(row["seat_lat"]),
            float(row["seat_lon"]),
            rng.randint(20_000, 290_000) if row["city_municipality"] == "1" else int(rng.lognormvariate(8.5, 0.8)),
        )
        for row in rows
    ]


def pilot_network() -> tuple[list[Point], list[Municipality]]:
    """222 points near real municipal seats, every city municipality among them, visits over a year."""
    rng = random.Random(222)
    munis = slovenia()
    cities = [m for m in munis if m.population >= 20_000]
    hosts = cities + rng.sample([m for m in munis if m not in cities], 150)
    hosts += rng.choices(hosts, k=222 - len(hosts))
    points = [
        point(pid, int(rng.lognormvariate(3.0, 0.9) * 12), m.code, m.region, m.lat + rng.gauss(0, 0.02), m.lon + rng.gauss(0, 0.03), 12)
        for pid, m in enumerate(hosts, start=1)
    ]  # fmt: skip
    return points, munis


def synthetic_country(n_points: int, seed: int) -> tuple[list[Point], list[Municipality]]:
    """Points and 212 municipalities spread over Slovenia's bounding box, regions a 4 × 3 grid."""
    rng = random.Random(seed)
    south, north, west, east = 45.42, 46.88, 13.38, 16.61
    munis = []
    for k in range(212):
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        region = f"R{min(3, int((lon - west) / (east - west) * 4))}{min(2, int((lat - south) / (north - south) * 3))}"
        munis.append(
            Municipality(f"SI-{k + 1:03d}", f"Občina {k + 1}", region, lat, lon, int(rng.lognormvariate(8.5, 1)))
        )
    lats = [rng.uniform(south, north) for _ in range(n_points)]
    lons = [rng.uniform(west, east) for _ in range(n_points)]
    home = distance_matrix_km(lats, lons, [m.lat for m in munis], [m.lon for m in munis]).argmin(axis=1)
    points = [
        point(i + 1, int(rng.lognormvariate(3.0, 0.9) * 12), munis[h].code, munis[h].region, lats[i], lons[i], 12)
        for i, h in enumerate(home)
    ]
    return points, munis


def every_rule(close_count: int | None = None, threshold: float | None = None) -> Rules:
    """Region floors of 1, coverage 25 km, population over 20,000 and retention of half within 10 km."""
    return Rules(
        close_count=close_count,
        threshold=threshold,
        coverage_km=25,
        population_over=20_000,
        retention=True,
        retention_km=10,
        retention_share=0.5,
    )


def test_the_pilot_size_solves_in_well_under_a_second() -> None:
    points, munis = pilot_network()
    net = Network(points, munis)
    times = []
    for rules in (every_rule(close_count=60), every_rule(threshold=20)):
        solution = net.solve(rules)
        assert solution.status == "optimal"
        times.append((solution.solve_ms, solution.total_ms, len(solution.closed_ids)))
    print(f"\n222 points, every rule: (solver ms, total ms, closed) close 60: {times[0]}, threshold 20: {times[1]}")
    assert times[0][0] < 250 and times[1][0] < 250  # the target is 100 ms; slack for a shared machine


def test_a_thousand_points_solve_within_two_seconds() -> None:
    points, munis = synthetic_country(1000, seed=3)
    started = time.perf_counter()
    net = Network(points, munis)
    solution = net.solve(every_rule(close_count=270))
    wall = time.perf_counter() - started
    assert solution.status == "optimal" and len(solution.closed_ids) == 270
    print(f"\n1,000 points, every rule: solver {solution.solve_ms:.0f} ms, network + solve {wall * 1000:.0f} ms wall")
    assert wall < 2.0
