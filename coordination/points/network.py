"""Which Digi info točke to close: an exact optimisation model, solved with HiGHS.

The model in plain words
========================

Data. The points open on the decision date. Each point has an id, a code ("DIT-001"), the visits it
had over an analysis window (a whole number) and the months of that window it was open, so its
monthly average is visits / months; its municipality, its statistical region and its coordinates.
The municipalities have a code ("SI-061"), a name, a region, the coordinates of their seat and a
population. A point's region must be its municipality's region.

Decision. For each point: it stays open (x = 1) or it closes (x = 0).

Rules (each can be switched off or tuned):

1. How many close. Either exactly N points close ("close_count"), or, in threshold mode with a
   monthly threshold T, every point whose monthly average is at least T stays open, and among the
   points under T as many close as the other rules allow. Threshold mode is lexicographic: first the
   number of closed points is maximised, then, among the plans that close that many, the visits lost
   are minimised. It is solved in two stages: the first finds the largest number of closures K, the
   second closes exactly K points (the ones at or above T kept open) at the least loss.
2. Region floors. Every statistical region keeps at least m open points (default 1); a region can
   have its own m. A region with fewer points than its m keeps all of them.
3. Coverage (optional, distance D km). Every municipality's seat keeps an open point within D km.
4. Population (optional, P inhabitants). Every municipality with more than P inhabitants that has
   at least one point keeps at least one open point located in it.
5. Pins. Points pinned open stay open and points pinned closed close, whatever the other rules say;
   pins also override the threshold (a point pinned closed closes even if it is at or above T) and
   count towards N.

Objective. Minimise the visits lost per month. A closed point loses its monthly average. With the
retention option (share ρ, default 0.5; radius R, default 10 km) a closed point keeps the share ρ of
its visits when some open point lies within R km of it: those visitors are assumed to go there. In
the program, a continuous variable retained_i in [0, 1] for each point with a neighbour within R
obeys retained_i ≤ Σ x_j over the open candidates j ≠ i within R, and retained_i ≤ 1 − x_i; the loss
is Σ v_i (1 − x_i) − ρ Σ v_i retained_i. At any 0/1 choice of x the least loss sets retained_i to 1
exactly when i is closed and has an open neighbour, so the continuous variable is exact.
Losses are also reported over the window (visits rather than monthly averages); when every point
was open for the whole window the two are proportional.

Exactness. The program is a mixed-integer program solved by HiGHS with a relative gap of 0, so the
status "optimal" means no other choice that obeys the rules loses fewer visits (to HiGHS's absolute
tolerance of 1e-6 visits a month). If the time limit stops the search, the best plan found is
returned with status "time_limit", the proven lower bound and the remaining gap.

Pre-check. Before solving, plain arithmetic finds the largest number of points that may close
(exact for region floors, pins, threshold and the population rule; an upper estimate when the
coverage rule is on, which the solver then settles) and contradictions in the rules; each is a
`Finding` with numbers, worded in Slovenian or English by `describe`.

Distances are straight lines on the Slovenian national grid D96/TM (see `distances`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Literal

import highspy
import numpy as np
import numpy.typing as npt

from .distances import distance_matrix_km

Status = Literal["optimal", "time_limit", "infeasible", "rejected", "error"]
Lang = Literal["sl", "en"]
FindingKind = Literal[
    "no_points",
    "no_visits",
    "pin_conflict",
    "pins_exceed_count",
    "region_short",
    "municipality_pins",
    "seat_uncovered",
    "seat_pins",
    "too_many_closures",
    "solver_infeasible",
    "region_keeps",
    "region_floor_above_points",
    "population_no_point",
    "threshold_candidates",
    "max_closable",
]
ReasonCode = Literal[
    "pinned_open",
    "population",
    "coverage",
    "region_floor",
    "threshold_high",
    "visits",
    "pinned_closed",
    "low_visits",
]

DEFAULT_REPORT_KM = 25.0
"""Distance for the 'population far from a point' totals when the coverage rule is off."""

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --- Input -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """A point open on the decision date, with its visits over the analysis window."""

    id: int
    code: str
    visits: int
    months: float
    municipality: str
    region: str
    lat: float
    lon: float

    @property
    def monthly(self) -> float:
        return self.visits / self.months


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    region: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True)
class Rules:
    """The rules of one decision. Exactly one of `close_count` and `threshold` is set."""

    close_count: int | None = None
    threshold: float | None = None
    region_min: int = 1
    region_min_overrides: Mapping[str, int] = field(default_factory=dict)
    coverage_km: float | None = None
    population_over: int | None = None
    retention: bool = False
    retention_share: float = 0.5
    retention_km: float = 10.0
    pinned_open: AbstractSet[int] = frozenset()
    pinned_closed: AbstractSet[int] = frozenset()
    expected_monthly: float = 30.0
    time_limit_s: float = 10.0

    def __post_init__(self) -> None:
        # Pins may arrive as any set; frozensets keep Rules an immutable value.
        object.__setattr__(self, "pinned_open", frozenset(self.pinned_open))
        object.__setattr__(self, "pinned_closed", frozenset(self.pinned_closed))
        if (self.close_count is None) == (self.threshold is None):
            raise ValueError("set exactly one of close_count and threshold")
        if self.close_count is not None and self.close_count < 0:
            raise ValueError("close_count must not be negative")
        if self.region_min < 0 or any(v < 0 for v in self.region_min_overrides.values()):
            raise ValueError("region minimums must not be negative")
        if not 0 <= self.retention_share <= 1:
            raise ValueError("retention_share must lie between 0 and 1")
        for name in ("coverage_km", "retention_km", "expected_monthly", "time_limit_s"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")

    def region_floor(self, region: str) -> int:
        return self.region_min_overrides.get(region, self.region_min)

    def without_pins(self) -> Rules:
        return replace(self, pinned_open=frozenset(), pinned_closed=frozenset())


# --- Output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One fact of the pre-check (or of the solver), with the numbers to word it.

    `fatal` findings mean no plan obeys the rules (or the data cannot be used).
    """

    kind: FindingKind
    fatal: bool
    region: str | None = None
    municipality: str | None = None
    point: str | None = None
    numbers: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Precheck:
    findings: tuple[Finding, ...]
    max_closable: int | None
    """Most points the rules let close; None when the data cannot be used at all."""
    exact: bool
    """False when the coverage rule is on: max_closable is then an upper estimate."""

    @property
    def feasible(self) -> bool:
        return not any(f.fatal for f in self.findings)


