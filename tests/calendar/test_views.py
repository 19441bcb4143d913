"""The calendar as pages: a month grid (Monday first) and an agenda list of the meetings the user may
see, with the same rule as the meeting page, a fixed number of queries, and the feeds one link away."""
from datetime import UTC, datetime, timedelta

import pytest

from coordination.calendar.month import Month
from coordination.groups.models import GroupRole
from coordination.meetings.models import Visibility
from tests import factories as f
from tests.meetings import helpers as h

pytestmark = pytest.mark.usefixtures("no_csrf")


@pytest.fixture
def december(session):
    group, people = h.group_with_people()
    internal = h.meeting(group, title="Seja skupine o šifrantih", start=datetime(2026, 12, 3, 8, tzinfo=UTC))
    public = h.meeting(None, title="Javni posvet z občinami", start=datetime(2026, 12, 14, 12, 30, tzinfo=UTC),
                       visibility=Visibility.PUBLIC)
    late = h.meeting(None, title="Zadnji sestanek leta", start=datetime(2026, 12, 31, 22, 30, tzinfo=UTC),
                     visibility=Visibility.PUBLIC)  # 23:30 on the 31st in Ljubljana
    return {"group": group, "people": people, "internal": internal, "public": public, "late": late}


def test_month_grid_starts_on_monday_and_fills_whole_weeks():
    weeks = Month(2026, 12).weeks()
    assert weeks[0][0].isoformat() == "2026-11-30" and weeks[0][0].weekday() == 0
    assert weeks[-1][-1].isoformat() == "2027-01-03"
    assert Month(2026, 12).shifted(1) == Month(2027, 1) and Month(2026, 1).shifted(-1) == Month(2025, 12)
    assert Month.parse("2026-13", datetime(2026, 1, 1).date()) is None
    assert Month.parse("abc", datetime(2026, 1, 1).date()) is None


def test_member_sees_the_groups_meeting_on_its_day_others_do_not(client, december):
    member = december["people"][GroupRole.MEMBER]
    f.login(client, member)
    page = client.get("/koledar/mesec?m=2026-12").get_data(as_text=True)
    assert "december 2026" in page and "Seja skupine o šifrantih" in page and "Javni posvet z občinami" in page
    assert '<time datetime="2026-12-03">3. 12. 2026</time>' in page
    assert "13.30" in page  # 12:30 UTC is 13:30 in Ljubljana in winter
    client.post("/odjava")
    outsider = f.user()
    f.login(client, outsider)
    page = client.get("/koledar/mesec?m=2026-12").get_data(as_text=True)
    assert "Javni posvet z občinami" in page and "Seja skupine o šifrantih" not in page


def test_a_meeting_is_on_the_day_it_starts_in_ljubljana(client, december):
    f.login(client, f.user())
    january = client.get("/koledar/mesec?m=2027-01").get_data(as_text=True)
    # 22:30 UTC on the 31st is still the 31st in Ljubljana: shown in December, and in January's first week
    assert "Zadnji sestanek leta" in january and "23.30" in january
    agenda = client.get("/koledar/seznam?od=2026-12-31").get_data(as_text=True)
    assert "31. decembra 2026" in agenda and "Zadnji sestanek leta" in agenda


def test_agenda_lists_from_a_day_and_pages_on(client, december):
    group = december["group"]
    for n in range(45):
        h.meeting(group, title=f"Seja {n}", start=datetime(2027, 2, 1, 9, tzinfo=UTC) + timedelta(days=n),
                  visibility=Visibility.PUBLIC)
    f.login(client, f.user())
    first = client.get("/koledar/seznam?od=2027-02-01").get_data(as_text=True)
    assert "Seja 0<" in first and "Seja 39<" in first and "Seja 40<" not in first
    assert 'href="/koledar/seznam?od=2027-03-13"' in first
    second = client.get("/koledar/seznam?od=2027-03-13").get_data(as_text=True)
    assert "Seja 40<" in second and "Seja 44<" in second and "rel=\"next\"" not in second


def test_bad_months_and_days_are_not_found(client, december):
    f.login(client, f.user())
    for url in ("/koledar/mesec?m=2026-13", "/koledar/mesec?m=x", "/koledar/mesec?m=99999999999999999999-1",
                "/koledar/seznam?od=2026-02-30", "/koledar/seznam?od=<script>"):
        assert client.get(url).status_code == 404, url


def test_month_is_a_fragment_for_htmx_and_links_the_feeds(client, december):
    f.login(client, f.user())
    page = client.get("/koledar/mesec?m=2026-12").get_data(as_text=True)
    assert 'href="/koledar/"' in page and 'href="/koledar/seznam"' in page
    fragment = client.get("/koledar/mesec?m=2026-11", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.get_data(as_text=True) and 'id="calendar-month"' in fragment.get_data(as_text=True)


def test_month_has_a_fixed_number_of_queries(client, december, count_queries):
    viewer = december["people"][GroupRole.MEMBER]
    f.login(client, viewer)
    counts = []
    for extra in (0, 30):
        for n in range(extra):
            h.meeting(december["group"], title=f"Dodatna {n}", start=datetime(2026, 12, 1 + n % 28, 8, tzinfo=UTC))
        client.get("/koledar/mesec?m=2026-12")
        with count_queries() as counter:
            assert client.get("/koledar/mesec?m=2026-12").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
