from collections import Counter

from sqlalchemy import func, select

from coordination.audit.services import acting_as
from coordination.organisations import reference
from coordination.organisations.models import Organisation, OrgKind, Region
from tests import factories as f


def _municipalities(session):
    return session.scalars(select(Organisation).where(Organisation.kind == OrgKind.MUNICIPALITY)).all()


def test_the_212_municipalities_and_12_regions(session):
    municipalities = _municipalities(session)
    assert len(municipalities) == 212
    assert session.scalar(select(func.count()).select_from(Region)) == 12
    per_region = Counter(m.region.name for m in municipalities)
    assert per_region["Podravska"] == 41 and per_region["Zasavska"] == 4 and per_region["Savinjska"] == 31
    assert "SI-145" not in {m.iso_code for m in municipalities}
    cities = sorted(m.name for m in municipalities if m.is_city)
    assert cities == ["Celje", "Koper", "Kranj", "Krško", "Ljubljana", "Maribor", "Murska Sobota",
                      "Nova Gorica", "Novo mesto", "Ptuj", "Slovenj Gradec", "Velenje"]


def test_associations_ministry_and_zmos_default_members(session):
    for short in ("SOS", "ZOS", "ZMOS", "MDP"):
        assert f.by_short_name(short) is not None
    zmos = f.by_short_name("ZMOS")
    assert sorted(m.name for m in zmos.members) == sorted(
        m.name for m in _municipalities(session) if m.is_city)


def test_loading_again_changes_nothing_and_keeps_admin_edits(session):
    zmos = f.by_short_name("ZMOS")
    ptuj = f.municipality("Ptuj")
    ptuj.associations = [a for a in ptuj.associations if a.id != zmos.id]  # an admin's edit
    session.commit()
    with acting_as("tests"):
        created = reference.load()
    assert created == {"regions": 0, "municipalities": 0, "organisations": 0}
    assert session.scalar(select(func.count()).select_from(Organisation)
                          .where(Organisation.kind == OrgKind.MUNICIPALITY)) == 212
    assert zmos.id not in {a.id for a in f.municipality("Ptuj").associations}


def test_attribution_is_shipped_with_the_data():
    sources = (reference.DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert reference.ATTRIBUTION in sources
