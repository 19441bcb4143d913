"""Writing minutes per agenda item: the editor, saving as you type, optimistic locking, versions."""
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from coordination.meetings import services
from coordination.meetings.models import AgendaItem, MinutesVersion, Visibility
from tests import factories as f
from tests.meetings.helpers import group_with_people, meeting

pytestmark = pytest.mark.usefixtures("no_csrf")

HTMX = {"HX-Request": "true"}


@pytest.fixture
def setting(session):
    """A group meeting with one agenda item; the group's secretary, member and observer."""
    group, people = group_with_people()
    m = meeting(group)
    item = services.add_agenda_item(m, title="Poročilo o napredku", visibility=Visibility.INTERNAL)
    return m, item, people


def _url(item, what="zapisnik"):
    return f"/sestanki/{item.meeting_id}/tocke/{item.id}/{what}"


def _as(client, user):
    client.post("/odjava")  # whoever was signed in on this client
    assert f.login(client, user).status_code == 302
    return client


def _versions(session, item) -> list[MinutesVersion]:
    return list(session.scalars(select(MinutesVersion).where(MinutesVersion.item_id == item.id)
                                .order_by(MinutesVersion.version)))


def _hidden_version(html: str) -> int:
    return int(re.search(r'name="base_version" id="base_version" value="(\d+)"', html).group(1))


