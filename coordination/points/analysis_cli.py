"""`flask points propose`: the closure proposal for scripts and checks. It changes nothing.

    flask points propose --close 60 --window 2024-01..2024-03 --on 2024-04-01 --json
"""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from coordination.extensions import db
from coordination.points import analysis, decisions, network
from coordination.points.models import Programme
from coordination.points.months import parse_month
from coordination.types import today


def _window(text: str | None) -> tuple[date, date] | None:
    if not text:
        return None
    first, sep, last = text.partition("..")
    start, end = parse_month(first), parse_month(last)
    if not sep or start is None or end is None:
        raise click.BadParameter("write the window as YYYY-MM..YYYY-MM, e.g. 2024-01..2024-03", param_hint="--window")
    if start > end:
        raise click.BadParameter("the window ends before it starts", param_hint="--window")
    return start, end


def _programme(name: str | None) -> Programme:
    from coordination.points.services import current_programme

    programme = (db.session.scalar(select(Programme).where(Programme.name == name)) if name
                 else current_programme())
    if programme is None:
        raise click.ClickException(f"no programme {name!r}" if name else "there is no programme of points yet")
    return programme


def result(proposal: decisions.Proposal) -> dict:
    """The proposal as the JSON the command prints."""
    s, p = proposal.solution, proposal.params
    codes = {row["id"]: row["code"] for row in proposal.rows}
    return {
        "programme": proposal.data.programme.name, "on": p.on.isoformat(),
        "window": {"from": p.window_from.isoformat()[:7], "to": p.window_to.isoformat()[:7]},
        "points": len(proposal.data.points), "status": s.status,
        "close": [codes[i] for i in s.closed_ids], "closed_count": len(s.closed_ids),
        "lost_window": s.lost_window, "lost_monthly": s.lost_monthly, "bound_monthly": s.bound_monthly,
        "gap": s.gap, "solve_ms": round(s.solve_ms, 2), "total_ms": round(proposal.ms, 2),
        "findings": [network.describe(f, "en") for f in s.findings if f.fatal],
        "fingerprint": proposal.fingerprint,
    }


def register(app) -> None:
    """Add `propose` to the `points` command group (creating the group if no other module has)."""
    group = app.cli.commands.get("points")
    if group is None:
        group = AppGroup("points", help="Digi info točke.")
        app.cli.add_command(group)

    @group.command("propose")
    @click.option("--close", "close", type=click.IntRange(min=0), help="Close exactly N points.")
    @click.option("--threshold", type=click.FloatRange(min=0), help="Close every point under T visits a month the rules allow.")
    @click.option("--region-min", type=click.IntRange(min=0), default=1, show_default=True,
                  help="Open points every region keeps.")
    @click.option("--cover-km", type=click.FloatRange(min=0, min_open=True),
                  help="Every municipality's seat keeps a point within D km.")
    @click.option("--population-over", type=click.IntRange(min=0),
                  help="Every municipality with more than P inhabitants keeps a point in it.")
    @click.option("--retain-km", type=click.FloatRange(min=0), help="Retention: radius R in km.")
    @click.option("--retain-share", type=click.FloatRange(0, 1), help="Retention: share S of a closed point's visits kept.")
    @click.option("--expected", type=click.FloatRange(min=0), default=30.0, show_default=True,
                  help="Expected visits a month (for the reasons).")
    @click.option("--window", help="Analysis window YYYY-MM..YYYY-MM (default: the three months before --on).")
    @click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Decision date (default: today).")
    @click.option("--programme", help="Programme name (default: the current programme).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    def propose(close, threshold, region_min, cover_km, population_over, retain_km, retain_share, expected, window,
                on, programme, as_json):
        """Print the proposal: the points to close, the visits lost, the solver's status, bound, gap and time."""
        if (close is None) == (threshold is None):
            raise click.UsageError("give exactly one of --close N and --threshold T")
        chosen = _programme(programme)
        decision_date = on.date() if on else analysis.default_date(chosen, today())
        first, last = _window(window) or analysis.default_window(decision_date)
        retention = retain_km is not None or retain_share is not None
        params = analysis.Params(
            on=decision_date, window_from=first, window_to=last, close_count=close, threshold=threshold,
            region_min=region_min, coverage_km=cover_km, population_over=population_over, retention=retention,
            retention_share=0.5 if retain_share is None else retain_share,
            retention_km=10.0 if retain_km is None else retain_km, expected_monthly=expected)
        proposal = decisions.propose(chosen, params)
        out = result(proposal)
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            if out["status"] in ("optimal", "time_limit"):
                click.echo(f"{out['programme']}, {out['on']}, window {out['window']['from']}..{out['window']['to']}: "
                           f"close {out['closed_count']} of {out['points']}: {', '.join(out['close'])}")
                click.echo(f"lost {out['lost_window']:.0f} visits over the window, {out['lost_monthly']:.1f} a month; "
                           f"status {out['status']}, bound {out['bound_monthly']}, gap {out['gap']}, "
                           f"{out['solve_ms']:.0f} ms in the solver")
            else:
                click.echo(f"status {out['status']}: " + " ".join(out["findings"]))
        if out["status"] not in ("optimal", "time_limit"):
            raise SystemExit(1)
