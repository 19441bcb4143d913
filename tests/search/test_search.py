"""Search: diacritic-insensitive full-text matching, ranking, highlighting, visibility, an index that
follows every change, hostile input, and a fixed number of queries."""
import time

import pytest
from sqlalchemy import func, insert, select, text

from coordination.accounts.models import Role, User
from coordination.actions import services as actions
from coordination.actions.models import ActionItem, FanOutScope, ItemStatus
from coordination.extensions import db
from coordination.groups import services as groups
from coordination.groups.models import GroupRole
from coordination.meetings import services as meetings
from coordination.meetings.models import Visibility
from coordination.search import index as indexing
from coordination.search.models import SearchDocument
from coordination.search.services import fts_query, highlight, search, words
from tests import factories as f
from tests.search import helpers as h


@pytest.fixture
def staff(session):
    return f.user(Role.MINISTRY)


def found(user, query, kind=""):
    """{kind: [ref ids in rank order]} of what `user` finds."""
    results = search(user, query, kind=kind)
    return {g.kind: [hit.ref_id for hit in g.hits] for g in results.groups if g.total}


def totals(user, query):
    return {g.kind: g.total for g in search(user, query).groups}


# --- folding, words, the FTS query -----------------------------------------------------------------

def test_folding_drops_diacritics_and_case():
    assert indexing.fold("Cestišče ČŠŽ Đakovo ćevapčiči") == "cestisce csz dakovo cevapcici"
    assert indexing.fold("ﬁnance Straße") == "finance strasse"
    assert indexing.fold("plain ASCII") == "plain ascii"


def test_words_keep_only_letters_and_digits():
    assert words('"Cestišče" AND (ceste*) NEAR/3 -') == ["cestisce", "and", "ceste", "near", "3"]
    assert words("a_b 'x' x") == ["a", "b", "x"]
    assert words("") == words(None) == words("  *  \" ( ) - : & | ! ") == []
    assert len(words(" ".join(f"w{i}" for i in range(50)))) == 8
    assert words("ž" * 500) == ["z" * 40]
    assert fts_query(["cestisce", "kanal"], "sqlite") == '"cestisce"* AND "kanal"*'
    assert fts_query(["cestisce", "kanal"], "postgresql") == "'cestisce':* & 'kanal':*"


# --- finding -------------------------------------------------------------------------------------

def test_diacritics_do_not_matter_either_way(session, staff):
    meeting = h.meeting(staff)
    with_marks = h.minutes(meeting, staff, "Obnova cestišče pred občino.")
    without = h.minutes(meeting, staff, "Popravilo: cestisce ob reki.", title="Druga tocka")
    for query in ("cestisce", "CESTIŠČE", "Cestišče", "cesti", "CESTI"):
        assert sorted(found(staff, query)["minutes"]) == sorted([with_marks.id, without.id]), query
    assert found(staff, "občino")["minutes"] == [with_marks.id]
    assert found(staff, "obcino")["minutes"] == [with_marks.id]
    assert found(staff, "ocino") == {}


def test_every_word_must_occur(session, staff):
    meeting = h.meeting(staff)
    both = h.minutes(meeting, staff, "Kanalizacija in vodovod v Kamniku.")
    h.minutes(meeting, staff, "Samo vodovod.", title="Druga")
    assert found(staff, "vodovod kanal")["minutes"] == [both.id]
    assert found(staff, "vodovod kanal kamnik")["minutes"] == [both.id]
    assert found(staff, "vodovod kanal kranj") == {}


def test_every_kind_is_found(session, staff):
    meeting = h.meeting(staff, title="Seja o vodovodu")
    agenda = h.minutes(meeting, staff, "Razprava o vodovodu v občinah.")
    conclusion = h.conclusion(meeting, "Vodovod se obnovi do konca leta.")
    item = h.item(staff, "Poročilo o vodovodu", conclusion_=conclusion)
    assert found(staff, "vodovod") == {"meeting": [meeting.id], "minutes": [agenda.id],
                                       "conclusion": [conclusion.id], "item": [item.id]}
    # the agenda title, the place and the register number are searched too
    assert found(staff, "pregled stanja")["minutes"] == [agenda.id]
    assert found(staff, "ljubljana")["meeting"] == [meeting.id]
    assert found(staff, conclusion.register_number)["conclusion"] == [conclusion.id]


