"""Profile the benchmark's slowest pages in-process with cProfile, and say where the time goes.

    .venv/bin/python benchmark/profiling.py --scale 0.2           # generate instance/bench.db, then profile
    .venv/bin/python benchmark/profiling.py --scale 0.2 --reuse   # profile the data `make bench` left
    BENCH_DATABASE_URL=postgresql+psycopg://…/bench .venv/bin/python benchmark/profiling.py --reuse
    .venv/bin/python benchmark/profiling.py --reuse --points    # the Digi info točke pages (benchmark/points.py)

For each page: the time per request, and its own (exclusive) time split by where it is spent:
templates (the compiled Jinja code of templates/), Jinja itself, forms (WTForms), SQL (SQLAlchemy and the
database driver), the app's code, Flask/Werkzeug, PDF layout, text and fonts (WeasyPrint's text
module, Pango, HarfBuzz), PDF writing, and the rest; then the functions with the most cumulative time.
The .prof files are left in instance/bench/profiles/ for snakeviz or pstats.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_CONFIG", "test")

from sqlalchemy import select  # noqa: E402

from benchmark import minutes as bench_minutes  # noqa: E402
from benchmark import points as bench_points  # noqa: E402
from benchmark import run as bench  # noqa: E402
from coordination import create_app  # noqa: E402
from coordination.accounts.models import User  # noqa: E402
from coordination.actions.models import ActionItem  # noqa: E402
from coordination.database import rebuild  # noqa: E402
from coordination.extensions import db  # noqa: E402

MUNICIPAL, MINISTRY = "uporabnik3@bench.si", "ministrstvo@bench.si"
PAGES = [  # (label, user, path, htmx, runs)
    ("meeting (secretary)", MUNICIPAL, "/sestanki/{m}", False, 10),
    ("action items (municipal)", MUNICIPAL, "/naloge/", False, 10),
    ("action items text filter (municipal, htmx)", MUNICIPAL, "/naloge/?q=kanalizacijo", True, 10),
    ("search (municipal)", MUNICIPAL, "/iskanje?q=cestisce", False, 10),
    ("status matrix (212)", MINISTRY, "/razprsitve/1", False, 10),
    ("minutes PDF (8 items)", MUNICIPAL, "/sestanki/{m}/zapisnik.pdf", False, 5),
    ("minutes PDF (100 pages)", MUNICIPAL, f"/sestanki/{bench_minutes.LONG}/zapisnik.pdf", False, 1),
]
# the Digi info točke pages of the benchmark (--points): 1,001 points with 36 months of visits at scale 1
POINT_PAGES = [(label, who, path, hx, 5) for label, who, path, hx in bench_points.PAGES]

# (category, test on a profile entry's file name): the first that matches wins
CATEGORIES = [
    ("templates (compiled Jinja of templates/)", lambda f: f.endswith(".html") or "/templates/" in f),
    ("Jinja runtime", lambda f: "/jinja2/" in f or "/markupsafe/" in f),
    ("forms (WTForms)", lambda f: "/wtforms/" in f or "/flask_wtf/" in f),
    ("SQL: driver (sqlite3 / psycopg)", lambda f: "sqlite3" in f or "/psycopg" in f),
    ("SQL: SQLAlchemy", lambda f: "/sqlalchemy/" in f or "/flask_sqlalchemy/" in f),
    ("PDF: text and fonts", lambda f: "/weasyprint/text/" in f or "pango" in f or "harfbuzz" in f
     or "/fontTools/" in f or "cffi" in f),
    ("PDF: layout", lambda f: "/weasyprint/layout/" in f or "/weasyprint/formatting_structure/" in f),
    ("PDF: writing", lambda f: "/weasyprint/pdf/" in f or "/pydyf/" in f or "zlib" in f),
    ("PDF: styles and the rest", lambda f: "/weasyprint/" in f or "/tinycss2/" in f or "/cssselect2/" in f
     or "/html5lib/" in f),
    ("Babel / translations", lambda f: "/babel/" in f or "/flask_babel/" in f or "gettext" in f),
    ("the app (coordination/)", lambda f: "/coordination/" in f),
    ("Flask / Werkzeug", lambda f: "/flask/" in f or "/werkzeug/" in f or "/flask_login/" in f),
]


def category(filename: str) -> str:
    return next((name for name, test in CATEGORIES if test(filename)), "other (stdlib, builtins)")


def breakdown(stats: pstats.Stats) -> Counter:
    own = Counter()
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        where = filename if filename != "~" else function  # builtins: '~' and e.g. "<method 'execute' of ...>"
        own[category(where)] += tottime
    return own


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "0.2")))
    parser.add_argument("--reuse", action="store_true", help="profile the data already in the database")
    parser.add_argument("--only", help="profile only the pages whose label contains this")
    parser.add_argument("--points", action="store_true", help="profile the Digi info točke pages instead")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'bench.db'}"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    if not args.reuse:
        rebuild(app)
        with app.app_context():
            bench.generate(args.scale)
    with app.app_context():
        meeting = int(60 * args.scale) + 2  # as benchmark/run.py: the draft meeting of group 1
        org = db.session.scalar(select(User.organisation_id).where(User.email == MUNICIPAL))
        action = db.session.scalar(select(ActionItem.id).where(ActionItem.fanout_id == 1, ActionItem.assignee_org_id == org))
    out = ROOT / "instance" / "bench" / "profiles"
    out.mkdir(parents=True, exist_ok=True)
    print(f"database {url.split(':', 1)[0]}, scale {args.scale:g}")
    for label, who, path, hx, runs in (POINT_PAGES if args.points else PAGES):
        if args.only and args.only not in label:
            continue
        path = path.format(m=meeting, action=action)
        client = app.test_client()
        client.post("/prijava", data={"email": who, "password": bench.PASSWORD})
        headers = {"HX-Request": "true"} if hx else {}
        client.get(path, headers=headers)  # warm: templates compiled, caches filled
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(runs):
            status = client.get(path, headers=headers).status_code
        profiler.disable()
        per_request = (time.perf_counter() - started) * 1000 / runs
        name = out / ("".join(c if c.isalnum() else "-" for c in label).strip("-") + ".prof")
        profiler.dump_stats(name)
        stats = pstats.Stats(profiler)
        own = breakdown(stats)
        total = sum(own.values()) or 1
        print(f"\n### {label} — {path} ({status}), {per_request:.0f} ms a request under the profiler ({runs} runs)\n")
        print("| where | ms a request | share |\n|---|---:|---:|")
        for where, seconds in own.most_common():
            if seconds / total >= 0.01:
                print(f"| {where} | {seconds * 1000 / runs:.1f} | {seconds / total:.0%} |")
        print("\nMost cumulative time (ms a request, calls a request):\n")
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][3], reverse=True)
        shown = 0
        for (filename, line, function), (_cc, calls, _tt, cumtime, _c) in rows:
            short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            if "cProfile" in short or function in ("<module>",) or cumtime / runs * 1000 < 0.5:
                continue
            print(f"    {cumtime * 1000 / runs:8.1f} {calls // runs:7d}  {short}:{line}({function})")
            shown += 1
            if shown == 22:
                break


if __name__ == "__main__":
    main()
