"""A fan-out at a glance (actions/glance.py, templates/actions/_matrix_glance.html): the map of the
seats shaped and coloured by status with its legend, the tiles by region, links only to items the
reader may see, and the same drawing in the fan-out report PDF."""
import re
from collections import Counter

import pytest

from coordination.accounts.models import Role
from coordination.actions.models import ItemStatus
from coordination.extensions import db
from coordination.meetings.models import Visibility
from tests import factories as f
from tests.actions import test_fanout
from tests.actions.test_fanout import _conclusion, _fan_out, _spread
from tests.documents.test_documents import pdftotext

pytestmark = pytest.mark.usefixtures("no_csrf")

sos_members = test_fanout.sos_members  # the fixture: SOS with four member municipalities

SHAPES = {"done": "circle", "in_progress": "rect", "open": "path", "blocked": "path", "cancelled": "path"}


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY, name="Marko Ministrski")


def _glance_svg(html: str) -> str:
    return re.search(r'<svg[^>]*id="glance-map".*?</svg>', html, re.S).group(0)


def test_the_map_has_a_dot_per_municipality_shaped_by_status_with_a_legend(client, staff):
    fanout = _fan_out(_conclusion(staff), staff)
    items = _spread(fanout, staff)
    items[-1].status = ItemStatus.CANCELLED
    db.session.commit()
    counts = Counter(i.status.value for i in items)
    f.login(client, staff)
    html = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    svg = _glance_svg(html)
    marks = re.findall(r'<a href="/naloge/(\d+)" tabindex="-1" class="map-mark status-(\w+)( is-overdue)?">'
                       r"<title>([^<]*)</title><(\w+)[^>]*/>(<circle[^>]*fill=\"none\"[^>]*/>)?</a>", svg)
    assert len(marks) == 212 and len({m[0] for m in marks}) == 212
    assert Counter(m[1] for m in marks) == counts
    for _id, status, overdue, _title, element, ring in marks:
        assert element == SHAPES[status], (status, element)
        assert bool(overdue) == bool(ring)  # overdue: a ring around the mark, not colour alone
    # the triangle (open), diamond (blocked) and cross (cancelled) differ in their outlines
    paths = {m[1]: re.search(rf'status-{m[1]}[^>]*><title>[^<]*</title><path d="([^"]*)"', svg).group(1)
             for m in marks if m[4] == "path"}
    assert paths["open"].count("L") == 2 and paths["blocked"].count("L") == 3 and "M" in paths["cancelled"][1:]
    kamnik = next(m for m in marks if m[3].startswith("Kamnik"))
    assert kamnik[1] == "open" and kamnik[2] and kamnik[3] == "Kamnik: Odprta, zamuja"
    # the legend names every status with its count, and overdue
    legend = re.search(r'<g class="map-legend".*?</g>', svg, re.S).group(0)
    for label, status in (("Odprta", "open"), ("V teku", "in_progress"), ("Blokirana", "blocked"),
                          ("Opravljena", "done"), ("Preklicana", "cancelled")):
        assert f">{label} ({counts[status]})</text>" in legend
    assert ">Zamuja (1)</text>" in legend
    # the text alternative: the tiles, one per municipality, each a link with its status in words
    assert 'aria-describedby="glance-map-desc glance-tiles"' in svg
    tiles = re.findall(r'<li class="tile status-(\w+)[^"]*"><a href="/naloge/(\d+)">([^<]+)<span class="visually-hidden">: ([^<]+)</span>',
                       html)
    assert len(tiles) == 212 and Counter(t[0] for t in tiles) == counts
    assert ("open", str(kamnik[0]), "Kamnik", "Odprta, zamuja") in tiles
    assert len(re.findall(r'<h3 id="glance-SI\d+">', html)) == 12
    # the glance sits between the page head and the summary, and does not disturb the matrix cells
    assert html.index('id="glance-map"') < html.index('class="matrix-summary"')
    assert html.count('class="cell status-') == 212


def test_only_items_the_reader_may_see_are_drawn_and_linked(client, staff, sos_members):
    """An internal conclusion's fan-out: an association's staff see only their members' items."""
    fanout = _fan_out(_conclusion(staff, Visibility.INTERNAL), staff)
    f.login(client, f.user(Role.ASSOCIATION, f.by_short_name("SOS")))
    html = client.get(f"/razprsitve/{fanout.id}").get_data(as_text=True)
    svg = _glance_svg(html)
    members = {m.id for m in sos_members}
    visible = {str(i.id) for i in fanout.items if i.assignee_org_id in members}
    assert len(visible) == 4
    assert set(re.findall(r'href="/naloge/(\d+)"', svg)) == visible
    assert set(re.findall(r'<li class="tile[^"]*"><a href="/naloge/(\d+)"', html)) == visible
    assert svg.count('class="map-mark ') == 4 and "Kamnik" in svg and "Kranj" not in svg
    assert ">Zamuja (0)</text>" in svg and 'Odprta (4)</text>' in svg


def test_the_report_pdf_carries_the_map_legend_and_region_table(client, staff):
    fanout = _fan_out(_conclusion(staff), staff)
    items = _spread(fanout, staff)
    counts = Counter(i.status.value for i in items)
    f.login(client, staff)
    response = client.get(f"/razprsitve/{fanout.id}/porocilo.pdf")
    assert response.status_code == 200
    text = pdftotext(response.data)
    first_page = text.split("\f")[0]
    assert f"Opravljena ({counts['done']})" in first_page and f"V teku ({counts['in_progress']})" in first_page
    assert "Zamuja (1)" in first_page
    assert "Po regijah" in text
    gorenjska = re.search(r"Gorenjska((?:\s+\d+){6})\s+\d+ %", text)
    assert gorenjska, "the region table has a row per region with its counts"
    assert re.search(r"Skupaj\s+" + r"\s+".join(str(counts.get(s, 0)) for s in
                                                ("open", "in_progress", "blocked", "done", "cancelled")), text)
