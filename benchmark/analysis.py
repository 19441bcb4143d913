"""Benchmark of the network analysis (points/routes/analysis.py), called from benchmark/run.py.

Two generated networks in the benchmark database — the pilot's 222 points and 1,000 points — and,
for each, every rule on (close about a quarter, every region keeps a point, a point within 25 km of
every seat, a point in every municipality over 10,000 inhabitants, retention 50 % within 10 km):
- the solver alone (HiGHS time and the whole proposal: reading, modelling, solving, explaining);
- the htmx answer to a pin, as the ministry clicks one point after another (each run pins another
  point, so every run solves; the plan without pins is the one the page showed before);
- the full page of the proposal, and the decisions' list.
The targets of issue 11: 222 points under 100 ms in the solver and 300 ms for the htmx answer,
1,000 points under 2 s.
"""
from __future__ import annotations

import statistics
import time
from datetime import date

from sqlalchemy import event, select

from coordination.extensions import db
from coordination.points import analysis, decisions
from coordination.points.models import ServicePoint
from tests.points.analysis_data import seed_network

SIZES = ((222, 60), (1000, 270))
RULES = "&coverage=y&cover_km=25&population=y&population_over=10000&retention=y&retain_km=10&retain_share=50"
MINISTRY = "ministrstvo@bench.si"


def generate(app) -> dict[int, tuple[int, list[int]]]:
    """{size: (programme id, point ids)}."""
    out = {}
    with app.app_context():
        for size, _close in SIZES:
            programme = seed_network(size, seed=size, total_visits=round(24_000 * size / 222),
                                     name=f"Benchmark {size}", code_prefix=f"B{size}",
                                     host_prefix=f"Gostitelj {size}")
            ids = db.session.scalars(select(ServicePoint.id).where(ServicePoint.programme_id == programme.id)
                                     .order_by(ServicePoint.id)).all()
            out[size] = (programme.id, list(ids))
        db.session.commit()
    return out


def _params(size: int, close: int) -> analysis.Params:
    return analysis.Params(on=date(2024, 4, 1), window_from=date(2024, 1, 1), window_to=date(2024, 3, 1),
                           close_count=close, coverage_km=25, population_over=10000, retention=True)


def solver_times(app, networks, runs: int) -> list[tuple]:
    from coordination.points.models import Programme

    rows = []
    with app.app_context():
        for size, close in SIZES:
            programme = db.session.get(Programme, networks[size][0])
            solve, total, status = [], [], None
            for _ in range(runs):
                proposal = decisions.propose(programme, _params(size, close))
                solve.append(proposal.solution.solve_ms)
                total.append(proposal.ms)
                status = proposal.solution.status
            rows.append((size, close, status, statistics.median(solve), statistics.median(total)))
    return rows


def page_times(app, networks, runs: int, password: str) -> list[tuple]:
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    client.post("/prijava", data={"email": MINISTRY, "password": password})
    results = []
    for size, close in SIZES:
        programme, ids = networks[size]
        base = (f"/tocke/analiza?programme={programme}&on=2024-04-01&window_from=2024-01&window_to=2024-03"
                f"&mode=count&close={close}{RULES}")
        cases = [(f"analysis {size}, every rule (page)", lambda _k, b=base: b, False),
                 (f"analysis {size}, pin a point (htmx)", lambda k, b=base, i=ids: f"{b}&open={i[k]}", True)]
        client.get(base)  # the ministry sees the proposal before pinning
        for label, url, hx in cases:
            times, queries, status = [], 0, None
            for k in range(runs):
                statements.clear()
                started = time.perf_counter()
                response = client.get(url(k), headers={"HX-Request": "true"} if hx else {})
                times.append((time.perf_counter() - started) * 1000)
                queries, status = len(statements), response.status_code
            results.append((label, status, statistics.median(times), max(times), queries))
    event.remove(engine, "before_cursor_execute", count)
    return results


def report(app, runs: int, password: str) -> None:
    """Generate the two networks, then print the solver's and the pages' times."""
    started = time.perf_counter()
    networks = generate(app)
    print(f"network analysis: 222 and 1,000 generated points in {time.perf_counter() - started:.1f} s")
    for size, close, status, solve, total in solver_times(app, networks, max(3, runs // 3)):
        print(f"  solver, {size} points, close {close}, every rule: {status}, HiGHS {solve:.0f} ms, "
              f"whole proposal {total:.0f} ms (median)")
    for label, status, median, worst, queries in page_times(app, networks, max(3, runs // 3), password):
        print(f"{label:34} {status:>6} {median:>10.1f} {worst:>8.1f} {queries:>8}")
