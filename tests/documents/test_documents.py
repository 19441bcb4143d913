"""The meeting documents: minutes and conclusions as PDF/A-3b, with only what the user may see."""
import subprocess
import time
from datetime import UTC, datetime

import pytest

from coordination.accounts.models import Role
from coordination.groups.models import GroupRole
from coordination.meetings import services
from coordination.meetings.models import Attendance, ConclusionKind, Visibility
from tests import factories as f
from tests.meetings import helpers as h

pytestmark = pytest.mark.usefixtures("no_csrf")


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
                          ).stdout.decode("utf-8")


def watermarks(pdf: bytes) -> tuple[int, int]:
    """How many pages carry the rotated DRAFT/OSNUTEK mark (its letters come out in reading order in
    raw mode), and how many pages there are."""
    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    squeezed = "".join(raw.split())
    return squeezed.count("OSNUTEK") + squeezed.count("DRAFT"), raw.count("\f")


def xmp(pdf: bytes) -> str:
    """The document's XMP metadata packet (a compressed stream)."""
    import re
    import zlib

    for match in re.finditer(rb"/Type /Metadata[^>]*>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        return zlib.decompress(match.group(1)).decode("utf-8")
    return ""


def pdffonts(pdf: bytes) -> list[list[str]]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


@pytest.fixture
def meeting(session):
    """A group meeting with participants of every attendance, two items and conclusions."""
    group, people = h.group_with_people()
    meeting = h.meeting(group, title="3. seja delovne skupine za informatiko")
    kamnik = f.municipality("Kamnik")
    services.add_participant(meeting, organisation=kamnik, user=people[GroupRole.SECRETARY],
                             attendance=Attendance.PRESENT)
    services.add_participant(meeting, organisation=kamnik, user=people[GroupRole.MEMBER],
                             attendance=Attendance.EXCUSED)
    services.add_participant(meeting, organisation=f.by_short_name("SOS"), attendance=Attendance.GUEST)
    first = services.add_agenda_item(meeting, title="Pregled zahtev občin", visibility=Visibility.INTERNAL)
    services.save_minutes(first, text="Razprava o **šifrantih**, čakalnih vrstah in žigih.\n\n<script>alert(1)</script>",
                          base_version=0, author=people[GroupRole.SECRETARY])
    services.add_agenda_item(meeting, title="Razno", visibility=Visibility.INTERNAL)
    services.add_conclusion(meeting, text="Občine pošljejo zahteve do 30. junija.", kind=ConclusionKind.DECISION,
                            visibility=Visibility.INTERNAL, agenda_item=first)
    services.add_conclusion(meeting, text="Ustanovi se podskupina za šifrante.", kind=ConclusionKind.RECOMMENDATION,
                            visibility=Visibility.INTERNAL)
    return meeting, people


def _get(client, user, url):
    f.login(client, user)
    return client.get(url)


def test_minutes_pdf(client, meeting):
    meeting, people = meeting
    response = _get(client, people[GroupRole.SECRETARY], f"/sestanki/{meeting.id}/zapisnik.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=zapisnik-3-seja-delovne-skupine-za-informatiko-2024-03-20.pdf")
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdftotext(response.data)
    for expected in ("MINISTRSTVO ZA DIGITALNO PREOBRAZBO", "Delovna skupina za IT zahteve (DS-IT)",
                     "Zapisnik sestanka", "3. seja delovne skupine za informatiko", "20. 3. 2024, 10.00–12.00",
                     "Ljubljana, Davčna 1", "Prisotni", "Secretary Kamnik (Kamnik)", "Opravičeno odsotni",
                     "Member Kamnik (Kamnik)", "Skupnost občin Slovenije", "Dnevni red", "1. Pregled zahtev občin",
                     "Razprava o šifrantih, čakalnih vrstah in žigih.", "2. Razno",
                     "Sklep 1", "DS-IT 2024/1", "Občine pošljejo zahteve do 30. junija.", "Sklep 2", "DS-IT 2024/2",
                     "Priporočilo", "stran 1 od", "Osnutek: zapisnik še ni potrjen."):
        assert expected in text, expected
    marks, pages = watermarks(response.data)
    assert marks == pages >= 1  # a draft says so on every page
    # the script in the minutes is text on the page, never markup
    assert "<script>alert(1)</script>" in text


def test_conclusions_pdf_holds_the_conclusions_without_the_minutes(client, meeting):
    meeting, people = meeting
    response = _get(client, f.user(Role.MINISTRY), f"/sestanki/{meeting.id}/sklepi.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=sklepi-3-seja-delovne-skupine-za-informatiko-2024-03-20.pdf")
    text = pdftotext(response.data)
    assert "Sklepi" in text and "Ustanovi se podskupina za šifrante." in text and "DS-IT 2024/2" in text
    assert "Razprava o" not in text and "Dnevni red" not in text


def test_pdf_a_3b_with_embedded_fonts(client, meeting):
    meeting, people = meeting
    pdf = _get(client, f.user(Role.MINISTRY), f"/sestanki/{meeting.id}/sklepi.pdf").data
    assert pdf.startswith(b"%PDF-")
    metadata = xmp(pdf)
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    assert "Sklepi: 3. seja delovne skupine za informatiko" in metadata  # the title, intact
    fonts = pdffonts(pdf)
    assert fonts and all("DejaVu" in row[0] for row in fonts)
    # columns: name type encoding emb sub uni ...; every font embedded
    assert all(row[-5] == "yes" for row in fonts), fonts


def test_approved_minutes_carry_no_draft_mark_and_name_the_approver(client, session, meeting):
    meeting, people = meeting
    services.circulate(meeting)
    draft = _get(client, f.user(Role.MINISTRY), f"/sestanki/{meeting.id}/zapisnik.pdf").data
    assert "Poslano v pregled" in pdftotext(draft) and watermarks(draft)[0] >= 1
    services.approve(meeting, people[GroupRole.SECRETARY], confirmed=services.ALL_OPEN_POINTS)
    pdf = client.get(f"/sestanki/{meeting.id}/zapisnik.pdf").data
    text = pdftotext(pdf)
    assert watermarks(pdf)[0] == 0 and "Osnutek" not in text and "Potrjen" in text
    assert "Potrditev zapisnika: Secretary Kamnik" in text  # gender unknown: a neutral label (test_letterhead.py)


def test_the_pdf_holds_only_what_the_user_may_see(client, session):
    public = h.meeting(None, title="Javni posvet o digitalizaciji", visibility=Visibility.PUBLIC)
    services.add_agenda_item(public, title="Javna točka", visibility=Visibility.PUBLIC)
    services.add_agenda_item(public, title="Interna točka", visibility=Visibility.INTERNAL)
    services.add_conclusion(public, text="Javni sklep o točkah.", kind=ConclusionKind.DECISION,
                            visibility=Visibility.PUBLIC)
    services.add_conclusion(public, text="Interni sklep o proračunu.", kind=ConclusionKind.DECISION,
                            visibility=Visibility.INTERNAL)
    outsider = f.user(Role.MUNICIPAL, f.municipality("Ljubljana"))
    for url in (f"/sestanki/{public.id}/zapisnik.pdf", f"/sestanki/{public.id}/sklepi.pdf"):
        text = pdftotext(_get(client, outsider, url).data)
        assert "Javni sklep o točkah." in text and "Interni sklep" not in text and "Interna točka" not in text
        client.post("/odjava")
        staff = pdftotext(_get(client, f.user(Role.MINISTRY), url).data)
        assert "Interni sklep o proračunu." in staff
        client.post("/odjava")


def test_who_may_download(client, meeting):
    meeting, people = meeting
    url = f"/sestanki/{meeting.id}/sklepi.pdf"
    assert client.get(url).status_code == 302  # sign in first
    assert _get(client, f.user(Role.MUNICIPAL, f.municipality("Ljubljana")), url).status_code == 404  # unknown
    assert client.get("/sestanki/999999/zapisnik.pdf").status_code == 404
    client.post("/odjava")
    assert _get(client, people[GroupRole.OBSERVER], url).status_code == 200


def test_english_documents(client, meeting):
    meeting, people = meeting
    f.login(client, f.user(Role.MINISTRY))
    text = pdftotext(client.get(f"/sestanki/{meeting.id}/sklepi.pdf?lang=en").data)
    assert "Conclusions" in text and "page 1 of 1" in text and "Draft:" in text
    assert "20 Mar 2024, 10:00–12:00" in text


def test_a_ten_item_minutes_pdf_builds_well_under_a_second(client, session):
    group, people = h.group_with_people()
    meeting = h.meeting(group, title="Seja z desetimi točkami")
    paragraph = ("Udeleženci so razpravljali o zahtevah občin, šifrantih in žigosanju dokumentov. "
                 "Predsedujoči je povzel sklepe. ") * 6
    for n in range(1, 11):
        item = services.add_agenda_item(meeting, title=f"Točka {n}: čiščenje podatkov", visibility=Visibility.INTERNAL)
        services.save_minutes(item, text=f"## Razprava\n\n{paragraph}\n\n- prva alineja\n- druga alineja\n\n{paragraph}",
                              base_version=0, author=people[GroupRole.SECRETARY])
        services.add_conclusion(meeting, text=f"Sklep k točki {n}: občine poročajo do konca meseca.",
                                kind=ConclusionKind.DECISION, visibility=Visibility.INTERNAL, agenda_item=item)
    f.login(client, people[GroupRole.SECRETARY])
    url = f"/sestanki/{meeting.id}/zapisnik.pdf"
    client.get(url)  # the first PDF of the process loads the fonts
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
    assert response.status_code == 200
    pages = pdftotext(response.data).count("\f")
    typical = sorted(timings)[1]  # the median: one slow run on a busy machine is not the document's cost
    print(f"\nminutes PDF, 10 items, {pages} pages, {len(response.data) // 1024} KiB: "
          f"{typical * 1000:.0f} ms (median of 3; best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms)")
    assert typical < 1.5


def test_when_crosses_midnight(app):
    from coordination.web.formatting import format_period

    with app.test_request_context():
        assert format_period(datetime(2024, 3, 20, 21, 0, tzinfo=UTC),
                             datetime(2024, 3, 21, 1, 0, tzinfo=UTC)) == "20. 3. 2024, 22.00 – 21. 3. 2024, 2.00"