@dataclass(frozen=True)
class Solution:
    rules: Rules
    status: Status
    closed_ids: tuple[int, ...]
    lost_monthly: float | None
    """Visits lost per month (the objective); None when there is no plan."""
    lost_window: float | None
    """Visits lost over the analysis window."""
    bound_monthly: float | None
    """Proven lower bound on lost_monthly (threshold mode: given the number of closures found)."""
    gap: float | None
    """Relative gap between lost_monthly and the bound; 0 when optimal."""
    solve_ms: float
    """Time spent inside HiGHS, summed over the stages."""
    total_ms: float
    """Pre-check, model building and solving."""
    precheck: Precheck
    findings: tuple[Finding, ...]
    """The pre-check's findings and the solver's."""

    @property
    def has_plan(self) -> bool:
        return self.lost_monthly is not None


@dataclass(frozen=True)
class Reason:
    """Why a point stays or closes; `numbers` and `names` carry what the sentence needs."""

    code: ReasonCode
    numbers: Mapping[str, float] = field(default_factory=dict)
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PointExplanation:
    point_id: int
    code: str
    open: bool
    monthly: float
    reasons: tuple[Reason, ...]
    """Never empty; the most decisive first."""
    nearest_open_km: float | None
    """Distance to the nearest other open point; None when no other point is open."""
    nearest_open_id: int | None
    retained: bool
    """Closed, retention on, and an open point within its radius."""


@dataclass(frozen=True)
class RegionTotals:
    region: str
    points_before: int
    points_after: int
    visits_monthly: float
    lost_monthly: float
    visits_window: int
    lost_window: float
    population: int
    uncovered_before: int
    """Population whose municipality seat is farther than `km` from every point."""
    uncovered_after: int
    """Population whose municipality seat is farther than `km` from every open point."""
    km: float


@dataclass(frozen=True)
class AdjustmentCost:
    with_pins: Solution
    without_pins: Solution
    extra_lost_monthly: float | None
    """How many more visits a month the pins lose; None unless both have a plan."""


# --- The network -------------------------------------------------------------------------------


@dataclass
class _Run:
    """One HiGHS run, read back."""

    status: Status
    open_mask: BoolArray | None
    objective: float | None
    bound: float | None
    gap: float | None
    ms: float


@dataclass
class _Rows:
    """Constraint rows collected before they go to HiGHS as one row-wise sparse matrix."""

    index: list[IntArray] = field(default_factory=list)
    value: list[FloatArray] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add(self, cols: npt.ArrayLike, coefs: npt.ArrayLike, lower: float, upper: float) -> None:
        self.index.append(np.asarray(cols, dtype=np.int64))
        self.value.append(np.broadcast_to(np.asarray(coefs, dtype=np.float64), np.shape(cols)))
        self.lower.append(lower)
        self.upper.append(upper)