def test_ranking_puts_the_closer_match_first(session, staff):
    meeting = h.meeting(staff, title="Redna seja")
    filler = " ".join(["Občine so poročale o delu na različnih področjih."] * 30)
    weak = h.minutes(meeting, staff, f"{filler} Omenjena je bila tudi kanalizacija.", title="Razno")
    strong = h.minutes(meeting, staff, "Kanalizacija: kanalizacija v Kamniku in kanalizacija v Kranju.",
                       title="Kanalizacija")
    assert found(staff, "kanalizacija")["minutes"] == [strong.id, weak.id]


def test_kind_filter_pages_through_one_kind(session, staff):
    meeting = h.meeting(staff)
    for n in range(25):
        h.conclusion(meeting, f"Sklep številka {n} o razpisu.")
    everything = search(staff, "razpis")
    assert [g.total for g in everything.groups if g.kind == "conclusion"] == [25]
    assert len(next(g for g in everything.groups if g.kind == "conclusion").hits) == 10
    first, second = search(staff, "razpis", kind="conclusion"), search(staff, "razpis", kind="conclusion", page=2)
    assert [g.kind for g in first.groups] == ["conclusion"]
    assert (len(first.groups[0].hits), len(second.groups[0].hits), second.groups[0].total) == (20, 5, 25)
    assert not {x.ref_id for x in first.groups[0].hits} & {x.ref_id for x in second.groups[0].hits}


# --- highlighting --------------------------------------------------------------------------------

def test_highlight_marks_the_original_words():
    assert str(highlight("Obnova cestišča in CESTIŠČE", ["cestisc"])) == \
        "Obnova <mark>cestišča</mark> in <mark>CESTIŠČE</mark>"
    # only at the start of a word, as the index matches
    assert str(highlight("podcestje ceste", ["ceste"])) == "podcestje <mark>ceste</mark>"
    assert str(highlight("Đakovo in Ðuro", ["dak"])) == "<mark>Đakovo</mark> in Ðuro"


def test_highlight_escapes_everything_else():
    marked = str(highlight('<script>alert("cesta")</script> & cesta', ["cesta"]))
    assert marked == ('&lt;script&gt;alert(&#34;<mark>cesta</mark>&#34;)&lt;/script&gt; &amp; '
                      '<mark>cesta</mark>')
    assert "<script>" not in str(highlight("<script>", ["script"]))


def test_snippet_is_cut_around_the_first_match():
    text = " ".join(["beseda"] * 100) + " cestišče " + " ".join(["konec"] * 100)
    snippet = str(highlight(text, ["cestisce"], 120))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>cestišče</mark>" in snippet
    assert len(snippet) < 180


def test_results_page_highlights_and_escapes(client, no_csrf, session, staff):
    meeting = h.meeting(staff, title="Seja <b>Cestišče</b>")
    h.minutes(meeting, staff, "Poročilo <script>alert('x')</script> o **cestišču** na Glavni cesti.")
    f.login(client, staff)
    page = client.get("/iskanje?q=cestisc").get_data(as_text=True)
    assert "<mark>cestišču</mark>" in page
    assert "Seja &lt;b&gt;<mark>Cestišče</mark>&lt;/b&gt;" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "**" not in page.split('id="search-results"')[1]  # minutes Markdown is shown as plain words


# --- visibility ----------------------------------------------------------------------------------

