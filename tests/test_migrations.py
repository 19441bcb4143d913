"""The schema comes only from the migrations, and they match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coordination.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_migration_file_names_are_date_stamped():
    import re
    from pathlib import Path

    names = [p.name for p in (Path(__file__).parent.parent / "migrations" / "versions").glob("*.py")]
    assert names and all(re.match(r"^\d{8}_[0-9a-f]+_\w+\.py$", n) for n in names), names