class Network:
    """The points and municipalities of one decision, with their distances computed once.

    Build it once, then pre-check, solve and explain any number of rule sets quickly.
    """

    def __init__(self, points: Sequence[Point], municipalities: Sequence[Municipality]) -> None:
        self.points = tuple(points)
        self.municipalities = tuple(municipalities)
        _validate(self.points, self.municipalities)
        self._index = {p.id: i for i, p in enumerate(self.points)}
        self._monthly = np.array([p.monthly for p in self.points], dtype=np.float64)
        self._visits = np.array([p.visits for p in self.points], dtype=np.float64)
        muni_index = {m.code: k for k, m in enumerate(self.municipalities)}
        self._point_muni = np.array([muni_index[p.municipality] for p in self.points], dtype=np.int64)
        lat = [p.lat for p in self.points]
        lon = [p.lon for p in self.points]
        self._pp_km = distance_matrix_km(lat, lon, lat, lon)
        self._sp_km = distance_matrix_km(
            [m.lat for m in self.municipalities], [m.lon for m in self.municipalities], lat, lon
        )
        self.regions = tuple(sorted({p.region for p in self.points}))
        self._region_members = {
            r: np.array([i for i, p in enumerate(self.points) if p.region == r], dtype=np.int64) for r in self.regions
        }
        self._muni_members = [np.flatnonzero(self._point_muni == k) for k in range(len(self.municipalities))]

    # -- pre-check --

    def precheck(self, rules: Rules) -> Precheck:
        """Plain-arithmetic feasibility and the largest number of closures, explained with numbers."""
        self._check_pin_ids(rules)
        if not self.points:
            return Precheck((Finding("no_points", True),), None, True)
        if not self._monthly.any():
            return Precheck((Finding("no_visits", True, numbers={"points": len(self.points)}),), None, True)
        conflicts = sorted(rules.pinned_open & rules.pinned_closed)
        if conflicts:
            found = tuple(Finding("pin_conflict", True, point=self.points[self._index[pid]].code) for pid in conflicts)
            return Precheck(found, None, True)

        findings: list[Finding] = []
        forced = self._forced_open(rules)
        closed = self._pinned_closed(rules)
        needs = self._population_needs(rules, forced, closed, findings)
        keep_total = 0
        for region in self.regions:
            keep_total += self._region_keep(region, rules, forced, closed, needs.get(region, 0), findings)
        max_closable = len(self.points) - keep_total
        exact = rules.coverage_km is None
        if rules.coverage_km is not None:
            self._coverage_findings(rules.coverage_km, closed, findings)
        pinned_closed = int(closed.sum())
        numbers: dict[str, float]
        if rules.close_count is not None:
            if pinned_closed > rules.close_count:
                numbers = {"pinned_closed": pinned_closed, "close_count": rules.close_count}
                findings.append(Finding("pins_exceed_count", True, numbers=numbers))
            if rules.close_count > max_closable:
                numbers = {"close_count": rules.close_count, "max_closable": max_closable, "exact": int(exact)}
                findings.append(Finding("too_many_closures", True, numbers=numbers))
        else:  # Rules guarantees a threshold when there is no count
            below = int(((self._monthly < rules.threshold) & ~self._pinned_open(rules)).sum())
            numbers = {"below": below, "threshold": rules.threshold, "max_closable": max_closable, "exact": int(exact)}
            findings.append(Finding("threshold_candidates", False, numbers=numbers))
        numbers = {"max_closable": max_closable, "points": len(self.points), "exact": int(exact)}
        findings.append(Finding("max_closable", False, numbers=numbers))
        return Precheck(tuple(findings), max_closable, exact)

    def _population_needs(
        self, rules: Rules, forced: BoolArray, closed: BoolArray, findings: list[Finding]
    ) -> dict[str, int]:
        """Per region, how many large municipalities still need a point kept beyond the forced ones."""
        needs: dict[str, int] = {}
        if rules.population_over is None:
            return needs
        for k, muni in enumerate(self.municipalities):
            if muni.population <= rules.population_over:
                continue
            members = self._muni_members[k]
            numbers = {"population": muni.population, "over": rules.population_over}
            if members.size == 0:
                findings.append(Finding("population_no_point", False, municipality=muni.name, numbers=numbers))
            elif closed[members].all():
                findings.append(Finding("municipality_pins", True, municipality=muni.name, numbers=numbers))
            elif not forced[members].any():
                needs[muni.region] = needs.get(muni.region, 0) + 1
        return needs

    def _region_keep(
        self, region: str, rules: Rules, forced: BoolArray, closed: BoolArray, needs: int, findings: list[Finding]
    ) -> int:
        """The fewest points the region can keep: its floor, or its forced points plus one per large municipality.

        Exact because the points that must stay are distinct and any other point can fill the floor.
        """
        members = self._region_members[region]
        points = int(members.size)
        floor = rules.region_floor(region)
        if floor > points:
            numbers = {"points": points, "floor": floor}
            findings.append(Finding("region_floor_above_points", False, region=region, numbers=numbers))
            floor = points
        pinned_closed = int(closed[members].sum())
        if floor > points - pinned_closed:
            numbers = {"points": points, "pinned_closed": pinned_closed, "floor": floor}
            findings.append(Finding("region_short", True, region=region, numbers=numbers))
        forced_here = int(forced[members].sum())
        keep = max(floor, forced_here + needs)
        numbers = {
            "points": points,
            "keep": keep,
            "closable": points - keep,
            "floor": floor,
            "forced_open": forced_here,
            "population": needs,
        }
        findings.append(Finding("region_keeps", False, region=region, numbers=numbers))
        return keep

    def _coverage_findings(self, km: float, closed: BoolArray, findings: list[Finding]) -> None:
        within = self._sp_km <= km
        for k, muni in enumerate(self.municipalities):
            if not within[k].any():
                nearest = float(self._sp_km[k].min())
                numbers = {"km": km, "nearest_km": nearest}
                findings.append(Finding("seat_uncovered", True, municipality=muni.name, numbers=numbers))
            elif closed[within[k]].all():
                numbers = {"km": km, "points": int(within[k].sum())}
                findings.append(Finding("seat_pins", True, municipality=muni.name, numbers=numbers))

    # -- solving --

    def solve(self, rules: Rules) -> Solution:
        """The plan that loses the fewest visits under the rules (see the module docstring)."""
        started = time.perf_counter()
        pre = self.precheck(rules)
        if not pre.feasible:
            unusable = any(f.kind in ("no_points", "no_visits") for f in pre.findings)
            status: Status = "rejected" if unusable else "infeasible"
            return self._solution(rules, pre, status, None, None, 0.0, started)
        deadline = started + rules.time_limit_s
        extra: list[Finding] = []
        if rules.close_count is not None:
            run = self._run(self._model(rules, "lost", len(self.points) - rules.close_count), deadline)
            solve_ms = run.ms
            if run.status == "infeasible":
                count = self._run(self._model(rules, "count", None), deadline)
                solve_ms += count.ms
                extra.append(self._solver_infeasible(rules, count))
        else:
            count = self._run(self._model(rules, "count", None), deadline)
            solve_ms = count.ms
            if count.open_mask is None:
                run = count
                if count.status == "infeasible":
                    extra.append(Finding("solver_infeasible", True))
            else:
                run = self._run(self._model(rules, "lost", int(count.open_mask.sum())), deadline)
                solve_ms += run.ms
                run.status = _worse(count.status, run.status)
        return self._solution(rules, pre, run.status, run, extra, solve_ms, started)

    def _solver_infeasible(self, rules: Rules, count: _Run) -> Finding:
        """Say how many points the rules really let close, when the count solve proved it."""
        numbers: dict[str, float] = {"close_count": float(rules.close_count or 0)}
        if count.status == "optimal" and count.open_mask is not None:
            numbers["max_closable"] = len(self.points) - int(count.open_mask.sum())
        return Finding("solver_infeasible", True, numbers=numbers)

    def _solution(
        self,
        rules: Rules,
        pre: Precheck,
        status: Status,
        run: _Run | None,
        extra: list[Finding] | None,
        solve_ms: float,
        started: float,
    ) -> Solution:
        findings = pre.findings + tuple(extra or ())
        total_ms = (time.perf_counter() - started) * 1000
        if run is None or run.open_mask is None:
            return Solution(rules, status, (), None, None, None, None, solve_ms, total_ms, pre, findings)
        closed_ids = tuple(sorted(p.id for p, is_open in zip(self.points, run.open_mask, strict=True) if not is_open))
        lost_monthly, lost_window, _ = self._losses(run.open_mask, rules)
        gap = 0.0 if status == "optimal" else run.gap
        return Solution(
            rules, status, closed_ids, lost_monthly, lost_window, run.bound, gap, solve_ms, total_ms, pre, findings
        )

    def _model(self, rules: Rules, objective: Literal["lost", "count"], open_count: int | None) -> highspy.HighsLp:
        """The mixed-integer program: 'count' minimises the open points, 'lost' the visits lost."""
        n = len(self.points)
        col_lower = self._forced_open(rules).astype(np.float64)
        col_upper = (~self._pinned_closed(rules)).astype(np.float64)
        rows = _Rows()
        if open_count is not None:
            rows.add(np.arange(n), 1.0, open_count, open_count)
        for region in self.regions:
            members = self._region_members[region]
            rows.add(members, 1.0, min(rules.region_floor(region), members.size), highspy.kHighsInf)
        if rules.population_over is not None:
            for k, muni in enumerate(self.municipalities):
                if muni.population > rules.population_over and self._muni_members[k].size:
                    rows.add(self._muni_members[k], 1.0, 1, highspy.kHighsInf)
        if rules.coverage_km is not None:
            for within in self._sp_km <= rules.coverage_km:
                rows.add(np.flatnonzero(within), 1.0, 1, highspy.kHighsInf)
        if objective == "count":
            cost = np.ones(n)
            offset = 0.0
        else:
            cost = -self._monthly
            offset = float(self._monthly.sum())
            if rules.retention:
                retained_cost = self._add_retention(rules, rows)
                cost = np.concatenate([cost, retained_cost])
                col_lower = np.concatenate([col_lower, np.zeros(retained_cost.size)])
                col_upper = np.concatenate([col_upper, np.ones(retained_cost.size)])
        integer = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (cost.size - n)
        return _lp(cost, offset, col_lower, col_upper, integer, rows)

    def _add_retention(self, rules: Rules, rows: _Rows) -> FloatArray:
        """Add retained_i columns (after the n point columns) and their two rows; return their costs."""
        n = len(self.points)
        near = self._pp_km <= rules.retention_km
        np.fill_diagonal(near, False)
        costs: list[float] = []
        for i in range(n):
            neighbours = np.flatnonzero(near[i])
            if self._monthly[i] == 0 or neighbours.size == 0:
                continue
            col = n + len(costs)
            costs.append(-rules.retention_share * self._monthly[i])
            rows.add(np.append(neighbours, col), np.append(-np.ones(neighbours.size), 1.0), -highspy.kHighsInf, 0)
            rows.add([i, col], 1.0, -highspy.kHighsInf, 1)
        return np.array(costs, dtype=np.float64)

    def _run(self, lp: highspy.HighsLp, deadline: float) -> _Run:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.0))
        highs.passModel(lp)
        started = time.perf_counter()
        highs.run()
        ms = (time.perf_counter() - started) * 1000
        info = highs.getInfo()
        has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
        status = _status(highs.getModelStatus(), has_solution)
        if not has_solution or status in ("infeasible", "error"):
            return _Run(status, None, None, None, None, ms)
        values = np.asarray(highs.getSolution().col_value[: len(self.points)])
        bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
        gap = info.mip_gap if math.isfinite(info.mip_gap) else None
        return _Run(status, values > 0.5, info.objective_function_value, bound, gap, ms)

    # -- reading a plan --

    def _losses(self, open_mask: BoolArray, rules: Rules) -> tuple[float, float, BoolArray]:
        """Visits lost per month and over the window, and which closed points keep a share."""
        retained = self._retained(open_mask, rules)
        kept = np.where(retained, rules.retention_share, 0.0)
        closed = ~open_mask
        monthly = float((self._monthly * closed * (1 - kept)).sum())
        window = float((self._visits * closed * (1 - kept)).sum())
        return monthly, window, retained

    def _retained(self, open_mask: BoolArray, rules: Rules) -> BoolArray:
        if not rules.retention:
            return np.zeros(len(self.points), dtype=bool)
        near = self._pp_km <= rules.retention_km
        np.fill_diagonal(near, False)
        return ~open_mask & (near & open_mask[None, :]).any(axis=1)

    def _open_mask(self, solution: Solution) -> BoolArray:
        if not solution.has_plan:
            raise ValueError(f"no plan to read: the solution's status is {solution.status}")
        closed = {self._index[pid] for pid in solution.closed_ids}
        return np.array([i not in closed for i in range(len(self.points))], dtype=bool)

    def _nearest_open(self, open_mask: BoolArray) -> tuple[IntArray, FloatArray]:
        """For each point, the nearest other open point (index, -1 if none) and its distance."""
        dist = np.where(open_mask[None, :], self._pp_km, np.inf)
        np.fill_diagonal(dist, np.inf)
        nearest = dist.argmin(axis=1)
        km = dist[np.arange(len(self.points)), nearest]
        return np.where(np.isfinite(km), nearest, -1), km

    def explain(self, solution: Solution) -> list[PointExplanation]:
        """Why each point stays or closes, in the order of the points."""
        rules = solution.rules
        open_mask = self._open_mask(solution)
        nearest, nearest_km = self._nearest_open(open_mask)
        _, _, retained = self._losses(open_mask, rules)
        binding = self._binding_reasons(open_mask, rules)
        explanations = []
        for i, point in enumerate(self.points):
            if open_mask[i]:
                reasons = self._open_reasons(i, rules, binding[i])
            else:
                reasons = self._closed_reasons(i, rules, nearest[i], nearest_km[i], bool(retained[i]))
            has_nearest = nearest[i] >= 0
            explanations.append(
                PointExplanation(
                    point_id=point.id,
                    code=point.code,
                    open=bool(open_mask[i]),
                    monthly=point.monthly,
                    reasons=tuple(reasons),
                    nearest_open_km=float(nearest_km[i]) if has_nearest else None,
                    nearest_open_id=self.points[nearest[i]].id if has_nearest else None,
                    retained=bool(retained[i]),
                )
            )
        return explanations

    def _binding_reasons(self, open_mask: BoolArray, rules: Rules) -> list[list[Reason]]:
        """For each open point, the rules it alone holds up: closing it would break each of them."""
        binding: list[list[Reason]] = [[] for _ in self.points]
        for region in self.regions:
            members = self._region_members[region]
            floor = min(rules.region_floor(region), members.size)
            open_here = members[open_mask[members]]
            if floor > 0 and open_here.size == floor:
                for i in open_here:
                    binding[i].append(Reason("region_floor", {"floor": floor}, (region,)))
        if rules.population_over is not None:
            for k, muni in enumerate(self.municipalities):
                open_here = self._muni_members[k][open_mask[self._muni_members[k]]]
                if muni.population > rules.population_over and open_here.size == 1:
                    numbers = {"population": muni.population, "over": rules.population_over}
                    binding[open_here[0]].append(Reason("population", numbers, (muni.name,)))
        if rules.coverage_km is not None:
            seats: dict[int, list[str]] = {}
            for k, within in enumerate(self._sp_km <= rules.coverage_km):
                open_within = np.flatnonzero(within & open_mask)
                if open_within.size == 1:
                    seats.setdefault(int(open_within[0]), []).append(self.municipalities[k].name)
            for i, names in seats.items():
                binding[i].append(Reason("coverage", {"km": rules.coverage_km}, tuple(sorted(names))))
        return binding

    def _open_reasons(self, i: int, rules: Rules, binding: list[Reason]) -> list[Reason]:
        point = self.points[i]
        reasons: list[Reason] = []
        if point.id in rules.pinned_open:
            reasons.append(Reason("pinned_open"))
        reasons.extend(binding)
        if rules.threshold is not None and point.monthly >= rules.threshold:
            reasons.append(Reason("threshold_high", {"monthly": point.monthly, "threshold": rules.threshold}))
        if not reasons:
            reasons.append(Reason("visits", {"monthly": point.monthly}))
        return reasons

    def _closed_reasons(self, i: int, rules: Rules, nearest: int, nearest_km: float, retained: bool) -> list[Reason]:
        point = self.points[i]
        reasons: list[Reason] = []
        if point.id in rules.pinned_closed:
            reasons.append(Reason("pinned_closed"))
        numbers: dict[str, float] = {"monthly": point.monthly, "expected": rules.expected_monthly}
        if rules.expected_monthly > 0 and point.monthly < rules.expected_monthly:
            numbers["below_pct"] = 100 * (1 - point.monthly / rules.expected_monthly)
        if rules.threshold is not None:
            numbers["threshold"] = rules.threshold
        names: tuple[str, ...] = ()
        if nearest >= 0:
            numbers["nearest_km"] = nearest_km
            names = (self.points[nearest].code,)
        if retained:
            numbers["retained_share"] = rules.retention_share
            numbers["retention_km"] = rules.retention_km
        reasons.append(Reason("low_visits", numbers, names))
        return reasons

    def region_totals(self, solution: Solution, km: float | None = None) -> list[RegionTotals]:
        """Per region: points, visits and losses, and the population far from a point, before and after.

        `km` defaults to the coverage distance of the rules, or DEFAULT_REPORT_KM.
        """
        rules = solution.rules
        km = km if km is not None else rules.coverage_km if rules.coverage_km is not None else DEFAULT_REPORT_KM
        open_mask = self._open_mask(solution)
        _, _, retained = self._losses(open_mask, rules)
        lost_share = np.where(open_mask, 0.0, 1 - np.where(retained, rules.retention_share, 0.0))
        far_before: BoolArray = ~np.any(self._sp_km <= km, axis=1)
        far_after: BoolArray = ~np.any((self._sp_km <= km) & open_mask[None, :], axis=1)
        regions = sorted(set(self.regions) | {m.region for m in self.municipalities})
        totals = []
        for region in regions:
            members = self._region_members.get(region, np.zeros(0, dtype=np.int64))
            munis = [k for k, m in enumerate(self.municipalities) if m.region == region]
            people = np.array([self.municipalities[k].population for k in munis], dtype=np.int64)
            totals.append(
                RegionTotals(
                    region=region,
                    points_before=int(members.size),
                    points_after=int(open_mask[members].sum()),
                    visits_monthly=float(self._monthly[members].sum()),
                    lost_monthly=float((self._monthly[members] * lost_share[members]).sum()),
                    visits_window=int(self._visits[members].sum()),
                    lost_window=float((self._visits[members] * lost_share[members]).sum()),
                    population=int(people.sum()),
                    uncovered_before=int(people[far_before[munis]].sum()),
                    uncovered_after=int(people[far_after[munis]].sum()),
                    km=km,
                )
            )
        return totals

    def adjustment_cost(self, rules: Rules) -> AdjustmentCost:
        """What the pins cost: the plan with them against the plan without them."""
        with_pins = self.solve(rules)
        without_pins = self.solve(rules.without_pins())
        extra = None
        if with_pins.lost_monthly is not None and without_pins.lost_monthly is not None:
            extra = with_pins.lost_monthly - without_pins.lost_monthly
        return AdjustmentCost(with_pins, without_pins, extra)

    # -- helpers --

    def _check_pin_ids(self, rules: Rules) -> None:
        unknown = sorted((rules.pinned_open | rules.pinned_closed) - self._index.keys())
        if unknown:
            raise ValueError(f"pinned point ids not in the network: {unknown}")

    def _mask(self, ids: Iterable[int]) -> BoolArray:
        mask = np.zeros(len(self.points), dtype=bool)
        mask[[self._index[pid] for pid in ids]] = True
        return mask

    def _pinned_open(self, rules: Rules) -> BoolArray:
        return self._mask(rules.pinned_open)

    def _pinned_closed(self, rules: Rules) -> BoolArray:
        return self._mask(rules.pinned_closed)

    def _forced_open(self, rules: Rules) -> BoolArray:
        """Pinned open, or at or above the threshold and not pinned closed."""
        forced = self._pinned_open(rules)
        if rules.threshold is not None:
            forced |= (self._monthly >= rules.threshold) & ~self._pinned_closed(rules)
        return forced


