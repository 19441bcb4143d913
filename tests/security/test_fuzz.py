"""No request answers 500 (finding 12 of the security probe, kept closed).

Hypothesis drives every route of the URL map, as each role, with hostile values in its path
parameters, its query string and its form fields (the names every form of the app and every route
reads): huge and negative integers, whitespace, control characters, CR/LF, invalid UTF-8, 100,000
characters, dates in year 1 and 9999, off-site addresses, JSON bodies. Any 5xx (or an exception,
which the test client raises instead of a 500) fails. Derandomised and bounded, so it runs the same
requests every time in well under a minute; a sweep first sends the values the probe found to every
path parameter of every route.
"""
from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from coordination.web.forms import Form
from tests import factories as f
from tests.test_access_matrix import objects  # noqa: F401 - the fixture: a small world and a user per role

ROLES = ("anonymous", "admin", "ministry", "association", "municipal", "host")
EXAMPLES_PER_ROUTE = 3
PARAM = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
SKIPPED = {"static", "accounts.logout"}  # signing out would make the rest of the run anonymous

# the values the probe found answering 500, and their kin
HOSTILE = [
    "", " ", " 7", "\t", "0", "-1", "007", str(2**31), str(2**63 - 1), str(2**63), str(2**64), str(-(2**63) - 1),
    "1e309", "NaN", "9999-12-31", "0001-01-01", "10000-01-01", "2024-02-30", "2024-13-01",
    "/\t/evil.example/", "//evil.example/x", "/\\evil.example", "https://evil.example/", "\r\nSet-Cookie: x=1",
    "/ok\r\nLocation: //evil.example", "javascript:alert(1)", "\x00", "a\x0bb\x1fc", "\u2028", "žŠČ" * 5,
    "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "a" * 100_000,
]
SWEEP = [str(2**63), " ", "-1"]


def _query_names() -> set[str]:
    """Every name the routes read from the query string or a form (a static look at the code)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "coordination"
    found = set()
    for path in root.rglob("*.py"):
        found |= set(re.findall(r'(?:args|values|form)\.get(?:list)?\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    return found


def _form_fields() -> set[str]:
    """Every field name of every form of the app (prefixed forms as the pages send them)."""
    names, todo = set(), [Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        for name in dir(cls):
            if isinstance(getattr(cls, name, None), UnboundField):
                names.add(name)
    return names


NAMES = sorted(_query_names() | _form_fields() | {"item-title", "comment-text", "base_version", "text"})


# values a form expects, so that a request gets past its first check and into the route's own work
PLAUSIBLE = ["sl", "en", "y", "1", "on", "open", "in_progress", "done", "cancelled", "public", "internal", "decision",
             "chosen", "all", "region", "association", "member", "chair", "up", "down", "normal", "high", "present",
             "2031-05-06", "2031-05-06T08:00", "Naslov naloge", "uporabnik@example.si", "dolgo geslo za preskus"]


def hostile_text():
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from([str(2**63), str(2**64), " ", "9999-12-31", "0001-01-01", "/ok\r\nX: y", "/\t/evil.example/"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        st.text(max_size=40),
    )


def any_value(real):
    return st.one_of(hostile_text(), real, st.sampled_from(PLAUSIBLE))


def _path(rule, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: quote(values[m.group(1)], safe=""), rule.rule)


# which of the world's records each path parameter names, so that most requests reach the route's
# own work instead of stopping at "not found"
REAL = {"meeting_id": ("meeting", "public_meeting"), "item_id": ("item", "action", "other_action"),
        "conclusion_id": ("conclusion",), "fanout_id": ("fanout",), "group_id": ("group",),
        "membership_id": ("membership",), "org_id": ("own", "sos"), "user_id": ("host_user", "municipal_user"),
        "notification_id": ("notification",)}


@pytest.fixture
def world(app, client, objects, no_csrf):  # noqa: F811 - the imported fixture
    users, ids = objects
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED), key=lambda r: r.rule)
    return users, {key: str(value) for key, value in ids.items()}, rules


def _signed_in(client, users, role):
    if role != "anonymous":
        assert f.login(client, users[role]).status_code == 302
    return client


def _check(response, what):
    assert response.status_code < 500, f"{what}: {response.status_code}"


def test_the_values_the_probe_found_get_no_500_anywhere(client, world):
    """Every path parameter of every route, with a huge, a negative and a blank value."""
    users, ids, rules = world
    _signed_in(client, users, "admin")
    for rule in rules:
        names = PARAM.findall(rule.rule)
        for name in names:
            for value in SWEEP:
                values = {n: ids[REAL.get(n, ("meeting",))[0]] for n in names} | {name: value}
                path = _path(rule, values)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    _check(client.open(path, method=method, data={"x": value} if method == "POST" else None),
                           f"{method} {path}")


def requests(rule, ids):
    """One hostile request to `rule`: (method, path, query, form fields, kind of body, htmx)."""
    def path_value(name):
        real = st.sampled_from([ids[key] for key in REAL.get(name, ())] or ["1"])
        return st.one_of(real, real, real, hostile_text())

    names = PARAM.findall(rule.rule)
    every = st.sampled_from(sorted(set(ids.values())))
    return st.tuples(
        st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})),
        st.fixed_dictionaries({name: path_value(name) for name in names}).map(lambda values: _path(rule, values)),
        st.dictionaries(st.sampled_from(NAMES), any_value(every), max_size=4),
        st.dictionaries(st.sampled_from(NAMES), st.one_of(any_value(every), st.lists(any_value(every), max_size=3)),
                        max_size=8),
        st.sampled_from(["form", "form", "form", "json", "raw"]),
        st.booleans())


def _send(client, method, path, query, fields, body, htmx):
    url = path + ("?" + urlencode(query, doseq=True) if query else "")
    headers = {"HX-Request": "true"} if htmx else {}
    if method != "POST":
        return client.open(url, method=method, headers=headers)
    if body == "json":  # a JSON object, or a list, a string, a number
        payload = fields if fields and len(fields) % 2 else list(fields.items()) or [1, {"a": None}]
        return client.open(url, method=method, headers=headers, data=json.dumps(payload),
                           content_type="application/json")
    if body == "raw":  # bytes that are not UTF-8, percent-encoded and bare
        return client.open(url, method=method, headers=headers, content_type="application/x-www-form-urlencoded",
                           data=b"title=%FF%FE%C3&q=\xff\xfe&next=%C0%AF&status=\xc3\x28")
    return client.open(url, method=method, headers=headers, data=fields)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_requests_never_answer_500(client, world, role):
    """EXAMPLES_PER_ROUTE hostile requests to every route as `role`."""
    users, ids, rules = world
    _signed_in(client, users, role)
    for rule in rules:
        @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(requests(rule, ids))
        def fuzz(request):
            method, path, query, fields, body, htmx = request
            response = _send(client, method, path, query, fields, body, htmx)
            _check(response, f"{role}: {method} {path} query={query!r:.200} fields={fields!r:.300} body={body} "
                             f"htmx={htmx}")

        fuzz()
