"""The analysis page (GET form, htmx pins, bad input), adoption over HTTP (303, 409, 422), the decisions'
list, page and PDF, query counts at two sizes and the speed of the htmx answer."""
from __future__ import annotations

import re
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.points.decision_models import NetworkDecision
from coordination.points.models import PointStatus, ServicePoint, VisitReport
from tests import factories as f
from tests.documents.test_documents import xmp
from tests.points.analysis_data import seed_network

DATED = "/tocke/analiza?on=2024-04-01&mode=count"
BASE = DATED + "&window_from=2024-01&window_to=2024-03"
ALL_RULES = "&coverage=y&cover_km=70&population=y&population_over=20000&retention=y&retain_km=10&retain_share=50"
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _forms_without_csrf(no_csrf):
    """The tests sign in and post as a browser would, without the CSRF round trip."""


@pytest.fixture
def network(session):
    return seed_network(40, seed=11, total_visits=4_000, name="Mreža za strani")


@pytest.fixture
def ministry(client, network):
    user = f.user(Role.MINISTRY)
    f.login(client, user)
    return user


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _adopt_fields(html: str) -> dict:
    fields = {}
    for name in ("query", "fingerprint", "closed"):
        match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or \
            re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
        fields[name] = match.group(1).replace("&amp;", "&")
    return fields


# --- the page ----------------------------------------------------------------------------------------

def test_first_visit_shows_the_form_and_the_model_in_plain_words(client, ministry):
    response = client.get("/tocke/analiza")
    assert response.status_code == 200
    text = _text(response)
    assert "Kako nastane predlog" in text and "HiGHS" in text
    assert "Izračunaj predlog" in text and "Predlog" not in text.split("Izračunaj predlog")[1]


def test_proposal_shows_map_table_regions_and_reasons(client, ministry):
    response = client.get(BASE + "&close=10")
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), _text(response)
    assert "10 točk od 40 se zapre" in text
    assert "dokazano optimalno" in text
    assert "Vir: GURS, Register prostorskih enot (CC BY 4.0)" in text
    assert html.count('class="verdict closes"') == 10 and html.count('class="verdict stays"') == 30
    assert html.count("<path d=\"M") >= 10  # closed points drawn as crosses, not only in another colour
    assert "najbližja odprta točka" in text and "pričakovanih 30" in text
    assert "Slovenija" in text and "Prebivalci dlje od 25 km, prej" in text


def test_every_rule_together(client, ministry):
    response = client.get(BASE + "&close=5" + ALL_RULES)
    assert response.status_code == 200, _text(response)[:2000]
    assert "dokazano optimalno" in _text(response)


def test_threshold_mode(client, ministry):
    response = client.get(BASE.replace("mode=count", "mode=threshold") + "&threshold=12,5")
    assert response.status_code == 200
    assert "na mesec" in _text(response)