def _validate(points: Sequence[Point], municipalities: Sequence[Municipality]) -> None:
    """Reject data the model cannot mean anything with; these are programming or import errors."""
    by_code = {m.code: m for m in municipalities}
    if len(by_code) != len(municipalities):
        raise ValueError("municipality codes must be unique")
    if len({p.id for p in points}) != len(points):
        raise ValueError("point ids must be unique")
    for p in points:
        if p.months <= 0 or p.visits < 0:
            raise ValueError(f"point {p.code}: months must be positive and visits not negative")
        muni = by_code.get(p.municipality)
        if muni is None:
            raise ValueError(f"point {p.code}: unknown municipality {p.municipality}")
        if muni.region != p.region:
            raise ValueError(f"point {p.code}: region {p.region} is not its municipality's region {muni.region}")


def _lp(
    cost: FloatArray,
    offset: float,
    col_lower: FloatArray,
    col_upper: FloatArray,
    integrality: list[highspy.HighsVarType],
    rows: _Rows,
) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_ = int(cost.size)
    lp.num_row_ = len(rows.lower)
    lp.col_cost_ = cost
    lp.offset_ = offset
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = np.array(rows.lower, dtype=np.float64)
    lp.row_upper_ = np.array(rows.upper, dtype=np.float64)
    lp.integrality_ = integrality
    lengths = [len(ix) for ix in rows.index]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(rows.index or [np.zeros(0, dtype=np.int64)]).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(rows.value or [np.zeros(0)]).astype(np.float64)
    return lp


