"""Time the fan-out of one conclusion to all municipalities (benchmark/run.py's time_fan_out) several
times on data generated before, and count its statements; then, if asked, the mail run that builds
and sends its e-mails (`flask mail send`, to a throwaway outbox).

    BENCH_DATABASE_URL=sqlite:////path/bench-copy.db python benchmark/fan_out.py --runs 5 [--mail-run]

Each run commits a fan-out (the data grow by one fan-out per run): use a copy of the benchmark data.
The fan-out runs with MAIL_BACKEND "smtp", as in production (time_fan_out sees to it: the request
only queues, nothing connects to a server); the mail run writes to a throwaway outbox.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from benchmark.run import time_fan_out  # noqa: E402
from coordination import create_app, mail  # noqa: E402
from coordination.extensions import db  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mail-run", action="store_true", help="then time `flask mail send` (outbox backend)")
    args = parser.parse_args(argv)
    url = os.environ["BENCH_DATABASE_URL"]
    outbox = tempfile.mkdtemp(prefix="fan-out-outbox-")
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, MAIL_BACKEND="outbox",
                     MAIL_OUTBOX=outbox)
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
    times, counts = [], []
    for _run in range(args.runs):
        statements.clear()
        times.append(time_fan_out(app))
        counts.append(len(statements))
    print(f"fan-out: median {statistics.median(times):.0f} ms of {', '.join(f'{t:.0f}' for t in times)}; "
          f"statements {counts}")
    if args.mail_run:
        with app.app_context():
            started = time.perf_counter()
            summary = mail.send_queued()
            db.session.commit()
            print(f"mail run: {summary.sent} sent, {summary.failed} failed in "
                  f"{(time.perf_counter() - started):.1f} s ({len(list(Path(outbox).glob('*.eml')))} files)")


if __name__ == "__main__":
    main()