def test_nobody_finds_what_they_may_not_see(client, no_csrf, session, staff):
    kamnik, ljubljana = f.municipality("Kamnik"), f.municipality("Ljubljana")
    secretary = f.user(Role.MUNICIPAL, kamnik)
    outsider = f.user(Role.MUNICIPAL, ljubljana)
    group = groups.create_group(name="Delovna skupina za ceste", code="DS-C", mandate="")
    groups.add_member(group, organisation_id=kamnik.id, user_id=secretary.id, role=GroupRole.SECRETARY,
                      valid_from=None, valid_until=None)
    internal = h.meeting(staff, title="Interna seja o zlatorogu", visibility=Visibility.INTERNAL, group=group)
    internal_minutes = h.minutes(internal, staff, "Zlatorog je tema.", visibility=Visibility.INTERNAL)
    internal_conclusion = h.conclusion(internal, "Zlatorog ostane.", Visibility.INTERNAL)
    public = h.meeting(staff, title="Javna seja")
    confidential = h.conclusion(public, "Zaupno: zlatorog.", Visibility.CONFIDENTIAL)
    open_conclusion = h.conclusion(public, "Javno: zlatorog.")
    kamnik_item = h.item(staff, "Zlatorog za Kamnik", org=kamnik, conclusion_=internal_conclusion)

    assert found(outsider, "zlatorog") == {"conclusion": [open_conclusion.id]}
    assert totals(outsider, "zlatorog") == {"organisation": 0, "group": 0, "meeting": 0, "minutes": 0,
                                            "conclusion": 1, "item": 0}
    assert found(secretary, "zlatorog") == {"meeting": [internal.id], "minutes": [internal_minutes.id],
                                            "conclusion": sorted([internal_conclusion.id, open_conclusion.id],
                                                                 reverse=True),
                                            "item": [kamnik_item.id]}
    ministry_sees = found(staff, "zlatorog")
    assert confidential.id not in ministry_sees["conclusion"]  # confidential: the named people only
    assert confidential.id in found(f.user(Role.ADMIN), "zlatorog")["conclusion"]
    # the assignee's municipality finds its item even without seeing the conclusion
    kamnik_other = f.user(Role.MUNICIPAL, kamnik)
    assert found(kamnik_other, "zlatorog").get("item") == [kamnik_item.id]

    # the page neither shows nor counts the hidden ones
    f.login(client, outsider)
    page = client.get("/iskanje?q=zlatorog").get_data(as_text=True)
    assert "Interna seja" not in page and "Zlatorog je tema" not in page and "Zaupno" not in page
    assert "Javno: <mark>zlatorog</mark>." in page
    hidden_kind = client.get("/iskanje?q=zlatorog&kind=minutes").get_data(as_text=True)
    assert "Zlatorog je tema" not in hidden_kind
    assert 'class="count"' not in hidden_kind  # the "no results" state, with no number in it


def test_search_needs_a_signed_in_user(client, session):
    response = client.get("/iskanje?q=zlatorog")
    assert response.status_code == 302 and "/prijava" in response.headers["Location"]


# --- the index follows changes -----------------------------------------------------------------

def _documents(kind=None):
    query = select(SearchDocument.kind, SearchDocument.ref_id, SearchDocument.meeting_id, SearchDocument.folded)
    if kind:
        query = query.where(SearchDocument.kind == kind)
    return {(k, r): (m, t) for k, r, m, t in db.session.execute(query)}


def test_index_follows_edits_and_deletes(session, staff):
    meeting = h.meeting(staff, title="Seja o mostovih")
    agenda = h.minutes(meeting, staff, "Most čez Savo.")
    conclusion = h.conclusion(meeting, "Most se obnovi.")
    item = h.item(staff, "Načrt mostu", conclusion_=conclusion)
    assert _documents()[("item", item.id)] == (meeting.id, "nacrt mostu kamnik")  # and the assignee

    meetings.update_meeting(meeting, title="Seja o brveh", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                            place="Kranj", online_url=None, visibility=meeting.visibility, organisers=[])
    assert found(staff, "mostovih") == {}
    assert found(staff, "most") == {"minutes": [agenda.id], "conclusion": [conclusion.id], "item": [item.id]}
    assert found(staff, "brveh") == {"meeting": [meeting.id]} and found(staff, "kranj")["meeting"] == [meeting.id]

    meetings.save_minutes(agenda, text="Brv čez Kokro.", base_version=1, author=staff)
    assert "minutes" not in found(staff, "savo") and found(staff, "kokro") == {"minutes": [agenda.id]}
    meetings.update_agenda_item(agenda, title="Brvi", visibility=agenda.visibility)
    assert found(staff, "brvi")["minutes"] == [agenda.id]

    meetings.update_conclusion(conclusion, text="Brv se zgradi.", kind=conclusion.kind,
                               visibility=conclusion.visibility, agenda_item=None, establishes_group=None)
    assert found(staff, "zgradi") == {"conclusion": [conclusion.id]}
    actions.update_item(item, author=staff, title="Načrt brvi", description="Z izračuni", assignee_org=item.assignee_org,
                        assignee_user=None, due_date=None, priority=item.priority)
    assert found(staff, "izracuni") == {"item": [item.id]} and "item" not in found(staff, "mostu")

    actions.delete_item(item)
    meetings.delete_conclusion(conclusion)
    meetings.remove_agenda_item(agenda)
    assert {key for key in _documents() if key[0] != "organisation"} == {("meeting", meeting.id)}
    db.session.delete(meeting)
    db.session.commit()
    assert {key for key in _documents() if key[0] != "organisation"} == set()