def _status(model_status: highspy.HighsModelStatus, has_solution: bool) -> Status:
    """HiGHS's verdict in our words; only a proven optimum is 'optimal'."""
    if model_status == highspy.HighsModelStatus.kOptimal and has_solution:
        return "optimal"
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible"
    if model_status == highspy.HighsModelStatus.kTimeLimit:
        return "time_limit"
    return "error"


_SEVERITY: tuple[Status, ...] = ("optimal", "time_limit", "infeasible", "rejected", "error")


def _worse(a: Status, b: Status) -> Status:
    return max(a, b, key=_SEVERITY.index)


# --- Wording -----------------------------------------------------------------------------------
# Slovenian nouns take four forms after a number (1, 2, 3–4, 5+; by the last two digits). The
# sentences are built so that only such a noun, never a verb, has to agree with a number.

_POINTS_ACC = ("točko", "točki", "točke", "točk")
_VISITS = ("obisk", "obiska", "obiski", "obiskov")
_LOST_VISITS = ("izgubljen obisk", "izgubljena obiska", "izgubljeni obiski", "izgubljenih obiskov")


def _sl_form(n: int, forms: tuple[str, str, str, str]) -> str:
    last_two = abs(n) % 100
    if last_two == 1:
        return forms[0]
    if last_two == 2:
        return forms[1]
    if last_two in (3, 4):
        return forms[2]
    return forms[3]


