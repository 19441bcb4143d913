"""The schema comes only from the migrations, and they match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coordination.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        from coordination.search.models import outside_models

        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": outside_models})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_migration_file_names_are_date_stamped():
    import re
    from pathlib import Path

    names = [p.name for p in (Path(__file__).parent.parent / "migrations" / "versions").glob("*.py")]
    assert names and all(re.match(r"^\d{8}_[0-9a-f]+_\w+\.py$", n) for n in names), names


def test_upgrade_keeps_existing_data_on_sqlite(tmp_path):
    """Each migration applied to a database that already holds data, as a real upgrade does
    (SQLite copies a table to alter it, which must not trip over foreign keys)."""
    from flask_migrate import upgrade
    from sqlalchemy import event, func, select, text
    from sqlalchemy.orm import Session

    from coordination import create_app
    from coordination.audit.services import acting_as
    from coordination.organisations import reference
    from coordination.search import index as search_index
    from coordination.web.transaction import unit_of_work

    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'upgrade.db'}")
    with app.app_context():
        from alembic.script import ScriptDirectory
        from flask_migrate import Migrate  # noqa: F401 - the extension holds the config

        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
        upgrade(revision=revisions[0])
        # today's models index organisations for search; the first schema has no index table yet
        event.remove(Session, "after_flush", search_index._follow_changes)
        try:
            with acting_as("tests"), unit_of_work():
                reference.load()
        finally:
            event.listen(Session, "after_flush", search_index._follow_changes)
        db.session.remove()
        org_id = db.session.scalar(text("SELECT min(id) FROM organisation"))
        db.session.remove()
        for n, revision in enumerate(revisions[1:]):
            with db.engine.begin() as connection:  # columns of the first schema only: the model may be ahead
                connection.execute(text(
                    "INSERT INTO app_user (email, name, password_hash, role, organisation_id, active, "
                    "session_version, created_at) VALUES (:e, 'U', 'x', 'municipal', :o, 1, 1, '2024-01-01')"),
                    {"e": f"u{n}@example.si", "o": org_id})
                connection.execute(text(  # a row that refers to the user, as the audit log always does
                    "INSERT INTO audit_entry (at, actor_id, actor_label, action, entity_type, entity_label, changes) "
                    "SELECT '2024-01-01', max(id), 'U', 'update', 'User', 'U', '{}' FROM app_user"))
            upgrade(revision=revision)
            db.session.remove()
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        from coordination.accounts.models import User
        from coordination.audit.models import AuditEntry

        assert db.session.scalar(select(func.count()).select_from(User)) == len(revisions) - 1
        # copying a table must not fire its ON DELETE actions (SET NULL here, CASCADE elsewhere)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.actor_id.is_not(None))) == len(revisions) - 1
        db.engine.dispose()