def test_htmx_gets_the_workspace_only(client, ministry):
    response = client.get(BASE + "&close=10", headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="analysis"') and "<html" not in html


def test_pin_links_re_solve_and_show_the_cost(client, ministry):
    html = client.get(BASE + "&close=10").get_data(as_text=True)
    keep = re.search(r'<tr>\s*<th scope="row"><span class="code">(DIT-\d+)</span>.*?href="([^"]*open=\d+[^"]*)"',
                     html, re.S)
    code, url = keep.group(1), keep.group(2).replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query)["close"] == ["10"]
    response = client.get(url, headers=HX)
    text = _text(response)
    assert response.status_code == 200
    assert "ročno določena kot odprta" in text and "Vaše prilagoditve stanejo +" in text
    pinned_row = re.search(rf'{code}</span>.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    assert 'class="verdict stays"' in pinned_row and "Razveljavi" in pinned_row


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field", "message"), [
    ("&close=-3", "close", "Vnesite število, ki ni negativno."),
    ("&close=veliko", "close", "Vrednost ni veljavno celo število."),
    ("", "close", "Vnesite, koliko točk naj se zapre."),
    ("&close=3&retain_share=150", "retain_share", "Vnesite delež med 0 in 100."),
    ("&close=3&cover_km=-1", "cover_km", "Vnesite število, ki ni negativno."),
    ("&close=3&mode=threshold&threshold=pet", "threshold", "Vrednost ni veljavno število."),
    ("&close=3&window_from=2024-03&window_to=2024-01", "window_to", "Obdobje se konča, preden se začne."),
    ("&close=3&window_from=januar", "window_from", "Vnesite mesec v obliki LLLL-MM, npr. 2024-03."),
    ("&close=3&on=2024-02-30", "on", "Vnesite veljaven datum: dan, mesec in leto."),
])
def test_bad_parameters_answer_422_with_the_message_at_the_field(client, ministry, query, field, message):
    response = client.get(DATED + query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and error.group(1) == message
    assert 'aria-invalid="true"' in html and 'class="analysis-result"' not in html


def test_too_many_closures_are_explained_before_solving(client, ministry):
    response = client.get(BASE + "&close=39")
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="close-error">([^<]*)</p>', response.get_data(as_text=True)).group(1)
    assert "pravila pa dovolijo zapreti največ" in error


def test_a_window_without_visits(client, ministry):
    response = client.get("/tocke/analiza?mode=count&close=3&on=2024-07-01")  # April to June: nothing reported
    assert response.status_code == 422
    assert "V izbranem obdobju ni imela obiskov nobena" in _text(response)


def test_contradictory_pins(client, ministry, network):
    region_of = {}
    for pid, region in db.session.execute(select(ServicePoint.id, Organisation.region_id).join(
            Organisation, Organisation.id == ServicePoint.municipality_id).where(
            ServicePoint.programme_id == network.id)):
        region_of.setdefault(region, []).append(pid)
    smallest = min(region_of.values(), key=len)
    response = client.get(BASE + "&close=3" + "".join(f"&closed={pid}" for pid in smallest))
    assert response.status_code == 422
    assert "a število ročno zaprtih je" in _text(response)
    point = smallest[0]
    response = client.get(BASE + f"&close=3&open={point}&closed={point}")
    assert response.status_code == 422 and "hkrati določena kot odprta in za zaprtje" in _text(response)


def test_a_solver_time_limit_is_said_honestly(app, client, ministry):
    app.config["POINTS_SOLVER_TIME_LIMIT"] = 0.0
    try:
        response = client.get(BASE + "&close=10" + ALL_RULES)
    finally:
        app.config.pop("POINTS_SOLVER_TIME_LIMIT")
    text = _text(response)
    assert response.status_code == 200
    assert "dokazano optimalno" not in text.replace("ni dokazano optimalno", "")
    assert "časovno omejitev" in text


def test_others_may_not_analyse(client, network):
    for role in (Role.ASSOCIATION, Role.MUNICIPAL, Role.HOST):
        client.post("/odjava")
        f.login(client, f.user(role))
        assert client.get(BASE + "&close=3").status_code == 403


# --- adoption ----------------------------------------------------------------------------------------

def test_adopt_over_http_then_refuse_twice_and_show_the_decision(client, ministry, network):
    html = client.get(BASE + "&close=10").get_data(as_text=True)
    fields = _adopt_fields(html)
    response = client.post("/tocke/analiza/sprejmi", data={**fields, "note": "Sklep 7"})
    assert response.status_code == 303
    decision = db.session.scalar(select(NetworkDecision))
    assert response.headers["Location"].endswith(f"/tocke/odlocitve/{decision.id}")
    assert decision.closed_count == 10 and decision.note == "Sklep 7"
    closed = db.session.scalar(select(func.count(ServicePoint.id)).where(ServicePoint.programme_id == network.id,
                                                                          ServicePoint.status == PointStatus.CLOSED))
    assert closed == 10
    again = client.post("/tocke/analiza/sprejmi", data=fields)
    assert again.status_code == 409 and "ni ga mogoče sprejeti dvakrat" in _text(again)
    assert db.session.scalar(select(func.count(NetworkDecision.id))) == 1
    page = client.get(f"/tocke/odlocitve/{decision.id}")
    assert page.status_code == 200
    assert "10 točk od 40 zaprtih" in _text(page) and "Sklep 7" in _text(page)
    listing = client.get("/tocke/odlocitve/")
    assert listing.status_code == 200 and "10 od 40" in _text(listing)
    shown = client.get(BASE + "&close=10")
    assert "Vir: GURS" in _text(shown)  # the network changed: the same parameters give a new proposal


def test_a_stale_adoption_answers_409_and_changes_nothing(client, ministry, network):
    html = client.get(BASE + "&close=10").get_data(as_text=True)
    fields = _adopt_fields(html)
    report = db.session.scalar(select(VisitReport).join(ServicePoint).where(
        ServicePoint.programme_id == network.id).order_by(VisitReport.id.desc()).limit(1))
    report.total += 3
    db.session.commit()
    response = client.post("/tocke/analiza/sprejmi", data=fields)
    assert response.status_code == 409
    assert "Mreža se je spremenila" in _text(response)
    assert db.session.scalar(select(func.count(NetworkDecision.id))) == 0
    assert db.session.scalar(select(func.count(ServicePoint.id)).where(
        ServicePoint.status == PointStatus.CLOSED)) == 0


def test_an_incomplete_adoption_answers_422(client, ministry):
    response = client.post("/tocke/analiza/sprejmi", data={"query": BASE.split("?")[1] + "&close=10"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(NetworkDecision.id))) == 0


def _adopted(client, ministry) -> NetworkDecision:
    html = client.get(BASE + "&close=10").get_data(as_text=True)
    client.post("/tocke/analiza/sprejmi", data=_adopt_fields(html))
    return db.session.scalar(select(NetworkDecision))


def test_a_closed_points_host_reads_the_decision_with_only_its_own_rows(client, ministry):
    decision = _adopted(client, ministry)
    row = next(r for r in decision.points if not r["open"])
    host_user = f.user(Role.HOST, db.session.get(Organisation, row["host_id"]))
    client.post("/odjava")
    f.login(client, host_user)
    page = client.get(f"/tocke/odlocitve/{decision.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<th scope="row"><span class="code">') == 1 and row["code"] in html
    assert "Po regijah" not in _text(page)
    assert client.get(f"/tocke/odlocitve/{decision.id}.pdf").status_code == 403
    assert client.get("/tocke/odlocitve/").status_code == 403
    client.post("/odjava")
    f.login(client, f.user(Role.HOST))  # another host: the decision does not concern it
    assert client.get(f"/tocke/odlocitve/{decision.id}").status_code == 404


def test_decision_report_is_pdf_a_with_the_figures(client, ministry, tmp_path):
    decision = _adopted(client, ministry)
    response = client.get(f"/tocke/odlocitve/{decision.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    metadata = xmp(pdf)
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    path = tmp_path / "odlocitev.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Odločitev o mreži z dne 1. 4. 2024" in text
    assert "10 točk od 40 zaprtih" in re.sub(r"\s+", " ", text)
    assert "Vir: GURS, Register prostorskih enot (CC BY 4.0)" in text
    assert "stran 1 od" in text
    assert text.count("Zapre se") == 10


# --- queries and speed ---------------------------------------------------------------------------------

def _count(client, count_queries, url, headers=None) -> int:
    with count_queries() as counter:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return counter.count


def test_query_counts_do_not_grow_with_the_network(client, session, count_queries):
    small = seed_network(20, seed=1, total_visits=2_000, name="Dvajset", code_prefix="A")
    large = seed_network(120, seed=2, total_visits=12_000, name="Sto dvajset", code_prefix="B",
                         host_prefix="Gostiteljica")
    user = f.user(Role.MINISTRY)
    f.login(client, user)
    counts = {}
    for programme in (small, large):
        url = BASE + f"&close=5&programme={programme.id}"
        counts[programme.name] = (_count(client, count_queries, url), _count(client, count_queries, url, HX))
    assert counts["Dvajset"] == counts["Sto dvajset"], counts
    assert counts["Dvajset"][1] <= 8, counts
    for programme in (small, large):  # and the decision's page
        html = client.get(BASE + f"&close=5&programme={programme.id}").get_data(as_text=True)
        assert client.post("/tocke/analiza/sprejmi", data=_adopt_fields(html)).status_code == 303
    ids = [d.id for d in db.session.scalars(select(NetworkDecision).order_by(NetworkDecision.id))]
    pages = [_count(client, count_queries, f"/tocke/odlocitve/{i}") for i in ids]
    assert pages[0] == pages[1], pages
    assert _count(client, count_queries, "/tocke/odlocitve/") <= 6


def test_222_points_with_every_rule_answer_htmx_in_under_300_ms(client, session):
    programme = seed_network(222, seed=2023, name="Dvesto dvaindvajset")
    f.login(client, f.user(Role.MINISTRY))
    points = db.session.scalars(select(ServicePoint.id).where(ServicePoint.programme_id == programme.id)
                                .order_by(ServicePoint.id).limit(2)).all()
    url = (BASE + f"&close=60&programme={programme.id}" + ALL_RULES.replace("cover_km=70", "cover_km=25")
           + f"&open={points[0]}&closed={points[1]}")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        response = client.get(url, headers=HX)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, _text(response)[:1000]
    assert "dokazano optimalno" in _text(response)
    assert min(timings) < 300, timings