def _en_form(n: int, singular: str, plural: str) -> str:
    return singular if abs(n) == 1 else plural


def _num(value: float, lang: Lang, decimals: int = 0) -> str:
    """A number as each language writes it: 20.000 and 2,5 in Slovenian, 20,000 and 2.5 in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "sl":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def _plain(value: float, lang: Lang) -> str:
    """A whole number as such, anything else with one decimal."""
    return _num(value, lang, 0 if float(value).is_integer() else 1)


def _km(value: float, lang: Lang) -> str:
    """Kilometres: one decimal under 10 km unless whole, whole kilometres above."""
    return _num(value, lang, 1 if value < 10 and not float(value).is_integer() else 0)


def _points(n: int, lang: Lang) -> str:
    return f"{n} {_sl_form(n, _POINTS_ACC)}" if lang == "sl" else f"{n} {_en_form(n, 'point', 'points')}"


def _visits(value: float, lang: Lang, exact: bool = False) -> str:
    """Visits with their noun; averages are rounded to whole visits, an `exact` value (a threshold) is not."""
    n = round(value)
    number = _plain(value, lang) if exact else _num(n, lang)
    noun = _sl_form(n, _VISITS) if lang == "sl" else _en_form(n, "visit", "visits")
    return f"{number} {noun}"


def _int(numbers: Mapping[str, float], key: str) -> int:
    return round(numbers[key])


def describe(finding: Finding, lang: Lang = "sl") -> str:
    """One sentence for a pre-check or solver finding."""
    n = finding.numbers
    sl = lang == "sl"
    match finding.kind:
        case "no_points":
            return "Ni točk, o katerih bi se odločalo." if sl else "There are no points to decide on."
        case "no_visits":
            if sl:
                return (
                    f"V izbranem obdobju ni imela obiskov nobena od {_int(n, 'points')} točk; izberite drugo obdobje."
                )
            return f"None of the {_int(n, 'points')} points had any visits in the chosen window; choose another window."
        case "pin_conflict":
            if sl:
                return f"Točka {finding.point} je hkrati določena kot odprta in za zaprtje."
            return f"Point {finding.point} is pinned both open and closed."
        case "pins_exceed_count":
            pinned, count = _int(n, "pinned_closed"), _int(n, "close_count")
            if sl:
                return f"Število ročno zaprtih točk ({pinned}) je večje od števila točk, ki jih je treba zapreti ({count})."
            return f"{pinned} points are pinned closed, more than the {count} to close."
        case "region_short":
            points, pinned, floor = _int(n, "points"), _int(n, "pinned_closed"), _int(n, "floor")
            if sl:
                return (
                    f"Regija {finding.region} ima {_points(points, lang)} in mora obdržati {floor}, "
                    f"a število ročno zaprtih je {pinned}."
                )
            return f"Region {finding.region} has {_points(points, lang)} and must keep {floor}, but {pinned} are pinned closed."
        case "municipality_pins":
            over, population = _num(n["over"], lang), _num(n["population"], lang)
            if sl:
                return (
                    f"Občina {finding.municipality} ima več kot {over} prebivalcev ({population}), "
                    "vse njene točke pa so ročno določene za zaprtje."
                )
            return (
                f"Municipality {finding.municipality} has more than {over} inhabitants ({population}), "
                "but all its points are pinned closed."
            )
        case "seat_uncovered":
            km, nearest = _km(n["km"], lang), _km(n["nearest_km"], lang)
            if sl:
                return f"Sedež občine {finding.municipality} nima nobene točke v {km} km (najbližja je {nearest} km stran)."
            return f"The seat of municipality {finding.municipality} has no point within {km} km (the nearest is {nearest} km away)."
        case "seat_pins":
            km = _km(n["km"], lang)
            if sl:
                return f"Vse točke v {km} km od sedeža občine {finding.municipality} so ročno določene za zaprtje."
            return f"Every point within {km} km of the seat of municipality {finding.municipality} is pinned closed."
        case "too_many_closures":
            count, most = _int(n, "close_count"), _int(n, "max_closable")
            if sl:
                return f"Zapreti bi bilo treba {_points(count, lang)}, pravila pa dovolijo zapreti največ {most}."
            return f"{_points(count, lang)} are to close, but the rules allow closing at most {most}."
        case "solver_infeasible":
            if "max_closable" not in n:
                return "Pravil ni mogoče izpolniti hkrati." if sl else "The rules cannot all be met together."
            count, most = _int(n, "close_count"), _int(n, "max_closable")
            if sl:
                return f"Vsa pravila skupaj dovolijo zapreti največ {_points(most, lang)}, zapreti pa bi jih bilo treba {count}."
            return f"All rules together allow closing at most {_points(most, lang)}, but {count} are to close."
        case "region_keeps":
            points, keep = _int(n, "points"), _int(n, "keep")
            if sl:
                tail = "lahko zapre vse" if keep == 0 else f"mora obdržati {keep}"
                return f"Regija {finding.region} ima {_points(points, lang)} in {tail}."
            tail = "may close them all" if keep == 0 else f"must keep {keep}"
            return f"Region {finding.region} has {_points(points, lang)} and {tail}."
        case "region_floor_above_points":
            points, floor = _int(n, "points"), _int(n, "floor")
            if sl:
                return f"Regija {finding.region} ima le {_points(points, lang)}, manj od zahtevanih {floor}, zato obdrži vse."
            return f"Region {finding.region} has only {_points(points, lang)}, fewer than its minimum of {floor}, so it keeps them all."
        case "population_no_point":
            over = _num(n["over"], lang)
            if sl:
                return f"Občina {finding.municipality} ima več kot {over} prebivalcev, a nobene točke, zato pravilo zanjo ne velja."
            return f"Municipality {finding.municipality} has more than {over} inhabitants but no point, so the rule does not apply to it."
        case "threshold_candidates":
            below, most = _int(n, "below"), _int(n, "max_closable")
            if sl:
                return f"Točk pod pragom ({_visits(n['threshold'], lang, exact=True)} na mesec): {below}; pravila dovolijo zapreti največ {most}."
            return f"Points under the threshold ({_visits(n['threshold'], lang, exact=True)} a month): {below}; the rules allow closing at most {most}."
        case "max_closable":
            most, points = _int(n, "max_closable"), _int(n, "points")
            if sl:
                text = f"Skupaj je mogoče zapreti največ {_points(most, lang)} od {points}."
                if not n["exact"]:
                    text += " To je zgornja ocena: ali pravilo dosegljivosti dopušča toliko, odloči reševalnik."
                return text
            text = f"In all, at most {most} of the {_points(points, lang)} can close."
            if not n["exact"]:
                text += " This is an upper estimate: the solver decides whether the coverage rule allows that many."
            return text


def precheck_text(precheck: Precheck, lang: Lang = "sl") -> list[str]:
    """The pre-check's sentences, contradictions first."""
    ordered = sorted(precheck.findings, key=lambda f: not f.fatal)
    return [describe(f, lang) for f in ordered]


