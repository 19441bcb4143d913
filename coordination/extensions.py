"""Extension objects, created unbound so models and blueprints can import them."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

# Explicit constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)  # batch: SQLite can alter tables
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()


def insert_on_conflict(model, bind):
    """The INSERT of the database in use, which knows ON CONFLICT (SQLite 3.24+ and PostgreSQL)."""
    return (postgresql if bind.dialect.name == "postgresql" else sqlite).insert(model)




def in_indexed(column, subquery):
    """`column IN (subquery)`, written so an OR of indexed conditions stays indexed: on PostgreSQL
    `column = ANY(ARRAY(subquery))`, which the planner combines with the other arms of the OR in one
    bitmap of index lookups (an `IN (subquery)` there is a filter run on every row, i.e. a scan of
    the whole table). The price: where the planner filters rows by it instead (e.g. after another
    index found them), each row is compared with the whole array, so queries that start from a
    small set found elsewhere keep `IN`. SQLite already looks up each arm of such an OR by its
    index, so it keeps the subquery."""
    from sqlalchemy import any_, func

    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(func.array(subquery.scalar_subquery()))
    return column.in_(subquery)
