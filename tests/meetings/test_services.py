from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from coordination.audit.models import AuditEntry
from coordination.meetings import services
from coordination.meetings.markdown import render
from coordination.meetings.models import ConclusionKind, MinutesState, MinutesVersion, Visibility
from tests import factories as f
from tests.meetings.helpers import group_with_people, meeting


def test_register_body_comes_from_group_or_ministry(session):
    group, _ = group_with_people()
    assert meeting(group).register_body == "DS-IT"
    assert meeting(organisers=[f.by_short_name("ZMOS"), f.by_short_name("MDP")]).register_body == "MDP"
    assert meeting(organisers=[f.by_short_name("SOS")]).register_body == "SOS"


def test_end_before_start_is_refused(session):
    start = datetime(2024, 3, 20, 9, tzinfo=UTC)
    with pytest.raises(services.MeetingError):
        services.create_meeting(title="x", starts_at=start, ends_at=start, place=None, online_url=None,
                                visibility=Visibility.PUBLIC, group=None, organisers=[], created_by=None)


def test_agenda_reorder_refuses_foreign_ids(session):
    m, other = meeting(), meeting(title="Druga")
    a = services.add_agenda_item(m, title="Uvod", visibility=Visibility.INTERNAL)
    b = services.add_agenda_item(m, title="Razno", visibility=Visibility.INTERNAL)
    foreign = services.add_agenda_item(other, title="Tuja", visibility=Visibility.INTERNAL)
    with pytest.raises(services.MeetingError):
        services.reorder_agenda(m, [b.id, foreign.id])
    services.reorder_agenda(m, [b.id, a.id])
    assert [i.title for i in m.agenda] == ["Razno", "Uvod"]
    services.move_agenda_item(a, -1)
    assert [i.title for i in m.agenda] == ["Uvod", "Razno"]
    services.remove_agenda_item(a)
    assert [(i.title, i.position) for i in m.agenda] == [("Razno", 1)]


def test_minutes_versions_and_stale_saves(session):
    group, people = group_with_people()
    m = meeting(group)
    item = services.add_agenda_item(m, title="Uvod", visibility=Visibility.INTERNAL)
    author = people[next(iter(people))]
    assert services.save_minutes(item, text="Prvi zapis", base_version=0, author=author) == 1
    assert services.save_minutes(item, text="Drugi zapis", base_version=1, author=author) == 2
    with pytest.raises(services.StaleMinutes) as stale:
        services.save_minutes(item, text="Star zapis", base_version=1, author=author)
    assert stale.value.current_text == "Drugi zapis" and stale.value.current_version == 2
    versions = session.scalars(select(MinutesVersion).where(MinutesVersion.item_id == item.id)
                               .order_by(MinutesVersion.version)).all()  # PostgreSQL keeps no order by itself
    assert [v.text for v in versions] == ["Prvi zapis", "Drugi zapis"]
    with pytest.raises(services.MeetingError):
        services.save_minutes(item, text="x" * 200_001, base_version=2, author=author)


def test_approval_locks_and_revisions_need_a_reason(session):
    group, people = group_with_people()
    m = meeting(group)
    item = services.add_agenda_item(m, title="Uvod", visibility=Visibility.INTERNAL)
    secretary = next(iter(people.values()))
    services.save_minutes(item, text="Zapis", base_version=0, author=secretary)
    with pytest.raises(services.MeetingError):
        services.approve(m, secretary, confirmed=services.ALL_OPEN_POINTS)  # must be circulated first
    services.circulate(m)
    services.add_comment(item, author=secretary, text="Dopolniti.")
    services.approve(m, secretary, confirmed=services.ALL_OPEN_POINTS)
    assert m.minutes_state == MinutesState.APPROVED and m.approved_by_id == secretary.id
    with pytest.raises(services.MeetingError):
        services.save_minutes(item, text="Popravek", base_version=1, author=secretary)
    services.save_minutes(item, text="Popravek", base_version=1, author=secretary, reason="Tipkarska napaka")
    revision = session.scalars(select(MinutesVersion).where(MinutesVersion.item_id == item.id)
                               .order_by(MinutesVersion.version.desc())).first()
    assert revision.revision_reason == "Tipkarska napaka"


def test_conclusions_numbers_and_stable_register(session):
    m = meeting(start=datetime(2022, 9, 20, 10, tzinfo=UTC), organisers=[f.by_short_name("MDP")])
    made = [services.add_conclusion(m, text=f"Sklep {i}", kind=ConclusionKind.DECISION, visibility=Visibility.PUBLIC)
            for i in range(1, 5)]
    assert [c.register_number for c in made] == ["MDP 2022/1", "MDP 2022/2", "MDP 2022/3", "MDP 2022/4"]
    services.delete_conclusion(made[1])
    session.expire_all()
    assert [(c.number, c.register_number) for c in m.conclusions] == [
        (1, "MDP 2022/1"), (2, "MDP 2022/3"), (3, "MDP 2022/4")]
    services.reorder_conclusions(m, [made[3].id, made[0].id, made[2].id])
    session.expire_all()
    assert [(c.number, c.register_number) for c in m.conclusions] == [
        (1, "MDP 2022/4"), (2, "MDP 2022/1"), (3, "MDP 2022/3")]
    again = services.add_conclusion(m, text="Sklep 5", kind=ConclusionKind.INFORMATION, visibility=Visibility.PUBLIC)
    assert again.number == 4 and again.register_number == "MDP 2022/5"  # 2 is never used again
    with pytest.raises(services.MeetingError):
        services.reorder_conclusions(m, [made[3].id, made[0].id])


def test_conclusion_establishes_a_group_both_ways(session):
    group, _ = group_with_people()
    m = meeting()
    c = services.add_conclusion(m, text="Ustanovi se delovna skupina.", kind=ConclusionKind.DECISION,
                                visibility=Visibility.PUBLIC, establishes_group=group)
    assert group.established_by is c and c.establishes_group is group


def test_changes_are_audited(session):
    m = meeting()
    item = services.add_agenda_item(m, title="Uvod", visibility=Visibility.INTERNAL)
    services.save_minutes(item, text="Zapis", base_version=0, author=f.user())
    kinds = {(e.entity_type, e.action) for e in session.scalars(select(AuditEntry))}
    assert {("Meeting", "create"), ("AgendaItem", "create"), ("AgendaItem", "update")} <= kinds


def test_markdown_is_sanitised():
    html = str(render("**ok** <script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:alert(1))"))
    assert "<strong>ok</strong>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html


def test_a_date_opening_a_line_is_text_not_a_numbered_list():
    html = str(render("20. 9. 2022 je v Ljubljani potekal sestanek.\n\n 3. 10. 2024 sledi.\n\n1. ena\n2. dve"))
    assert "<p>20. 9. 2022 je v Ljubljani potekal sestanek.</p>" in html and "<p>3. 10. 2024 sledi.</p>" in html
    assert "<ol>\n<li>ena</li>\n<li>dve</li>\n</ol>" in html  # a real list stays a list