def reason_text(reason: Reason, lang: Lang = "sl") -> str:
    """One reason for a point, without the 'stays'/'closes' prefix."""
    n = reason.numbers
    sl = lang == "sl"
    match reason.code:
        case "pinned_open":
            return "ročno določena kot odprta" if sl else "pinned open"
        case "pinned_closed":
            return "ročno določena za zaprtje" if sl else "pinned closed"
        case "population":
            over = _num(n["over"], lang)
            if sl:
                return f"edina odprta točka v občini {reason.names[0]}, ki ima več kot {over} prebivalcev"
            return f"the only open point in municipality {reason.names[0]}, which has more than {over} inhabitants"
        case "coverage":
            km, names, many = _km(n["km"], lang), ", ".join(reason.names), len(reason.names) > 1
            if sl:
                seats = f"bili sedeži občin {names}" if many else f"bil sedež občine {names}"
                return f"brez nje bi {seats} več kot {km} km od najbližje točke"
            seats = (
                f"the seats of municipalities {names} would be"
                if many
                else f"the seat of municipality {names} would be"
            )
            return f"without it {seats} more than {km} km from the nearest point"
        case "region_floor":
            floor, region = _int(n, "floor"), reason.names[0]
            if floor == 1:
                return f"zadnja točka v regiji {region}" if sl else f"last point in region {region}"
            if sl:
                return f"regija {region} mora obdržati {_points(floor, lang)} in jih ima odprtih toliko"
            return f"region {region} must keep {_points(floor, lang)} and has exactly that many open"
        case "threshold_high":
            visits, threshold = _visits(n["monthly"], lang), _plain(n["threshold"], lang)
            if sl:
                return f"{visits} na mesec, kar ni pod pragom {threshold}"
            return f"{visits} a month, not under the threshold of {threshold}"
        case "visits":
            if sl:
                return f"{_visits(n['monthly'], lang)} na mesec; z njenim zaprtjem bi se izgubilo več obiskov kot z zaprtjem drugih"
            return f"{_visits(n['monthly'], lang)} a month; closing it would lose more visits than closing others"
        case "low_visits":
            return _low_visits_text(reason, lang)


