"""The organisations of a drop-down come in Slovenian alphabetical order on either database (on
SQLite sorted in Python by the key the `sl` collation uses, in SQL on PostgreSQL)."""
from sqlalchemy import select

from coordination.extensions import db
from coordination.organisations.models import Organisation
from coordination.organisations.services import organisation_choices
from coordination.web.formatting import sl_order
from tests import factories as f

NAMES = ["Žalec", "Zreče", "Šentjur", "Sevnica", "Črna na Koroškem", "Cerknica", "čebelarji",
         "Ajdovščina", "ankaran"]


def test_organisation_choices_in_slovenian_order(session):
    for name in NAMES:
        f.organisation(name=f"Zz {name}")
    chosen = [name.removeprefix("Zz ") for _, name in organisation_choices() if name.startswith("Zz ")]
    assert chosen == ["Ajdovščina", "ankaran", "Cerknica", "čebelarji", "Črna na Koroškem",
                      "Sevnica", "Šentjur", "Zreče", "Žalec"]
    in_sql = db.session.execute(select(Organisation.id, Organisation.name).order_by(sl_order(Organisation.name))).all()
    assert [tuple(row) for row in organisation_choices()] == [tuple(row) for row in in_sql]
