"""The network's map, public page and GeoJSON are kept in process memory by the rows they are drawn
from (web/kept.py): a change of a point or of its figures shows at once, and what one reader was
given is never given to a reader who may see less."""
from __future__ import annotations

from datetime import date

from coordination.accounts.models import Role
from coordination.extensions import db
from coordination.points import services
from coordination.points.models import Programme
from coordination.web import kept
from tests import factories as f
from tests.points import fixtures

SEPTEMBER = date(2023, 9, 1)


def _two_points():
    ours = fixtures.point(f.organisation(), f.municipality("Kamnik"), code="DIT-001")
    theirs = fixtures.point(f.organisation(), f.municipality("Koper"), code="DIT-002")
    db.session.commit()
    return ours, theirs


def test_a_changed_point_shows_at_once_on_the_map_and_the_public_page(client, session, no_csrf):
    ours, _theirs = _two_points()
    f.login(client, f.user(Role.MINISTRY))
    for path in ("/tocke/zemljevid", "/digi-info-tocke"):
        assert "Točka DIT-001" in client.get(path).get_data(as_text=True)
    fields = {key: getattr(ours, key) for key in services.POINT_FIELDS}
    services.update_point(ours, **{**fields, "name": "Knjižnica Kamnik"})
    db.session.commit()
    for path in ("/tocke/zemljevid", "/tocke/zemljevid?status=open", "/digi-info-tocke"):
        text = client.get(path).get_data(as_text=True)
        assert "Knjižnica Kamnik" in text and "Točka DIT-001" not in text, path
    htmx = client.get("/tocke/zemljevid", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Knjižnica Kamnik" in htmx and "<html" not in htmx
    services.close_point(ours, author=None, closed_on=date(2024, 1, 31), reason="Selitev")
    db.session.commit()
    assert "DIT-001" not in client.get("/digi-info-tocke").get_data(as_text=True)  # open points only
    assert 'map-dot-closed' in client.get("/tocke/zemljevid").get_data(as_text=True)


def test_published_figures_show_at_once_and_only_when_published(client, session, no_csrf):
    ours, _theirs = _two_points()
    ministry = f.user(Role.MINISTRY)
    services.save_visits(ours, SEPTEMBER, 40, {}, author=ministry)
    db.session.commit()
    before = client.get("/digi-info-tocke.geojson").get_json(force=True)
    assert all("visits_last_3_months" not in feat["properties"] for feat in before["features"])
    programme = db.session.get(Programme, ours.programme_id)
    programme.publish_visits = True
    db.session.commit()
    figures = {feat["id"]: feat["properties"]["visits_last_3_months"]
               for feat in client.get("/digi-info-tocke.geojson").get_json(force=True)["features"]}
    assert figures == {"DIT-001": 40, "DIT-002": 0}
    services.save_visits(ours, SEPTEMBER, 45, {}, author=ministry)  # a correction
    db.session.commit()
    assert client.get("/digi-info-tocke.geojson").get_json(force=True)["features"][0]["properties"][
        "visits_last_3_months"] == 45
    assert "Obiski, zadnji 3 meseci" in client.get("/digi-info-tocke").get_data(as_text=True)
    programme.publish_visits = False
    db.session.commit()
    assert "Obiski, zadnji 3 meseci" not in client.get("/digi-info-tocke").get_data(as_text=True)
    again = client.get("/digi-info-tocke.geojson").get_json(force=True)
    assert all("visits_last_3_months" not in feat["properties"] for feat in again["features"])


def test_the_geojson_kept_for_the_ministry_is_not_given_to_a_host(client, session, no_csrf):
    ours, _theirs = _two_points()
    ministry = f.user(Role.MINISTRY)
    services.save_visits(ours, SEPTEMBER, 40, {}, author=ministry)
    services.save_visits(_theirs, SEPTEMBER, 7, {}, author=ministry)
    host = f.user(Role.HOST, ours.host)
    db.session.commit()
    f.login(client, ministry)
    seen = {feat["id"]: feat["properties"].get("visits_last_3_months")
            for feat in client.get("/tocke/izvoz/tocke.geojson").get_json(force=True)["features"]}
    assert seen == {"DIT-001": 40, "DIT-002": 7}
    client.post("/odjava")
    other = client.application.test_client()
    f.login(other, host)
    seen = {feat["id"]: feat["properties"].get("visits_last_3_months")
            for feat in other.get("/tocke/izvoz/tocke.geojson").get_json(force=True)["features"]}
    assert seen == {"DIT-001": 40, "DIT-002": None}


def test_kept_drops_the_oldest_beyond_its_budget(monkeypatch):
    kept.forget()
    monkeypatch.setattr(kept, "BUDGET", 10)
    built = []

    def build(value):
        built.append(value)
        return value

    assert kept.kept(("a",), lambda: build("aaaa")) == "aaaa"
    assert kept.kept(("b",), lambda: build("bbbb")) == "bbbb"
    assert kept.kept(("a",), lambda: build("AAAA")) == "aaaa"  # kept; now the most recent
    assert kept.kept(("c",), lambda: build("cccc")) == "cccc"  # 12 > 10: "b" goes
    assert kept.kept(("b",), lambda: build("BBBB")) == "BBBB"
    assert built == ["aaaa", "bbbb", "cccc", "BBBB"]
    kept.forget()
