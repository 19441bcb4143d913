"""URL converters: an `<int:…>` in a route is a database id, so only numbers an id column can hold
match; a larger one is a page that does not exist (404), never an overflow in the database (500)."""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app) -> None:
    """Before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter


def id_value(value) -> int:
    """An id read from a query string or a form: ASCII digits (not "²" or "١") within MAX_ID, else
    ValueError; usable as werkzeug's `args.get(name, type=id_value)`, which then gives the default."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def id_or_none(value) -> int | None:
    try:
        return id_value(value)
    except ValueError:
        return None
