"""Documents a ministry would send: the organiser's letterhead (with the crest an administrator
uploads), a file number from the organisation's pattern given once and never reused, the chair and
record-keeper, a signature block whose forms of address follow each person's gender, and the
document's own language."""
from __future__ import annotations

import io
import subprocess
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import select

from coordination.accounts.models import Gender, Role
from coordination.documents import letterhead as checks
from coordination.documents import services as documents
from coordination.documents.models import DocumentCounter, DocumentKind, IssuedDocument, Letterhead
from coordination.extensions import db
from coordination.meetings import services as meetings
from coordination.meetings.models import Attendance, ConclusionKind, Visibility
from coordination.types import LJUBLJANA
from tests import factories as f
from tests.documents.test_documents import pdffonts, pdftotext, xmp

pytestmark = pytest.mark.usefixtures("no_csrf")

CONCLUSION_TEXTS = (
    "Ustanovi se medresorska delovna skupina za digitalizacijo lokalne samouprave.",
    "Ustanovi se delovna skupina občinskih skrbnikov podatkov.",
)


def png(size=(40, 40), colour=(29, 79, 145)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def letterhead_objects() -> int:
    """The ministry with a crest (the access matrix asks for it); its id."""
    mdp = f.by_short_name("MDP")
    documents.save_letterhead(mdp, pattern="{code}-{year}/{seq:03d}", crest=png())
    return mdp.id


def minister_meeting(chair_gender=Gender.MALE, recorder_gender=Gender.FEMALE, approve=True):
    """The meeting of 20. 9. 2022 as the demo has it: MDP, ZMOS and SOS, people by organisation,
    two of the five conclusions, approved on 4. 10. 2022."""
    mdp, zmos, sos = f.by_short_name("MDP"), f.by_short_name("ZMOS"), f.by_short_name("SOS")
    minister = f.user(Role.MINISTRY, mdp, name="Marko Ministrski")
    recorder = f.user(Role.ADMIN, mdp, name="Ana Administratorka")
    association = f.user(Role.ASSOCIATION, sos, name="Sara Združenjska")
    minister.gender, recorder.gender = chair_gender, recorder_gender
    meeting = f.meeting(None, title="Sestanek ZMOS in SOS z ministrom za digitalno preobrazbo",
                        start=datetime(2022, 9, 20, 10, 0, tzinfo=LJUBLJANA), visibility=Visibility.PUBLIC,
                        place="Ministrstvo za digitalno preobrazbo, Ljubljana", organisers=[mdp, zmos, sos],
                        created_by=minister)
    meetings.add_participant(meeting, organisation=mdp, user=minister, attendance=Attendance.PRESENT)
    meetings.add_participant(meeting, organisation=mdp, user=recorder, attendance=Attendance.PRESENT)
    meetings.add_participant(meeting, organisation=sos, user=association, attendance=Attendance.PRESENT)
    meetings.add_participant(meeting, organisation=zmos, attendance=Attendance.EXCUSED)
    item = meetings.add_agenda_item(meeting, title="Digitalizacija lokalne samouprave", visibility=Visibility.PUBLIC)
    meetings.save_minutes(item, author=recorder, base_version=0, text="Minister je predstavil prednostne naloge.")
    for text in CONCLUSION_TEXTS:
        meetings.add_conclusion(meeting, text=text, kind=ConclusionKind.DECISION, visibility=Visibility.PUBLIC,
                                agenda_item=item)
    meetings.set_chair_and_recorder(meeting, chair=minister, recorder=recorder)
    if approve:
        meetings.circulate(meeting)
        meetings.approve(meeting, minister, confirmed=meetings.ALL_OPEN_POINTS)
        meeting.approved_at = datetime(2022, 10, 4, 9, 0, tzinfo=LJUBLJANA)
    db.session.flush()
    return meeting, minister


def _pdf(client, user, url):
    client.post("/odjava")
    f.login(client, user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.data


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- the document ----------------------------------------------------------------------------------

def test_the_minutes_carry_letterhead_file_number_people_and_gendered_signatures(client, session):
    meeting, minister = minister_meeting()
    pdf = _pdf(client, minister, f"/sestanki/{meeting.id}/zapisnik.pdf")
    text = one_line(pdftotext(pdf))
    for expected in ("Ministrstvo za digitalno preobrazbo", "Številka dokumenta MDP-2022/001", "Datum 20. 9. 2022",
                     "Zapisnik sestanka", "20. 9. 2022, 10.00–12.00", "Predsedujoči Marko Ministrski (MDP)",
                     "Zapisnikarka Ana Administratorka (MDP)", "Sara Združenjska (SOS)", "Opravičeno odsotni",
                     "Sklepi", "Sklep 1", "MDP 2022/1", "Sklep 2", "MDP 2022/2",
                     "Zapisnik je potrdil Marko Ministrski dne 4. oktobra 2022.",
                     "Zapisala:", "Predsedujoči:", "Potrdil:", "Marko Ministrski, 4. 10. 2022"):
        assert expected in text, expected
    assert "(a)" not in text and "/a " not in text
    assert 'pdfaid:part="3"' in xmp(pdf) and 'pdfaid:conformance="B"' in xmp(pdf)
    fonts = pdffonts(pdf)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts


def test_women_and_men_and_the_unknown_are_addressed_accordingly(client, session):
    meeting, minister = minister_meeting(chair_gender=Gender.FEMALE, recorder_gender=Gender.MALE)
    text = one_line(pdftotext(_pdf(client, minister, f"/sestanki/{meeting.id}/sklepi.pdf")))
    assert "Predsedujoča Marko Ministrski" in text and "Zapisnikar Ana Administratorka" in text
    assert "Zapisal:" in text and "Potrdila:" in text and "Zapisnik je potrdila Marko Ministrski" in text


def test_unknown_gender_gets_a_neutral_role_label_never_a_split_form(client, session):
    meeting, minister = minister_meeting(chair_gender=None, recorder_gender=None)
    text = one_line(pdftotext(_pdf(client, minister, f"/sestanki/{meeting.id}/zapisnik.pdf")))
    for expected in ("Vodenje seje Marko Ministrski", "Zapisnik Ana Administratorka", "Zapisnik:", "Vodenje seje:",
                     "Potrditev:", "Potrditev zapisnika: Marko Ministrski, 4. oktobra 2022."):
        assert expected in text, expected
    for split in ("(a)", "Zapisal/a", "Potrdil/a", "Zapisal ", "Potrdil ", "potrdil "):
        assert split not in text, split


def test_chair_and_record_keeper_come_from_the_group_roles_when_the_meeting_names_none(client, session):
    from coordination.groups.models import GroupRole

    group = f.group(name="Delovna skupina za IT zahteve", code="DS-IT")
    chair = f.user(Role.MINISTRY, name="Nina Vodja")
    chair.gender = Gender.FEMALE
    secretary = f.user(Role.MUNICIPAL, name="Tone Tajnik")
    f.member(group, chair, GroupRole.CHAIR)
    f.member(group, secretary, GroupRole.SECRETARY)
    meeting = f.meeting(group, title="1. seja")
    text = one_line(pdftotext(_pdf(client, chair, f"/sestanki/{meeting.id}/zapisnik.pdf")))
    assert "Predsedujoča Nina Vodja" in text and "Zapisnik Tone Tajnik" in text
    assert "Delovna skupina za IT zahteve (DS-IT)" in text


def test_the_conclusions_document_uses_the_interface_term(client, session):
    meeting, minister = minister_meeting()
    response = client.get("/odjava")
    f.login(client, minister)
    response = client.get(f"/sestanki/{meeting.id}/sklepi.pdf")
    assert "filename=sklepi-sestanek-zmos-in-sos-z-ministrom" in response.headers["Content-Disposition"]
    text = pdftotext(response.data)
    assert "Sklepi" in text and "Zaključki" not in text and "Dnevni red" not in text
    assert "Sklepi: Sestanek ZMOS in SOS" in xmp(response.data)
    page = client.get(f"/sestanki/{meeting.id}").get_data(as_text=True)
    assert "Sklepi" in page


# --- file numbers ----------------------------------------------------------------------------------

def test_file_numbers_are_given_on_first_issue_stay_and_are_never_reused(client, session):
    meeting, minister = minister_meeting()
    f.login(client, minister)
    draft, _ = minister_meeting(approve=False)
    draft_text = one_line(pdftotext(client.get(f"/sestanki/{draft.id}/zapisnik.pdf").data))
    assert "MDP-2022" not in draft_text and "ob prvi izdaji" in draft_text  # a draft is not issued
    assert documents.issued(draft, DocumentKind.MINUTES) is None

    minutes = client.get(f"/sestanki/{meeting.id}/zapisnik.pdf").data
    conclusions = client.get(f"/sestanki/{meeting.id}/sklepi.pdf").data
    again = client.get(f"/sestanki/{meeting.id}/zapisnik.pdf?lang=en").data
    assert "MDP-2022/001" in pdftotext(minutes) and "MDP-2022/001" in pdftotext(again)
    assert "MDP-2022/002" in pdftotext(conclusions)
    # an administrator changes the pattern: numbers already given stay as they were
    admin = f.user(Role.ADMIN)
    client.post("/odjava")
    f.login(client, admin)
    assert client.post(f"/organizacije/{meeting.organisers[0].id}/glava-dokumentov",
                       data={"file_number_pattern": "{code}/{seq:04d}-{year}"}).status_code == 302
    assert "MDP-2022/001" in pdftotext(client.get(f"/sestanki/{meeting.id}/zapisnik.pdf").data)
    # a meeting deleted with its documents takes its numbers with it: they are not given again
    other, _ = minister_meeting()
    db.session.delete(meeting)
    db.session.flush()
    text = pdftotext(client.get(f"/sestanki/{other.id}/zapisnik.pdf").data)
    assert "MDP/0003-2022" in text
    mdp = f.by_short_name("MDP")
    assert db.session.scalar(select(DocumentCounter.last).where(DocumentCounter.organisation_id == mdp.id,
                                                                DocumentCounter.year == 2022)) == 3
    assert [d.number for d in db.session.scalars(select(IssuedDocument))] == ["MDP/0003-2022"]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("{code}-{year}/{seq:03d}", "MDP-2022/007"),
    ("{seq}/{year}", "7/2022"),
    ("0141-{seq:04d}/{year}", "0141-0007/2022"),
])
def test_patterns(pattern, expected):
    assert checks.pattern_problem(pattern) is None
    assert checks.file_number(pattern, code="MDP", year=2022, seq=7) == expected


