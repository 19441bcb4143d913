"""Monthly visits: the point's grid with corrections kept, and the CSV/XLSX upload validated line by
line before anything is written, applied once on confirmation."""
from __future__ import annotations

import io
import time
from datetime import date

from sqlalchemy import func, select

from coordination.accounts.models import Role
from coordination.points import visit_io
from coordination.points.models import VisitCorrection, VisitReport, VisitTopic
from tests import factories as f
from tests.points import fixtures


def hosted_point(code="DIT-701", opened_on=date(2023, 11, 6), **fields):
    host_org = f.organisation()
    point = fixtures.point(host_org, f.municipality("Kamnik"), code=code, opened_on=opened_on, **fields)
    return point, f.user(Role.HOST, host_org)


def visits(session, point) -> dict:
    return dict(session.execute(select(VisitReport.month, VisitReport.total).where(VisitReport.point_id == point.id)).all())


def test_the_grid_records_and_corrects_keeping_the_earlier_figure(client, session, no_csrf):
    point, host = hosted_point()
    f.login(client, host)
    page = client.get(f"/tocke/{point.id}/obisk?leto=2023")
    assert page.status_code == 200 and "total-2023-11" in page.get_data(as_text=True)
    assert "total-2023-10" not in page.get_data(as_text=True)  # before opening
    bad = client.post(f"/tocke/{point.id}/obisk", data={"leto": "2023", "total-2023-11": "10", "2023-11-eid": "8",
                                                        "2023-11-euprava": "5", "total-2023-12": "-3"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "več od skupnega števila 10" in text and "ne more biti negativno" in text
    assert visits(session, point) == {}
    ok = client.post(f"/tocke/{point.id}/obisk", data={"leto": "2023", "total-2023-11": "10", "2023-11-eid": "6",
                                                       "total-2023-12": "1.250"})
    assert ok.status_code == 303
    assert visits(session, point) == {date(2023, 11, 1): 10, date(2023, 12, 1): 1250}
    client.post(f"/tocke/{point.id}/obisk", data={"leto": "2023", "total-2023-11": "12", "2023-11-eid": "7",
                                                  "total-2023-12": "1250"})
    correction = session.scalar(select(VisitCorrection))
    assert (correction.old_total, correction.new_total, correction.old_topics) == (10, 12, {"eid": 6})
    assert correction.changed_by_id == host.id
    assert session.scalar(select(func.count()).select_from(VisitCorrection)) == 1  # December did not change
    assert "10 → 12" in client.get(f"/tocke/{point.id}").get_data(as_text=True)


def test_only_the_host_and_the_ministry_report(client, session, no_csrf):
    point, _host = hosted_point()
    f.login(client, f.user(Role.HOST))  # another host
    assert client.get(f"/tocke/{point.id}/obisk").status_code == 403


def upload(client, content: bytes, name="obiski.csv"):
    return client.post("/tocke/obisk/uvoz", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_an_upload_reports_every_bad_line_and_applies_only_on_confirmation(client, session, no_csrf):
    point, host = hosted_point()
    closed, _ = hosted_point(code="DIT-702", opened_on=date(2023, 9, 4))
    closed.closed_on, closed.status = date(2024, 1, 15), "closed"
    other, _ = hosted_point(code="DIT-703")
    session.commit()
    f.login(client, host)
    csv = ("code;month;total;eid;euprava\n"
           "DIT-701;2023-11;120;50;40\n"        # 2 fine
           "DIT-701;2023-12;95;;\n"             # 3 fine
           "DIT-999;2023-12;5;;\n"              # 4 unknown point
           "DIT-701;2023-10;5;;\n"              # 5 before opening
           "DIT-701;2024-01;-4;;\n"             # 6 negative
           "DIT-701;2024-02;veliko;;\n"         # 7 not a number
           "DIT-701;2024-03;10;8;7\n"           # 8 topics above the total
           "DIT-701;2023-11;1;;\n"              # 9 duplicate of line 2
           "DIT-703;2024-01;7;;\n"              # 10 somebody else's point
           "DIT-701;marec;7;;\n")               # 11 not a month
    response = upload(client, csv.encode())
    assert response.status_code == 303
    preview = client.get(response.headers["Location"])
    text = preview.get_data(as_text=True)
    for line, words in ((4, "Neznana točka DIT-999"), (5, "je pred tem"), (6, "ne more biti negativno"),
                        (7, "ni celo število"), (8, "več od skupnega števila 10"), (9, "že v vrstici 2"),
                        (10, "ne smete sporočati"), (11, "ni mesec")):
        assert f'data-label="Vrstica">{line}</td><td' in text and words in text, (line, words)
    assert "2 vrstici" in text or "Uporabi 2" in text
    assert visits(session, point) == {}  # nothing yet
    confirm = response.headers["Location"] + "/potrdi"
    assert client.post(confirm).status_code == 303
    assert visits(session, point) == {date(2023, 11, 1): 120, date(2023, 12, 1): 95}
    assert session.scalar(select(func.sum(VisitTopic.visits))) == 90
    client.post(confirm)  # a second confirmation changes nothing
    assert session.scalar(select(func.count()).select_from(VisitReport)) == 2
    # a month after closing
    client.post("/odjava")
    f.login(client, f.user(Role.MINISTRY))
    after = upload(client, b"code;month;total\nDIT-702;2024-02;4\n")
    assert "je po tem" in client.get(after.headers["Location"]).get_data(as_text=True)


def test_whole_file_problems_are_refused_with_nothing_kept(client, session, no_csrf):
    _point, host = hosted_point()
    f.login(client, host)
    cases = {
        "wrong columns": (b"tocka;obdobje;obiski\nDIT-701;2024-01;3\n", "Manjka: month"),
        "not utf-8": ("code;month;total\nDIT-701;2024-01;3\nŠola;2024-01;1\n".encode("cp1250"), "ni v kodiranju UTF-8"),
        "empty": (b"", "prazna"),
        "header only": (b"code;month;total\n", "nobene vrstice s podatki"),
        "not xlsx": (b"PK\x03\x04 this is not a workbook", "ni berljiv delovni zvezek"),
    }
    for name, (content, words) in cases.items():
        response = upload(client, content, "obiski.xlsx" if name == "not xlsx" else "obiski.csv")
        assert response.status_code == 422, name
        assert words in response.get_data(as_text=True), name
    too_many = "code;month;total\n" + "".join(f"DIT-701;2024-01;{n}\n" for n in range(visit_io.MAX_ROWS + 1))
    response = upload(client, too_many.encode())
    assert response.status_code == 422 and "več kot 20.000 vrstic" in response.get_data(as_text=True)
    huge = client.post("/tocke/obisk/uvoz", data={"file": (io.BytesIO(b"x" * (50 * 1024 * 1024)), "big.csv")},
                       content_type="multipart/form-data")
    assert huge.status_code == 413
    assert session.scalar(select(func.count()).select_from(VisitReport)) == 0


def test_an_xlsx_upload_from_the_template(client, session, no_csrf):
    from openpyxl import Workbook, load_workbook

    point, host = hosted_point()
    f.login(client, host)
    template = client.get("/tocke/obisk/predloga.xlsx")
    sheet = load_workbook(io.BytesIO(template.data)).active
    assert [c.value for c in sheet[1]][:4] == ["code", "month", "total", "eid"] and sheet["A2"].value == point.code
    book = Workbook()
    rows = book.active
    rows.append(["code", "month", "total", "eid"])
    rows.append([point.code, date(2024, 2, 1), 33, 20])
    data = io.BytesIO()
    book.save(data)
    response = upload(client, data.getvalue(), "obiski.xlsx")
    assert response.status_code == 303
    client.post(response.headers["Location"] + "/potrdi")
    assert visits(session, point) == {date(2024, 2, 1): 33}


def test_a_year_for_222_points_validates_in_under_two_seconds(session, app):
    municipality = f.municipality("Kamnik")
    host_org = f.organisation()
    for n in range(222):
        fixtures.point(host_org, municipality, code=f"DIT-{n + 1:03d}", opened_on=date(2023, 1, 2))
    host = f.user(Role.HOST, host_org)
    lines = ["code;month;total;" + ";".join(visit_io.topics.codes())]
    for n in range(222):
        for month in range(1, 13):
            lines.append(f"DIT-{n + 1:03d};2023-{month:02d};100;" + ";".join("5" for _ in visit_io.topics.codes()))
    data = "\n".join(lines).encode()
    with app.test_request_context():
        started = time.perf_counter()
        parsed = visit_io.check(host, visit_io.read(data, "leto.csv"))
        elapsed = time.perf_counter() - started
    assert len(parsed.rows) == 222 * 12 and not parsed.errors
    assert elapsed < 2, elapsed
