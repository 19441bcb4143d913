from tests.meetings.test_pages import *  # noqa
from tests.meetings.test_pages import _full_meeting


def test_counts(client, session, count_queries):
    group, people = group_with_people()
    m = _full_meeting(people, group)
    for n in range(20):
        person = f.user(Role.MUNICIPAL, f.municipality("Kranj"))
        services.add_participant(m, organisation=person.organisation, user=person)
        item = services.add_agenda_item(m, title=f"Točka {n}", visibility=Visibility.INTERNAL)
        services.add_conclusion(m, text=f"Sklep {n}", kind=ConclusionKind.DECISION, visibility=Visibility.INTERNAL,
                                agenda_item=item)
    secretary = signed_in(client, people[GroupRole.SECRETARY])
    import time
    for url, headers in ((f"/sestanki/{m.id}", {}), (f"/sestanki/{m.id}/dnevni-red", HX), ("/sestanki/", {}),
                         ("/sestanki/?when=past", HX), (f"/skupine/{group.id}", {})):
        secretary.get(url, headers=headers)
        with count_queries() as c:
            r = secretary.get(url, headers=headers)
        times = []
        for _ in range(10):
            t = time.perf_counter()
            secretary.get(url, headers=headers)
            times.append((time.perf_counter() - t) * 1000)
        print("COUNT", url, headers, r.status_code, c.count, f"median {sorted(times)[5]:.1f} ms")