@pytest.mark.parametrize("pattern", ["", "{code}-{year}", "{seq.__class__}", "{seq!r}", "{0}-{seq}", "{seq:>{x}}",
                                     "{seq:03x}", "{seq}\n", "x" * 61, "{code}{seq} {"])
def test_unusable_patterns_are_refused(pattern):
    assert checks.pattern_problem(pattern) is not None


# --- the crest -------------------------------------------------------------------------------------

def _upload(client, org, data: bytes, name: str, pattern="{code}-{year}/{seq:03d}", **extra):
    return client.post(f"/organizacije/{org.id}/glava-dokumentov", content_type="multipart/form-data",
                       data={"file_number_pattern": pattern, "crest": (io.BytesIO(data), name), **extra})


def test_an_administrator_uploads_a_crest_that_every_document_of_the_organisation_carries(client, session):
    meeting, minister = minister_meeting()
    mdp = f.by_short_name("MDP")
    admin = f.user(Role.ADMIN)
    f.login(client, admin)
    page = client.get(f"/organizacije/{mdp.id}/glava-dokumentov")
    assert page.status_code == 200 and "Vzorec številk dokumentov" in page.get_data(as_text=True)
    assert _upload(client, mdp, png(), "grb.png").status_code == 302
    head = db.session.get(Letterhead, mdp.id)
    assert head.crest_type == "image/png" and head.crest_size == len(head.crest)
    served = client.get(f"/organizacije/{mdp.id}/grb")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == head.crest
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    pdf = _pdf(client, minister, f"/sestanki/{meeting.id}/zapisnik.pdf")
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert len(images.strip().splitlines()) == 3, images  # the header lines and the crest
    report = _pdf(client, minister, f"/sestanki/{meeting.id}/naloge.pdf")  # documents naming no organisation
    assert "MINISTRSTVO ZA DIGITALNO PREOBRAZBO" in pdftotext(report)
    assert len(subprocess.run(["pdfimages", "-list", "-"], input=report, capture_output=True,
                              check=True).stdout.decode().strip().splitlines()) == 3
    # removed again
    client.post("/odjava")
    f.login(client, admin)
    assert client.post(f"/organizacije/{mdp.id}/glava-dokumentov",
                       data={"file_number_pattern": "{code}-{year}/{seq:03d}", "remove_crest": "y"}).status_code == 302
    assert client.get(f"/organizacije/{mdp.id}/grb").status_code == 404


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><image href="file:///etc/passwd"/></svg>'


