"""The action-item status report as PDF/A-3b: items by status with owners and due dates, overdue
marked, progress, the bar chart as vector drawing; for a group, a meeting, a fan-out and a
municipality; only the items the user may see."""
import re
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import types
from coordination.accounts.models import Role
from coordination.actions import services
from coordination.actions.models import ActionItem, FanOutScope, ItemStatus, Priority
from coordination.extensions import db
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import ConclusionKind, Visibility
from tests import factories as f
from tests.documents.test_documents import pdffonts, pdftotext, xmp
from tests.meetings import helpers as h

pytestmark = pytest.mark.usefixtures("no_csrf")


def _get(client, user, url):
    client.post("/odjava")
    f.login(client, user)
    return client.get(url)


def _pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


@pytest.fixture
def setting(session):
    """A group meeting with an internal conclusion (two items: Kamnik's overdue with a named person,
    Žalec's done) and a public meeting whose conclusion fans out to all 212 municipalities."""
    staff = f.user(Role.MINISTRY, name="Marko Ministrski")
    group, people = h.group_with_people()
    secretary = people[GroupRole.SECRETARY]
    meeting = h.meeting(group, title="3. seja delovne skupine za informatiko")
    internal = meetings.add_conclusion(meeting, text="Občine pošljejo šifrante.", kind=ConclusionKind.DECISION,
                                       visibility=Visibility.INTERNAL)
    kamnik, zalec = f.municipality("Kamnik"), f.municipality("Žalec")
    today = types.today()
    late = services.create_item(title="Poslati šifrante čakalnih vrst", assignee_org=kamnik, assignee_user=secretary,
                                author=staff, conclusion=internal, due_date=today - timedelta(days=3),
                                priority=Priority.HIGH)
    finished = services.create_item(title="Pregledati žige", assignee_org=zalec, author=staff, conclusion=internal,
                                    due_date=today + timedelta(days=10))
    services.change_status(finished, ItemStatus.DONE, author=staff)
    public = h.meeting(None, title="Sestanek z ministrico", visibility=Visibility.PUBLIC)
    national = meetings.add_conclusion(public, text="Občine imenujejo predstavnika.", kind=ConclusionKind.DECISION,
                                       visibility=Visibility.PUBLIC)
    fanout = services.fan_out(national, title="Imenovati predstavnika za strategijo", author=staff,
                              scope=FanOutScope.ALL, due_date=today + timedelta(days=5))
    items = db.session.scalars(select(ActionItem).where(ActionItem.fanout_id == fanout.id).order_by(ActionItem.id)).all()
    for n, item in enumerate(items):
        if n % 3 == 0:
            item.status = ItemStatus.DONE
        elif n % 7 == 0:
            item.status, item.due_date = ItemStatus.BLOCKED, today - timedelta(days=1)
    db.session.commit()
    return {"staff": staff, "group": group, "meeting": meeting, "public": public, "fanout": fanout,
            "secretary": secretary, "late": late, "finished": finished, "items": items}