def _low_visits_text(reason: Reason, lang: Lang) -> str:
    n = reason.numbers
    sl = lang == "sl"
    parts = [f"{_visits(n['monthly'], lang)} {'na mesec' if sl else 'a month'}"]
    if "below_pct" in n:
        pct, expected = round(n["below_pct"]), _plain(n["expected"], lang)
        parts[0] += f", {pct} % manj od pričakovanih {expected}" if sl else f", {pct} % below the expected {expected}"
    if "nearest_km" in n:
        km = _km(n["nearest_km"], lang)
        parts.append(
            f"najbližja odprta točka {km} km ({reason.names[0]})"
            if sl
            else f"nearest open point {km} km ({reason.names[0]})"
        )
    if "retained_share" in n:
        share, radius = round(100 * n["retained_share"]), _km(n["retention_km"], lang)
        if sl:
            parts.append(f"predvidoma {share} % obiskov prevzame točka v {radius} km")
        else:
            parts.append(f"about {share} % of its visits expected to move to a point within {radius} km")
    return "; ".join(parts)


def explanation_text(explanation: PointExplanation, lang: Lang = "sl") -> str:
    """'ostane: zadnja točka v regiji Zasavska' — the verdict and every reason."""
    if lang == "sl":
        verdict = "ostane" if explanation.open else "zapre se"
    else:
        verdict = "stays" if explanation.open else "closes"
    return f"{verdict}: " + "; ".join(reason_text(r, lang) for r in explanation.reasons)


def cost_text(cost: AdjustmentCost, lang: Lang = "sl") -> str:
    """'+37 izgubljenih obiskov na mesec' — what the pins cost against the plan without them."""
    if cost.extra_lost_monthly is None:
        if lang == "sl":
            return "stroška prilagoditve ni mogoče izračunati, ker en od načrtov ne obstaja"
        return "the cost of the adjustment cannot be computed: one of the plans does not exist"
    n = round(cost.extra_lost_monthly)
    sign = "−" if n < 0 else "+"
    if lang == "sl":
        return f"{sign}{_num(abs(n), lang)} {_sl_form(n, _LOST_VISITS)} na mesec"
    return f"{sign}{_num(abs(n), lang)} lost {_en_form(n, 'visit', 'visits')} a month"