@pytest.mark.parametrize(("data", "name", "status"), [
    (SVG, "grb.svg", 422),
    (SVG, "grb.png", 422),                                  # the name does not make it a PNG
    (b"%PDF-1.7\n" + b"x" * 100, "grb.png", 422),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "grb.png", 422),  # a PNG signature, then nothing an image is
    (b"\xff\xd8\xff" + b"x" * 64, "grb.jpg", 422),
    (b"", "grb.png", 422),                                   # an empty file
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (checks.CREST_MAX_BYTES + 10), "grb.png", 413),
])
def test_the_crest_must_be_a_small_png_or_jpeg_by_its_content(client, session, data, name, status):
    mdp = f.by_short_name("MDP")
    f.login(client, f.user(Role.ADMIN))
    response = _upload(client, mdp, data, name)
    assert response.status_code == status
    head = db.session.get(Letterhead, mdp.id)
    assert head is None or head.crest is None  # nothing kept
    if status != 302:
        assert 'class="error"' in response.get_data(as_text=True)


def test_a_huge_picture_and_a_bad_pattern_are_refused_and_change_nothing(client, session):
    mdp = f.by_short_name("MDP")
    f.login(client, f.user(Role.ADMIN))
    assert _upload(client, mdp, png(size=(3100, 10)), "grb.png").status_code == 422
    response = _upload(client, mdp, png(), "grb.png", pattern="{code}-{year}")
    assert response.status_code == 422 and "{seq}" in response.get_data(as_text=True)
    assert db.session.get(Letterhead, mdp.id) is None


