"""CSV and XLSX export of the filtered list, and the CSV bulk status upload: validated completely
first, every bad row reported with its line, nothing applied before (and nothing twice after)
the owner confirms."""
import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coordination import types
from coordination.accounts.models import Role
from coordination.actions import services
from coordination.actions.models import ActionItem, ImportBatch, ItemStatus, ItemUpdate
from coordination.extensions import db
from tests import factories as f
from tests.actions.test_lists import _conclusion


@pytest.fixture
def people(session, no_csrf):
    kamnik, koper = f.municipality("Kamnik"), f.municipality("Koper")
    return {"ministry": f.user(Role.MINISTRY), "kamnik": f.user(Role.MUNICIPAL, kamnik),
            "koper": f.user(Role.MUNICIPAL, koper), "kamnik_org": kamnik, "koper_org": koper}


def _item(people, org, title, **kw):
    return f.action_item(people["ministry"], title, org=org, **kw)


# --- export --------------------------------------------------------------------------------------

def test_csv_export_has_every_matching_row_in_slovenian_excel_form(client, people):
    conclusion = _conclusion(people["ministry"], title="Posvet z župani")
    due = types.today() + timedelta(days=3)
    _item(people, people["kamnik_org"], "=HYPERLINK(\"http://zlo\")", conclusion=conclusion, due_date=due,
          assignee_user=people["kamnik"])
    for n in range(60):  # more than one page of the list
        _item(people, people["kamnik_org"], f"Naloga {n}")
    _item(people, people["koper_org"], "Koprska")  # another municipality's, not visible to Kamnik
    f.login(client, people["kamnik"])
    response = client.get("/naloge/izvoz.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.search(r'attachment; filename="naloge-\d{4}-\d{2}-\d{2}\.csv"', response.headers["Content-Disposition"])
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "ID" and len(rows[0]) == 11
    assert len(rows) == 1 + 61
    first = rows[1]  # the only one with a due date comes first
    assert first[1] == "'=HYPERLINK(\"http://zlo\")"  # never a formula
    assert first[2] == "Odprta" or first[2] == "Open"
    assert first[4] == "Kamnik" and first[5] == people["kamnik"].name and first[6] == "Osrednjeslovenska"
    assert first[7] == due.isoformat()
    assert first[8] == conclusion.register_number and first[9] == "Posvet z župani"
    assert "Koprska" not in data.decode("utf-8-sig")
    # the same filters as the page
    only = client.get("/naloge/izvoz.csv?q=Naloga%201").get_data().decode("utf-8-sig")
    assert len(only.strip().splitlines()) == 1 + 11  # Naloga 1, 10..19


def test_xlsx_export_opens_in_openpyxl(client, people):
    due = types.today() - timedelta(days=1)
    _item(people, people["kamnik_org"], "+SUM(A1)", due_date=due)
    _item(people, people["kamnik_org"], "Druga")
    f.login(client, people["ministry"])
    response = client.get(f"/naloge/izvoz.xlsx?org={people['kamnik_org'].id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "ID" and len(rows) == 3
    assert rows[1][1] == "'+SUM(A1)" and rows[1][4] == "Kamnik"
    assert rows[1][7].date() == due
    assert rows[2][1] == "Druga" and rows[2][7] is None


# --- import --------------------------------------------------------------------------------------

def _upload(client, content: bytes, name="stanja.csv"):
    return client.post("/naloge/uvoz", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _statuses(*items):
    db.session.expire_all()
    return [db.session.get(ActionItem, i.id).status for i in items]


@pytest.mark.parametrize("content, message", [
    (b"", "prazna"),
    (b"   \r\n", "prazna"),
    (b"id;status\r\n", "nobene vrstice"),
    (b"stevilka;kaj\r\n1;done\r\n", "id, status"),
    (b"id;note\r\n1;x\r\n", "id, status"),
    ("id;status;note\r\n1;done;Zaključeno v četrtek\r\n".encode("cp1250"), "UTF-8"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(client, people, content, message):
    item = _item(people, people["kamnik_org"], "Naloga")
    f.login(client, people["kamnik"])
    before = db.session.scalar(select(func.count()).select_from(ImportBatch))
    response = _upload(client, content.replace(b"1;", f"{item.id};".encode()))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text, text[text.find('class="error"'):][:400]
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == before
    assert _statuses(item) == [ItemStatus.OPEN]


def test_non_utf8_names_the_line(client, people):
    f.login(client, people["kamnik"])
    response = _upload(client, "id;status;note\r\n1;done;ok\r\n2;done;Šola\r\n".encode("cp1250"))
    assert response.status_code == 422
    assert "vrstici 3" in response.get_data(as_text=True)


def test_too_many_rows(client, people):
    f.login(client, people["kamnik"])
    content = "id,status\n" + "".join(f"{n},done\n" for n in range(1, 5002))
    response = _upload(client, content.encode())
    assert response.status_code == 422 and "5.000" in response.get_data(as_text=True)


def test_a_50_mb_upload_gets_the_413_page(client, people):
    f.login(client, people["kamnik"])
    response = _upload(client, b"id;status\n" + b"1;done\n" * (50 * 1024 * 1024 // 7))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "2 MB" in text and "<html" in text
    # the form says the limit up front
    assert "2 MB" in client.get("/naloge/uvoz").get_data(as_text=True)


def test_every_bad_row_is_reported_and_nothing_changes_before_confirmation(client, people):
    conclusion = _conclusion(people["ministry"])
    kamnik = people["kamnik_org"]
    ok, ok_label, done = (_item(people, kamnik, "A"), _item(people, kamnik, "B"), _item(people, kamnik, "C"))
    services.change_status(done, ItemStatus.DONE, author=people["ministry"])
    foreign = _item(people, people["koper_org"], "Tuja", conclusion=conclusion)   # seen, not changeable
    hidden = _item(people, people["koper_org"], "Skrita")                         # not seen
    f.login(client, people["kamnik"])
    content = "\n".join([
        "ID,Stanje,Opomba",
        f"{ok.id},in_progress,Začeli smo",
        f"{ok_label.id},V teku,",            # a Slovenian label
        f"{done.id},blocked,",                # illegal: done -> blocked
        f"{foreign.id},done,",                # may see, may not change
        f"{hidden.id},done,",                 # may not see: "unknown"
        "999999,done,",                       # does not exist
        f"{ok.id},done,",                     # duplicate
        "abc,done,",                          # not a number
        f"{ok_label.id},finished,",          # unknown status (and a duplicate, reported once)
        "",
    ]).encode()
    response = _upload(client, content)
    assert response.status_code == 303
    preview = client.get(response.headers["Location"])
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    errors = dict(re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]+)</td></tr>", text))
    assert set(errors) == {"4", "5", "6", "7", "8", "9", "10"}, errors
    assert str(hidden.id) in errors["6"] and errors["6"] == errors["6"].replace("Skrita", "")
    assert errors["6"].replace(str(hidden.id), "N") == errors["7"].replace("999999", "N")  # no leak
    assert errors["5"] != errors["6"]
    assert "3" in errors["8"] or "2" in errors["8"]  # names the first line of the item
    assert _statuses(ok, ok_label, done, foreign, hidden) == [
        ItemStatus.OPEN, ItemStatus.OPEN, ItemStatus.DONE, ItemStatus.OPEN, ItemStatus.OPEN]
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert [r["item_id"] for r in batch.valid_rows] == [ok.id, ok_label.id]

    # another user cannot see or confirm it
    other = f.user(Role.MUNICIPAL, people["kamnik_org"])
    client.post("/odjava")
    f.login(client, other)
    assert client.get(f"/naloge/uvoz/{batch.id}").status_code == 404
    assert client.post(f"/naloge/uvoz/{batch.id}/potrdi").status_code == 404
    assert _statuses(ok) == [ItemStatus.OPEN]
    client.post("/odjava")

    f.login(client, people["kamnik"])
    # in the meantime somebody moves B on: at apply time that row is re-checked and skipped
    services.change_status(ok_label, ItemStatus.IN_PROGRESS, author=people["ministry"])
    response = client.post(f"/naloge/uvoz/{batch.id}/potrdi")
    assert response.status_code == 303
    assert _statuses(ok, ok_label) == [ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS]
    note = db.session.scalar(select(ItemUpdate.text).where(ItemUpdate.item_id == ok.id))
    assert note == "Začeli smo"
    # once only
    updates = db.session.scalar(select(func.count()).select_from(ItemUpdate))
    assert client.post(f"/naloge/uvoz/{batch.id}/potrdi").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ItemUpdate)) == updates
    assert "Uporabljeno" in client.get(f"/naloge/uvoz/{batch.id}").get_data(as_text=True) or \
        "Applied" in client.get(f"/naloge/uvoz/{batch.id}").get_data(as_text=True)


def test_semicolons_bom_and_english_labels(client, people):
    item = _item(people, people["kamnik_org"], "A")
    f.login(client, people["kamnik"])
    response = _upload(client, f"\ufeffid;status;note\r\n{item.id};Cancelled;Ni več potrebno\r\n".encode())
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ni več potrebno" in preview
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.valid_rows == [{"line": 2, "item_id": item.id, "status": "cancelled", "note": "Ni več potrebno"}]
    assert batch.errors == []


def test_import_template_and_page(client, people):
    f.login(client, people["kamnik"])
    page = client.get("/naloge/uvoz")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    template = client.get("/naloge/uvoz/predloga.csv")
    assert template.get_data().decode("utf-8-sig").splitlines()[0] == "id;status;note"
    assert client.post("/naloge/uvoz", data={}).status_code == 422  # no file chosen