class Elements(HTMLParser):
    """Every start tag of a document with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_harmless(html: str) -> None:
    """No script of the text's own and no event handler reached the page (the app's own script
    are files served from /static/)."""
    tags = Elements(html).tags
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert all(a.get("src", "").startswith("/static/") for a in scripts), scripts  # only our own files
    handlers = [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")]
    assert not handlers, handlers
    assert not [attrs for tag, attrs in tags if tag == "a" and attrs.get("href", "").startswith("javascript")]


# --- the editor -----------------------------------------------------------------------------

def test_editor_shows_text_version_preview_and_autosave(client, setting):
    m, item, people = setting
    secretary = people["secretary"]
    services.save_minutes(item, text="Sklep o **rokih**.", base_version=0, author=secretary)
    html = _as(client, secretary).get(_url(item)).get_data(as_text=True)
    assert "Sklep o **rokih**." in html  # the Markdown in the textarea
    assert "<strong>rokih</strong>" in html  # and rendered in the preview
    assert _hidden_version(html) == 1
    assert 'data-hx-trigger="input changed delay:1500ms, change"' in html
    assert 'data-hx-post="' + _url(item) + '"' in html
    assert 'role="status" aria-live="polite"' in html
    assert "Nazadnje shranjeno" in html and secretary.name in html


def test_plain_save_redirects_back_and_keeps_the_version(client, session, setting):
    m, item, people = setting
    response = _as(client, people["member"]).post(_url(item), data={"text": "Prvi zapis", "base_version": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(item))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "shranjen (različica 1)" in page
    versions = _versions(session, item)
    assert [(v.version, v.text, v.author_id, v.revision_reason) for v in versions] == [
        (1, "Prvi zapis", people["member"].id, None)]


def test_autosave_answers_with_the_status_and_the_next_version(client, setting):
    m, item, people = setting
    client = _as(client, people["secretary"])
    first = client.post(_url(item), data={"text": "Zapis *v teku*", "base_version": "0"}, headers=HTMX)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "<html" not in html
    assert re.search(r"Shranjeno ob \d{1,2}\.\d\d", html)
    assert _hidden_version(html) == 1  # the next autosave starts from the version just saved
    assert 'id="minutes-preview"' in html and 'data-hx-swap-oob="true"' in html and "<em>v teku</em>" in html
    second = client.post(_url(item), data={"text": "Zapis v teku, dopolnjen", "base_version": "1"}, headers=HTMX)
    assert second.status_code == 200 and _hidden_version(second.get_data(as_text=True)) == 2


def test_the_same_text_again_saves_nothing(client, session, setting):
    m, item, people = setting
    client = _as(client, people["secretary"])
    client.post(_url(item), data={"text": "Enako", "base_version": "0"})
    # the Save button overtaken by an autosave of the very same text: no conflict, no new version
    again = client.post(_url(item), data={"text": "Enako", "base_version": "0"}, headers=HTMX)
    assert again.status_code == 200 and _hidden_version(again.get_data(as_text=True)) == 1
    assert len(_versions(session, item)) == 1


# --- two people at once ---------------------------------------------------------------------

def test_a_stale_save_is_refused_and_both_texts_are_shown(app, client, session, setting):
    m, item, people = setting
    secretary, member = people["secretary"], people["member"]
    services.save_minutes(item, text="Izhodišče", base_version=0, author=secretary)
    services.save_minutes(item, text="Besedilo tajnika, ki že velja.", base_version=1, author=secretary)
    response = _as(client, member).post(_url(item), data={"text": "Moje besedilo člana.", "base_version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ni shranjeno" in html
    assert ">\nMoje besedilo člana.</textarea>" in html  # what was typed stays in the field
    assert "Besedilo tajnika, ki že velja." in html and secretary.name in html  # the current text and who saved it
    assert _hidden_version(html) == 2  # the form continues from the current version
    assert 'data-hx-trigger="input changed' not in html  # no autosave until the user saves on purpose
    assert "<del>" in html and "<ins>" in html  # the differences, to help merging
    assert [v.text for v in _versions(session, item)] == ["Izhodišče", "Besedilo tajnika, ki že velja."]
    session.refresh(item)
    assert item.minutes == "Besedilo tajnika, ki že velja." and item.minutes_version == 2
    # saving the merged text from the conflict form works
    merged = client.post(_url(item), data={"text": "Besedilo tajnika, ki že velja. Moje besedilo člana.",
                                           "base_version": "2"})
    assert merged.status_code == 302 and _versions(session, item)[-1].author_id == member.id


def test_a_stale_autosave_replaces_the_editor_with_the_conflict(client, setting):
    m, item, people = setting
    services.save_minutes(item, text="Novejše", base_version=0, author=people["secretary"])
    response = _as(client, people["member"]).post(_url(item), data={"text": "Starejše", "base_version": "0"},
                                                  headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#minutes-editor" and response.headers["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith("{#") is False and 'id="minutes-editor"' in html and "<html" not in html
    assert "Novejše" in html and "Starejše" in html and 'data-hx-trigger="input changed' not in html


# --- bad input ------------------------------------------------------------------------------

def test_two_megabytes_of_text_are_refused_with_a_message(client, session, setting):
    m, item, people = setting
    client = _as(client, people["secretary"])
    huge = "x" * (2 * 1024 * 1024)
    response = client.post(_url(item), data={"text": huge, "base_version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "največ 200.000 znakov" in html and "2.097.152" in html
    assert huge in html  # nothing the user typed is lost
    autosave = client.post(_url(item), data={"text": huge, "base_version": "0"}, headers=HTMX)
    assert autosave.status_code == 422 and "200.000" in autosave.get_data(as_text=True)
    assert len(autosave.get_data()) < 10_000  # the status line only: the text stays in the browser's field
    assert _versions(session, item) == [] and session.get(AgendaItem, item.id).minutes == ""


@pytest.mark.parametrize("data", [{"text": "x"}, {"text": "x", "base_version": "nekaj"},
                                  {"text": "x", "base_version": "-1"}, {"base_version": "0"}])
def test_missing_or_bad_fields(client, session, setting, data):
    m, item, people = setting
    response = _as(client, people["secretary"]).post(_url(item), data=data)
    assert response.status_code == 422
    assert _versions(session, item) == []


def test_script_in_markdown_is_kept_as_typed_and_rendered_harmless(client, session, setting):
    m, item, people = setting
    nasty = ('Uvod <script>alert("x")</script>\n\n<b onclick="steal()">klik</b> '
             '[povezava](javascript:alert(1)) <img src=x onerror=alert(1)>')
    client = _as(client, people["secretary"])
    assert client.post(_url(item), data={"text": nasty, "base_version": "0"}).status_code == 302
    client.post(_url(item), data={"text": nasty + "\n\nDodatek.", "base_version": "1"})
    assert _versions(session, item)[0].text == nasty  # stored exactly as typed
    for path in (_url(item), _url(item, "zgodovina"), _url(item, "primerjava") + "?od=1&do=2",
                 _url(item, "pripombe")):
        html = client.get(path).get_data(as_text=True)
        assert_harmless(html)
    autosave = client.post(_url(item), data={"text": nasty, "base_version": "2"}, headers=HTMX)
    assert_harmless(autosave.get_data(as_text=True))


# --- who may ------------------------------------------------------------------------------

def test_observers_and_outsiders_may_not_write(client, setting):
    m, item, people = setting
    observer = people["observer"]
    assert _as(client, observer).get(_url(item)).status_code == 403
    assert client.post(_url(item), data={"text": "x", "base_version": "0"}).status_code == 403
    assert client.get(_url(item, "zgodovina")).status_code == 200  # but they see the history
    outsider = f.user(organisation=f.municipality("Ljubljana"))
    assert _as(client, outsider).get(_url(item, "zgodovina")).status_code == 404  # not visible: unknown


def test_an_item_of_another_meeting_is_not_found(client, setting):
    m, item, people = setting
    other = meeting(title="Druga seja")
    assert _as(client, people["secretary"]).get(f"/sestanki/{other.id}/tocke/{item.id}/zapisnik").status_code == 404


# --- history and comparison -----------------------------------------------------------------

def test_history_lists_every_version_and_compare_marks_the_changes(client, setting):
    m, item, people = setting
    secretary, member = people["secretary"], people["member"]
    services.save_minutes(item, text="Rok je petek.", base_version=0, author=secretary)
    services.save_minutes(item, text="Rok je ponedeljek.", base_version=1, author=member)
    client = _as(client, secretary)
    html = client.get(_url(item, "zgodovina")).get_data(as_text=True)
    assert "2 shranjeni različici" in html
    assert secretary.name in html and member.name in html and "Rok je ponedeljek." in html
    assert "?od=1&amp;do=2" in html
    compare = client.get(_url(item, "primerjava") + "?od=1&do=2")
    text = compare.get_data(as_text=True)
    assert compare.status_code == 200
    assert "Rok je <del>petek</del>." in text and "Rok je <ins>ponedeljek</ins>." in text
    assert "1 beseda odstranjena, 1 beseda dodana" in text
    assert client.get(_url(item, "primerjava")).status_code == 200  # the newest two by default
    first = client.get(_url(item, "primerjava") + "?od=0&do=1").get_data(as_text=True)
    assert "<ins>Rok je petek.</ins>" in first


@pytest.mark.parametrize("query, status, message", [
    ("?od=1&do=9", 404, "nima različice 9"),
    ("?od=abc&do=2", 422, "Izberite dve različici"),
    ("?od=-1&do=2", 422, "Izberite dve različici"),
])
def test_bad_version_numbers(client, setting, query, status, message):
    m, item, people = setting
    services.save_minutes(item, text="a", base_version=0, author=people["secretary"])
    services.save_minutes(item, text="b", base_version=1, author=people["secretary"])
    response = _as(client, people["secretary"]).get(_url(item, "primerjava") + query)
    assert response.status_code == status and message in response.get_data(as_text=True)


def test_editor_and_history_have_a_fixed_query_count(client, session, setting, count_queries):
    m, item, people = setting
    secretary = people["secretary"]
    client = _as(client, secretary)
    pages = (_url(item), _url(item, "zgodovina"), _url(item, "primerjava"), _url(item, "pripombe"))

    def add_versions(n):
        for _ in range(n):
            services.save_minutes(item, text=f"Različica {item.minutes_version + 1}\n" * 3,
                                  base_version=item.minutes_version, author=secretary)

    def counts():
        found = {}
        for page in pages:
            with count_queries() as counter:
                assert client.get(page).status_code == 200
            found[page] = counter.count
        return found

    add_versions(3)
    counts()  # warm up
    few = counts()
    add_versions(27)  # ten times as many versions
    many = counts()
    assert many == few
    assert session.scalar(select(func.count()).select_from(MinutesVersion)) == 30


def test_line_ends_of_a_plain_form_and_of_an_autosave_are_the_same(client, session, setting):
    m, item, people = setting
    client = _as(client, people["secretary"])
    client.post(_url(item), data={"text": "Prva vrstica\nDruga", "base_version": "0"}, headers=HTMX)
    # the browser's own form submission sends CRLF: the same text, so nothing new is saved
    again = client.post(_url(item), data={"text": "Prva vrstica\r\nDruga", "base_version": "1"})
    assert again.status_code == 302 and [v.text for v in _versions(session, item)] == ["Prva vrstica\nDruga"]


def test_a_save_without_its_version_is_never_guessed(client, session, setting):
    m, item, people = setting
    services.save_minutes(item, text="Kolegovo besedilo", base_version=0, author=people["member"])
    response = _as(client, people["secretary"]).post(_url(item), data={"text": "Moje"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and response.headers["HX-Retarget"] == "#minutes-editor"
    assert 'name="base_version" id="base_version" value=""' in html and "Znova naložite stran" in html
    assert ">\nMoje</textarea>" in html
    assert [v.text for v in _versions(session, item)] == ["Kolegovo besedilo"]