def test_only_administrators_set_the_letterhead_and_only_signed_in_users_see_the_crest(client, session):
    mdp = f.by_short_name("MDP")
    documents.save_letterhead(mdp, pattern="{code}-{year}/{seq:03d}", crest=png())
    url = f"/organizacije/{mdp.id}/glava-dokumentov"
    assert client.get(f"/organizacije/{mdp.id}/grb").status_code == 302  # sign in first
    f.login(client, f.user(Role.MINISTRY))
    assert client.get(url).status_code == 403
    assert _upload(client, mdp, png(colour=(200, 0, 0)), "grb.png").status_code == 403
    assert client.get(f"/organizacije/{mdp.id}/grb").status_code == 200
    assert client.get("/organizacije/999999/grb").status_code == 404
    assert client.get(f"/organizacije/{f.by_short_name('SOS').id}/grb").status_code == 404  # none uploaded


def test_the_fetcher_serves_the_documents_own_images_and_nothing_else(app):
    from coordination.documents.render import ORIGIN, RefusedURL, StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(app.static_folder, {"crest": (b"\x89PNG", "image/png")})
    assert fetcher.fetch(f"{ORIGIN}/resources/crest").read() == b"\x89PNG"
    for url in (f"{ORIGIN}/resources/other", "https://example.com/resources/crest",
                "data:image/png;base64,iVBORw0KGgo=", f"{ORIGIN}/resources/../static/css/pdf.css"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


# --- language --------------------------------------------------------------------------------------

def test_the_document_language_is_asked_for_never_taken_from_the_interface(client, session):
    meeting, minister = minister_meeting()
    f.login(client, minister)
    client.post("/jezik", data={"lang": "en"})
    slovenian = one_line(pdftotext(client.get(f"/sestanki/{meeting.id}/zapisnik.pdf").data))
    assert "Zapisnik sestanka" in slovenian and "stran 1 od" in slovenian and "Zapisala:" in slovenian
    english = one_line(pdftotext(client.get(f"/sestanki/{meeting.id}/zapisnik.pdf?lang=en").data))
    for expected in ("Minutes of the meeting", "Document number MDP-2022/001", "20 Sep 2022, 10:00–12:00",
                     "Chair Marko Ministrski", "Record-keeper Ana Administratorka", "Minutes taken by:",
                     "The minutes were approved by Marko Ministrski on 4 October 2022.", "page 1 of"):
        assert expected in english, expected
    assert "lang=\"en\"" not in slovenian
    odd = one_line(pdftotext(client.get(f"/sestanki/{meeting.id}/sklepi.pdf?lang=de").data))
    assert "Sklepi" in odd and "stran 1 od" in odd  # an unknown language falls back to Slovenian
    report = one_line(pdftotext(client.get(f"/sestanki/{meeting.id}/naloge.pdf?lang=en").data))
    assert "ACTION ITEM STATUS REPORT" in report.upper()


# --- simultaneous first issues ----------------------------------------------------------------------

@pytest.fixture
def committed_meetings(app):
    """Two approved meetings of an organisation of their own, committed for real (tests/committed.py);
    on PostgreSQL every row made is removed afterwards."""
    from sqlalchemy import delete, func

    from coordination.accounts.models import User
    from coordination.audit.models import AuditEntry
    from coordination.audit.services import acting_as
    from coordination.meetings.models import Meeting
    from coordination.organisations.models import Organisation, OrgKind
    from coordination.web.transaction import unit_of_work
    from tests.committed import committing_app, drop_orphan_documents

    with committing_app(app, "documents") as (concurrent, shared):
        concurrent.config["WTF_CSRF_ENABLED"] = False
        with concurrent.app_context():
            last_audit = db.session.scalar(select(func.max(AuditEntry.id))) or 0
            with acting_as("tests"), unit_of_work():
                org = Organisation(kind=OrgKind.OTHER, name="Urad za preskus hkratnih izdaj", short_name="KONK-DOC")
                db.session.add(org)
                db.session.flush()
                user = f.user(Role.MINISTRY, org)
                made = []
                for n in range(2):
                    meeting = f.meeting(None, title=f"Hkratna izdaja {n}", organisers=[org], created_by=user,
                                        start=datetime(2021, 5, 5 + n, 8, tzinfo=LJUBLJANA))
                    meetings.circulate(meeting)
                    meetings.approve(meeting, user, confirmed=meetings.ALL_OPEN_POINTS)
                    made.append(meeting.id)
            ids = {"org": org.id, "user": user.email, "user_id": user.id, "meetings": made}
            db.session.remove()
        try:
            yield concurrent, ids
        finally:
            if shared:
                with concurrent.app_context():
                    db.session.execute(delete(Meeting).where(Meeting.id.in_(ids["meetings"])))
                    db.session.execute(delete(DocumentCounter).where(DocumentCounter.organisation_id == ids["org"]))
                    db.session.execute(delete(User).where(User.id == ids["user_id"]))
                    db.session.execute(delete(Organisation).where(Organisation.id == ids["org"]))
                    drop_orphan_documents()
                    db.session.execute(delete(AuditEntry).where(AuditEntry.id > last_audit))
                    db.session.commit()


def test_simultaneous_first_issues_share_one_number_and_never_skip_or_repeat(committed_meetings):
    import threading

    app, ids = committed_meetings
    first, second = ids["meetings"]
    # four downloads at once: two of the first meeting's minutes, one of its conclusions, one of the second's minutes
    urls = [f"/sestanki/{first}/zapisnik.pdf", f"/sestanki/{first}/zapisnik.pdf",
            f"/sestanki/{first}/sklepi.pdf", f"/sestanki/{second}/zapisnik.pdf"]
    clients = [app.test_client() for _ in urls]
    for client in clients:
        assert f.login(client, ids["user"]).status_code == 302
    barrier, results, errors = threading.Barrier(len(urls)), {}, []

    def download(n: int):
        try:
            barrier.wait(timeout=30)
            response = clients[n].get(urls[n])
            results[n] = (response.status_code, pdftotext(response.data) if response.status_code == 200 else "")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=download, args=(n,)) for n in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert [results[n][0] for n in range(len(urls))] == [200] * len(urls)
    with app.app_context():
        issued = {(d.meeting_id, d.kind): d.number for d in db.session.scalars(
            select(IssuedDocument).where(IssuedDocument.organisation_id == ids["org"]))}
        last = db.session.scalar(select(DocumentCounter.last).where(DocumentCounter.organisation_id == ids["org"]))
        db.session.remove()
    assert sorted(issued.values()) == ["KONK-DOC-2021/001", "KONK-DOC-2021/002", "KONK-DOC-2021/003"]
    assert last == 3  # the loser of a race gave its step back with its transaction
    minutes_number = issued[(first, DocumentKind.MINUTES)]
    assert minutes_number in results[0][1] and minutes_number in results[1][1]
    assert issued[(first, DocumentKind.CONCLUSIONS)] in results[2][1]
    assert issued[(second, DocumentKind.MINUTES)] in results[3][1]