def test_fanout_report_with_chart_owners_and_overdue_marks_for_212_items(client, setting):
    url = f"/razprsitve/{setting['fanout'].id}/porocilo.pdf"
    _get(client, setting["staff"], url)  # the first PDF of the process loads the fonts
    timings, cpu = [], []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.match(r"attachment; filename=naloge-imenovati-predstavnika-za-strategijo-\d{4}-\d\d-\d\d\.pdf",
                    response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = response.data
    text = pdftotext(pdf)
    pages = _pages(pdf)
    typical, typical_cpu = sorted(timings)[1], sorted(cpu)[1]
    print(f"\nstatus report PDF, 212 items, {pages} pages, {len(pdf) // 1024} KiB: {typical * 1000:.0f} ms "
          f"(median of 3; best {min(timings) * 1000:.0f} ms), of which this process computed "
          f"{typical_cpu * 1000:.0f} ms")
    # the bar is on the work the request costs (processor time of this process): on a machine shared
    # with other test runs the wall-clock figure also holds the time spent waiting for a processor
    assert typical_cpu < 2.0
    done = sum(1 for i in setting["items"] if i.status == ItemStatus.DONE)
    for expected in ("POROČILO O STANJU NALOG", "Imenovati predstavnika za strategijo", "vse občine",
                     "Odprta", "Blokirana", "Opravljena", f"{round(100 * done / 212)} % · opravljeno {done} od 212",
                     "Črnomelj", "Škofja Loka", "Žalec", "Nosilec", "Regija", "Rok", "zamuja 1 dan", "Jugovzhodna Slovenija",
                     f"stran 1 od {pages}", f"stran {pages} od {pages}"):
        assert expected in text, expected
    assert pages >= 4
    # the chart is vector drawing with its words as text: a label and a count (percentage) per bar
    assert re.search(rf"Opravljena\s+{done} \(\d+ %\)", text), text[:1500]
    assert re.search(rb"\d+(\.\d+)? \d+(\.\d+)? \d+(\.\d+)? \d+(\.\d+)? re", _content(pdf))
    metadata = xmp(pdf)
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    assert "Poročilo o stanju nalog: Imenovati predstavnika za strategijo" in metadata
    fonts = pdffonts(pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts


def _content(pdf: bytes) -> bytes:
    """The page content streams, decompressed."""
    import zlib

    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(out)


def test_meeting_and_group_reports_show_owners_and_only_what_the_user_may_see(client, setting):
    meeting, group = setting["meeting"], setting["group"]
    text = pdftotext(_get(client, setting["secretary"], f"/sestanki/{meeting.id}/naloge.pdf").data)
    for expected in ("3. seja delovne skupine za informatiko", "Poslati šifrante čakalnih vrst", "Kamnik",
                     "Secretary Kamnik", "zamuja 3 dni", "Pregledati žige", "Žalec", "DS-IT", "50 % · opravljeno 1 od 2"):
        assert expected in text, expected
    assert "Imenovati predstavnika" not in text  # another meeting's items
    group_text = pdftotext(client.get(f"/skupine/{group.id}/naloge.pdf").data)
    assert "Poslati šifrante čakalnih vrst" in group_text and "Delovna skupina za IT zahteve (DS-IT)" in group_text
    # the group page is open to every signed-in user, its internal items are not
    outsider = f.user(Role.MUNICIPAL, f.municipality("Koper"))
    response = _get(client, outsider, f"/skupine/{group.id}/naloge.pdf")
    assert response.status_code == 200
    outsider_text = pdftotext(response.data)
    assert "Poslati šifrante" not in outsider_text and "Tu ni nalog" in outsider_text
    assert client.get(f"/sestanki/{meeting.id}/naloge.pdf").status_code == 404  # not visible: unknown
    assert client.get("/sestanki/999999/naloge.pdf").status_code == 404
    assert client.get("/skupine/999999/naloge.pdf").status_code == 404


def test_municipality_report_for_those_who_see_its_private_records(client, setting):
    kamnik = f.municipality("Kamnik")
    url = f"/organizacije/{kamnik.id}/naloge.pdf"
    own = _get(client, f.user(Role.MUNICIPAL, kamnik), url)
    assert own.status_code == 200
    text = pdftotext(own.data)
    assert "Kamnik" in text and "Poslati šifrante čakalnih vrst" in text and "Imenovati predstavnika" in text
    assert "Pregledati žige" not in text  # Žalec's
    assert _get(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")), url).status_code == 403
    assert _get(client, f.user(Role.HOST), url).status_code == 403
    assert _get(client, f.user(Role.ASSOCIATION), url).status_code == 403  # Kamnik is no member here
    assert _get(client, setting["staff"], url).status_code == 200
    assert client.get("/organizacije/999999/naloge.pdf").status_code == 404
    client.post("/odjava")
    assert client.get(url).status_code == 302


def test_fanout_report_follows_the_matrix_rule(client, setting):
    internal = meetings.add_conclusion(setting["meeting"], text="Zaupno.", kind=ConclusionKind.INFORMATION,
                                       visibility=Visibility.CONFIDENTIAL)
    secret = services.fan_out(internal, title="Zaupna naloga", author=setting["staff"], scope=FanOutScope.CHOSEN,
                              chosen=[f.municipality("Kamnik").id])
    assert _get(client, f.user(Role.ASSOCIATION), f"/razprsitve/{secret.id}/porocilo.pdf").status_code == 404
    assert _get(client, f.user(Role.HOST), f"/razprsitve/{setting['fanout'].id}/porocilo.pdf").status_code == 200
    assert client.get("/razprsitve/999999/porocilo.pdf").status_code == 404


def test_english_report(client, setting):
    f.login(client, setting["staff"])
    text = pdftotext(client.get(f"/sestanki/{setting['meeting'].id}/naloge.pdf?lang=en").data)
    assert "ACTION ITEM STATUS REPORT" in text and re.search(r"overdue by 3\s+days", text) and "page 1 of 1" in text
