"""The network's pages and exports: what each reader sees, valid GeoJSON, and query counts that do
not grow with the network."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import geojson
import pytest
from sqlalchemy import insert

from coordination.accounts.models import Role
from coordination.extensions import db
from coordination.points.models import Programme, VisitReport, VisitTopic
from tests import factories as f
from tests.points import fixtures

MUNICIPALITIES = ("Kamnik", "Ljubljana", "Maribor", "Koper", "Murska Sobota", "Novo mesto", "Piran", "Bovec")


def network(size: int, months: int, start: int = 0):
    """`size` points over several regions with `months` months of visits each, per topic."""
    host = f.organisation()
    points = []
    for n in range(start, start + size):
        points.append(fixtures.point(host, f.municipality(MUNICIPALITIES[n % len(MUNICIPALITIES)]),
                                     code=f"DIT-{n + 1:03d}", opened_on=date(2023, 9, 4), cost_per_month=500))
    for point in points:
        for m in range(months):
            month = date(2023 + (8 + m) // 12, (8 + m) % 12 + 1, 1)
            report = db.session.execute(insert(VisitReport).values(point_id=point.id, month=month, total=100)
                                        .returning(VisitReport.id)).scalar()
            db.session.execute(insert(VisitTopic), [{"report_id": report, "topic": t, "visits": 10}
                                                    for t in ("eid", "euprava", "edavki")])
    db.session.commit()
    return points, host


def test_the_public_sees_open_points_and_hours_never_contacts_or_visits(client, session, no_csrf):
    points, _host = network(3, 2)
    page = client.get("/digi-info-tocke")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "DIT-001" in text and "Ponedeljek" in text
    assert "tocka@example.si" not in text and "Obiski, zadnji 3 meseci" not in text
    data = client.get("/digi-info-tocke.geojson").get_json(force=True)
    assert all("visits_last_3_months" not in feat["properties"] for feat in data["features"])
    assert "tocka@example.si" not in json.dumps(data)
    # once the ministry publishes the figures, the public sees them too
    programme = db.session.get(Programme, points[0].programme_id)
    programme.publish_visits = True
    db.session.commit()
    data = client.get("/digi-info-tocke.geojson").get_json(force=True)
    assert {feat["properties"]["visits_last_3_months"] for feat in data["features"]} == {200}


def test_geojson_is_valid_rfc_7946(client, session, no_csrf):
    network(4, 3)
    f.login(client, f.user(Role.MINISTRY))
    for path in ("/tocke/izvoz/tocke.geojson", "/digi-info-tocke.geojson"):
        response = client.get(path)
        assert response.mimetype == "application/geo+json"
        collection = geojson.loads(response.get_data(as_text=True))
        assert collection.is_valid, collection.errors()
        assert "crs" not in collection
        for feature in collection["features"]:
            lon, lat = feature["geometry"]["coordinates"]
            assert 13.3 < lon < 16.7 and 45.4 < lat < 46.9  # longitude first (RFC 7946)
            assert all(len(repr(c).split(".")[-1]) <= 6 for c in (lon, lat))
            for key in ("code", "name", "host", "municipality", "iso_code", "region", "status", "opened_on",
                        "closed_on", "topics"):
                assert key in feature["properties"], key
    ministry = client.get("/tocke/izvoz/tocke.geojson").get_json(force=True)
    assert {feat["properties"]["visits_last_3_months"] for feat in ministry["features"]} == {300}


def test_visit_exports_follow_the_rules(client, session, no_csrf):
    points, host = network(2, 2)
    other = fixtures.point(f.organisation(), f.municipality("Kranj"), code="DIT-900")
    db.session.execute(insert(VisitReport).values(point_id=other.id, month=date(2023, 9, 1), total=7))
    db.session.commit()
    f.login(client, f.user(Role.HOST, host))
    rows = list(csv.reader(io.StringIO(client.get("/tocke/izvoz/obisk.csv").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0] == ["Oznaka", "Točka", "Mesec", "Vsebina", "Obiski"]
    assert {r[0] for r in rows[1:]} == {"DIT-001", "DIT-002"}  # not DIT-900, whose figures are not theirs
    assert ["DIT-001", "Točka DIT-001", "2023-09", "total", "100"] in rows
    assert ["DIT-001", "Točka DIT-001", "2023-09", "eid", "10"] in rows
    points_csv = client.get("/tocke/izvoz/tocke.csv").get_data(as_text=True)
    assert "tocka@example.si" in points_csv  # their own points' contacts


def test_a_municipality_page_lists_its_points(client, session, no_csrf):
    network(2, 1)
    f.login(client, f.user(Role.MUNICIPAL))
    text = client.get(f"/organizacije/{f.municipality('Kamnik').id}").get_data(as_text=True)
    assert "DIT-001" in text and "Digi info točke (1)" in text


PAGES = ("/tocke/", "/tocke/?q=DIT&status=open&topic=eid&sort=municipality", "/tocke/zemljevid",
         "/tocke/{point}", "/tocke/program/", "/tocke/izvoz/tocke.geojson", "/digi-info-tocke",
         "/tocke/izvoz/obisk.csv")


@pytest.mark.parametrize("path", PAGES)
def test_queries_do_not_grow_with_the_network(client, session, no_csrf, count_queries, path):
    ministry = f.user(Role.MINISTRY)
    f.login(client, ministry)
    counts = []
    for size, months, start in ((3, 2, 0), (40, 8, 3)):
        points, _host = network(size, months, start)
        url = path.format(point=points[-1].id)
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(counter.count)
    assert counts[0] == counts[1], (path, counts)


def test_live_filters_answer_htmx_with_the_results_only(client, session, no_csrf):
    network(3, 1)
    f.login(client, f.user(Role.MINISTRY))
    for path, marker in (("/tocke/?status=open", '<table class="points'), ("/tocke/zemljevid?status=open", "point-map"),
                         ("/tocke/vloge/?status=draft", "count")):
        response = client.get(path, headers={"HX-Request": "true"})
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and marker in text and "<html" not in text, path
        assert "HX-Request" in response.headers["Vary"]