def test_deleting_a_meeting_keeps_its_items_findable(session, staff):
    meeting = h.meeting(staff)
    conclusion = h.conclusion(meeting, "Občine poročajo.")
    item = h.item(staff, "Poročilo o hrastih", conclusion_=conclusion)
    db.session.delete(meeting)
    db.session.commit()
    assert _documents("item") == {("item", item.id): (None, "porocilo o hrastih kamnik")}
    assert found(staff, "hrast")["item"] == [item.id]  # (and the municipality Hrastnik)


def test_status_changes_do_not_touch_the_index(session, staff, count_queries):
    item = h.item(staff, "Imenovati skrbnika")
    with count_queries() as counted:
        actions.change_status(item, ItemStatus.IN_PROGRESS, author=staff)
    assert not [s for s in counted.statements if "search_document" in s]


def test_fan_out_of_212_items_is_indexed_well_under_a_second(session, staff, monkeypatch):
    meeting = h.meeting(staff)
    conclusion = h.conclusion(meeting, "Občine imenujejo skrbnike.")
    spent = []
    apply = indexing.apply

    def timed(*args):
        begun = time.perf_counter()
        apply(*args)
        spent.append(time.perf_counter() - begun)

    monkeypatch.setattr(indexing, "apply", timed)
    started = time.perf_counter()
    fanout = actions.fan_out(conclusion, title="Imenovati skrbnika za hidrante", author=staff, scope=FanOutScope.ALL)
    elapsed = time.perf_counter() - started
    ids = set(db.session.scalars(select(ActionItem.id).where(ActionItem.fanout_id == fanout.id)))
    indexed = {ref for kind, ref in _documents("item")}
    assert len(ids) == 212 and ids <= indexed
    assert {m for (kind, ref), (m, _) in _documents("item").items() if ref in ids} == {meeting.id}
    items = next(g for g in search(staff, "hidrant").groups if g.kind == "item")
    assert items.total == 1 and items.hits[0].fanout and items.hits[0].row.members == 212  # one result
    assert elapsed < 1.0, elapsed
    assert sum(spent) < 0.2, spent  # the index's share of the fan-out


def test_reindex_catches_up_with_bulk_writes(app, session, staff):
    meeting = h.meeting(staff)
    h.minutes(meeting, staff, "Zapisnik o gozdovih.")
    kamnik = f.municipality("Kamnik")
    db.session.execute(insert(ActionItem), [{"title": f"Gozdna cesta {n}", "description": "", "assignee_org_id": kamnik.id,
                                             "created_by_id": staff.id} for n in range(3)])
    db.session.execute(text("DELETE FROM search_document WHERE kind = 'minutes'"))  # as if it had drifted
    assert found(staff, "gozd") == {}
    count = indexing.reindex()
    db.session.commit()
    assert count == len(_documents())
    assert {k: len(v) for k, v in found(staff, "gozd").items()} == {"minutes": 1, "item": 3}
    if db.engine.dialect.name == "sqlite":  # the FTS table agrees with its content table
        db.session.execute(text("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"))


def test_reindex_command(app, session, staff):
    h.minutes(h.meeting(staff), staff, "Zapisnik o jezerih.")
    db.session.execute(text("DELETE FROM search_document"))
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "documents" in result.output
    assert found(staff, "jezer") != {}


# --- hostile input and fixed cost ----------------------------------------------------------------

HOSTILE = ['"', '""', "'", "*", "cest*", '"cest', "NEAR(a b)", "NEAR", "a NEAR/2 b", "(", ")", "((a)", "-", "- -",
           "a OR b", "NOT", "AND", "a AND", "^a", "{a b}", "a:b", "folded:cest", ":*", "&|!", "a & | b", "\\",
           "%_", "\x00", "x" * 10_000, "č" * 3000, " ".join(["a"] * 500), "", "   ", "<script>alert(1)</script>",
           "' OR 1=1 --", "\u202e\u200b", "😀 cesta", "١٢٣"]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_fail(client, no_csrf, session, staff, query):
    h.minutes(h.meeting(staff), staff, "Cestišče in cesta.")
    f.login(client, staff)
    expected = 400 if "\x00" in query else 200  # a NUL character is refused in any request
    for params in ({"q": query}, {"q": query, "kind": "minutes"}, {"q": query, "kind": "nič", "page": "-3"},
                   {"q": query, "page": "abc"}):
        response = client.get("/iskanje", query_string=params)
        assert response.status_code == expected
        assert "<script>alert" not in response.get_data(as_text=True)
    assert client.get("/iskanje", query_string={"q": query}, headers={"HX-Request": "true"}).status_code == expected


