"""The benchmark's pages over HTTP, next to the floors of this machine.

The app runs under gunicorn with the production settings (deploy/gunicorn.conf.py, WORKERS sync
workers) on the benchmark's database; a bounded closed-loop client (wrk: CONNECTIONS connections,
each waiting for its answer before asking again, for SECONDS) asks one page at a time as a signed-in
user of the fitting role. In the same run, the same figures for two floors:
  - the app's own trivial route (/healthz with the user's session cookie: session, user loading,
    security headers and the request log, but no page), and
  - a bare Flask "hello" app under the same gunicorn settings;
and, in-process, a one-, two- and three-page WeasyPrint PDF/A-3b document: the floor for the PDF
pages (each PDF is held to the floor of its own page count).

Prints a Markdown table and writes JSON to instance/bench/http-<database>-<scale>.json.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

LUA = """
wrk.method = "GET"
wrk.headers["Cookie"] = "%(cookie)s"
%(hx)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%%d,"non_2xx":%%d,"socket_errors":%%d,"duration_us":%%d,' ..
    '"p50_ms":%%.2f,"p95_ms":%%.2f,"p99_ms":%%.2f}\\n', summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""

HELLO = '''from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
'''


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _gunicorn(app_spec: str, env: dict, workers: int, log: Path, cwd: Path = ROOT):
    port = _free_port()
    with log.open("w") as errors:
        process = subprocess.Popen(
            [BIN / "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), app_spec], cwd=cwd,
            env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
            stdout=subprocess.DEVNULL, stderr=errors)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310  (our own loopback server)
                    break
                except urllib.error.HTTPError:
                    break  # it answers
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"gunicorn did not start; see {log}") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _sign_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a signed-in session (production cookies are Secure: kept by hand here)."""
    opener = urllib.request.build_opener(_NoRedirect)
    page = opener.open(base + "/prijava", timeout=30)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    request = urllib.request.Request(base + "/prijava", data=body, headers={"Cookie": cookie})
    try:
        answer = opener.open(request, timeout=30)
    except urllib.error.HTTPError as redirect:
        answer = redirect
    if answer.status != 302:
        raise RuntimeError(f"could not sign in as {email} (HTTP {answer.status})")
    return answer.headers["Set-Cookie"].split(";", 1)[0]


def _wrk(url: str, cookie: str, hx: bool, seconds: float, connections: int, scripts: Path) -> dict:
    # one request first, answered in full: the workers are idle (the last page's queue has drained)
    # and warm when the measured loop starts
    warm = urllib.request.Request(url, headers={"Cookie": cookie, **({"HX-Request": "true"} if hx else {})})
    urllib.request.build_opener(_NoRedirect).open(warm, timeout=120).read()
    script = scripts / f"s{abs(hash((url, cookie, hx)))}.lua"
    script.write_text(LUA % {"cookie": cookie, "hx": 'wrk.headers["HX-Request"] = "true"' if hx else ""})
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {url}: {out.stdout}\n{out.stderr}")
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


PARAGRAPHS = {1: 4, 2: 9, 3: 14}  # of the floor's text, for its 1, 2 and 3 pages


def _pdf_floor(pages: int, runs: int = 7) -> float:
    """Median ms to render a plain PDF/A-3b document of `pages` pages (1 to 3) with WeasyPrint, in this
    process."""
    from weasyprint import HTML

    paragraph = "<p>" + "Predstavniki občin so predstavili stanje in se dogovorili o naslednjih korakih. " * 12 + "</p>"
    html = ("<html lang='sl'><head><meta charset='utf-8'><style>@page { size: A4; margin: 2cm }"
            " body { font-family: 'DejaVu Sans'; font-size: 10pt }</style></head><body><h1>Zapisnik</h1>"
            + paragraph * PARAGRAPHS[pages] + "</body></html>")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        document = HTML(string=html).render()
        document.write_pdf(pdf_variant="pdf/a-3b")
        times.append((time.perf_counter() - started) * 1000)
        assert len(document.pages) == pages, len(document.pages)
    return statistics.median(times)


def run(database_url: str, pages: list[tuple[str, str, str, bool]], password: str, *, scale: float,
        workers: int = 2, seconds: float = 5, connections: int = 4) -> dict:
    """Measure every page over HTTP and the floors; return everything as a dict (also written as JSON)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: `apt-get install wrk` (Debian) — `make bench` does it as root")
    out_dir = ROOT / "instance" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "APP_CONFIG": "production", "SECRET_KEY": "b" * 64, "DATABASE_URL": database_url,
           "FLASK_APP": "wsgi.py", "REQUEST_LOG": "1"}
    results = {"database": database_url.split(":", 1)[0], "scale": scale, "workers": workers,
               "seconds": seconds, "connections": connections, "pages": []}
    with tempfile.TemporaryDirectory() as scratch:
        scripts = Path(scratch)
        with _gunicorn("wsgi:app", env, workers, out_dir / "gunicorn.log") as base:
            cookies = {who: _sign_in(base, who, password) for who in sorted({who for _, who, _, _ in pages})}
            # a burst first, unmeasured: every worker has answered (and loaded what it loads lazily)
            # before the floor is measured, or the floor pays one worker's start-up
            _wrk(base + "/healthz", next(iter(cookies.values())), False, 1, connections, scripts)
            trivial = _wrk(base + "/healthz", next(iter(cookies.values())), False, seconds, connections, scripts)
            results["trivial"] = trivial
            for label, who, path, hx in pages:
                figures = _wrk(base + path, cookies[who], hx, seconds, connections, scripts)
                figures.update(label=label, path=path, share_of_trivial=figures["rps"] / trivial["rps"])
                results["pages"].append(figures)
        hello_dir = Path(scratch) / "hello"
        hello_dir.mkdir()
        (hello_dir / "hello_app.py").write_text(HELLO)
        with _gunicorn("hello_app:app", env, workers, out_dir / "gunicorn-hello.log", cwd=hello_dir) as base:
            results["hello"] = _wrk(base + "/", "", False, seconds, connections, scripts)
    results["pdf_floor_ms"] = {"1 page": _pdf_floor(1), "2 pages": _pdf_floor(2), "3 pages": _pdf_floor(3)}
    name = out_dir / f"http-{results['database']}-{scale:g}.json"
    name.write_text(json.dumps(results, indent=2))
    results["file"] = str(name)
    return results


def print_table(results: dict) -> None:
    trivial, hello = results["trivial"], results["hello"]
    print(f"\nHTTP: gunicorn, {results['workers']} sync workers, wrk closed loop, {results['connections']} connections "
          f"× {results['seconds']:g} s per page ({results['database']}, scale {results['scale']:g})\n")
    print("| page | req/s | p50 ms | p95 ms | p99 ms | share of trivial route | non-2xx | socket errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in [{"label": "floor: bare Flask hello", **hello}, {"label": "floor: app's /healthz (signed in)",
                                                                 **trivial}, *results["pages"]]:
        share = row["rps"] / trivial["rps"]
        print(f"| {row['label']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
              f"| {share:.0%} | {row['non_2xx']} | {row['socket_errors']} |")
    floor = results["pdf_floor_ms"]
    print(f"\nWeasyPrint PDF/A-3b floor in-process: 1 page {floor['1 page']:.0f} ms, 2 pages {floor['2 pages']:.0f} ms, "
          f"3 pages {floor['3 pages']:.0f} ms")
    print(f"JSON: {results['file']}")
