"""A database built from nothing: the schema exactly as the migrations make it, plus the reference
data. For the test suites and the benchmark, which own their databases; never run on a live one."""
import os

from flask_migrate import upgrade
from sqlalchemy import text

from coordination.audit.services import acting_as
from coordination.extensions import db
from coordination.organisations import reference
from coordination.web.transaction import unit_of_work


def rebuild(app) -> None:
    """Drop everything in the app's database, migrate to the newest schema, load the reference data."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            path = engine.url.database
            engine.dispose()
            for suffix in ("", "-journal", "-wal", "-shm"):
                if path and os.path.exists(path + suffix):
                    os.remove(path + suffix)
        else:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
                conn.execute(text("DROP COLLATION IF EXISTS sl"))
            engine.dispose()
        upgrade()
        with acting_as("reference data"), unit_of_work():
            reference.load()
        db.session.remove()