def test_empty_and_no_results_states(client, no_csrf, session, staff):
    f.login(client, staff)
    empty = client.get("/iskanje").get_data(as_text=True)
    assert 'id="search-results"' in empty and "cestisce" in empty  # the hint
    none = client.get("/iskanje?q=ni-takega-zadetka").get_data(as_text=True)
    assert "ni-takega-zadetka" in none and 'class="empty"' in none
    fragment = client.get("/iskanje?q=ni-takega-zadetka", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True)


def test_header_search_box_for_signed_in_users(client, no_csrf, session, staff):
    assert 'site-search' not in client.get("/prijava").get_data(as_text=True)
    f.login(client, staff)
    page = client.get("/sestanki/").get_data(as_text=True)
    assert 'action="/iskanje"' in page and 'id="site-search-q"' in page


def _content(staff, n: int):
    for i in range(n):
        meeting = h.meeting(staff, title=f"Seja o pločnikih {i}", visibility=Visibility.INTERNAL)
        agenda = h.minutes(meeting, staff, f"Pločnik številka {i}.")
        conclusion = h.conclusion(meeting, f"Pločnik {i} se uredi.", Visibility.INTERNAL)
        h.item(staff, f"Pločnik {i}", conclusion_=conclusion, org=f.municipality("Kranj"))
        del agenda


def test_search_has_a_fixed_query_count(client, no_csrf, session, staff, count_queries):
    municipal = f.user(Role.MUNICIPAL)
    _content(staff, 2)
    f.login(client, municipal)
    urls = ("/iskanje?q=plocnik", "/iskanje?q=plocnik&kind=item", "/iskanje?q=plocnik+seja")
    for url in urls:
        client.get(url)
    with count_queries() as few:
        for url in urls:
            assert client.get(url).status_code == 200
    _content(staff, 15)
    with count_queries() as many:
        for url in urls:
            assert client.get(url).status_code == 200
    assert many.count == few.count, "\n\n".join(s[:200] for s in many.statements)
    assert few.count <= 3 * 8, few.count  # six kinds: one query each, and the signed-in user


def test_results_link_to_their_pages(client, no_csrf, session, staff):
    meeting = h.meeting(staff, title="Seja o kolesarjih")
    agenda = h.minutes(meeting, staff, "Kolesarji.")
    conclusion = h.conclusion(meeting, "Kolesarska steza.")
    item = h.item(staff, "Kolesarska karta", conclusion_=conclusion)
    f.login(client, staff)
    page = client.get("/iskanje?q=kolesar").get_data(as_text=True)
    for link in (f'href="/sestanki/{meeting.id}"', f'href="/sestanki/{meeting.id}#item-{agenda.id}"',
                 f'href="/sestanki/{meeting.id}#conclusion-{conclusion.id}"', f'href="/naloge/{item.id}"'):
        assert link in page
    assert db.session.scalar(select(func.count()).select_from(SearchDocument)) >= 4


def test_the_flush_hook_builds_what_a_rebuild_builds(session):
    """The demo data are written through the services: the index the hook kept equals a rebuilt one."""
    from coordination import demo
    from coordination.audit.services import acting_as

    with acting_as("tests"):
        demo.load()
    kept = _documents()
    assert len([k for k in kept if k[0] == "item"]) >= 212
    indexing.reindex()
    assert _documents() == kept
    ministry = db.session.scalar(select(User).where(User.email == "ministrstvo@demo.si"))
    assert found(ministry, "skrbnikov podatkov obcin")  # the 20. 9. 2022 meeting's work is findable


def test_conclusions_register_text_filter_uses_the_index(client, no_csrf, session, staff):
    meeting = h.meeting(staff)
    conclusion = h.conclusion(meeting, "Občine uredijo cestišče do jeseni.")
    f.login(client, staff)
    for query in ("cestisce", "OBCINE jesen", conclusion.register_number):
        assert "uredijo cestišče" in client.get("/sklepi/", query_string={"q": query}).get_data(as_text=True), query
    assert "uredijo cestišče" not in client.get("/sklepi/?q=cestisce+poleti").get_data(as_text=True)
    assert client.get("/sklepi/", query_string={"q": '"*(- NEAR'}).status_code == 200
