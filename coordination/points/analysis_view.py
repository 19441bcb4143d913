"""What the analysis and decision pages show, prepared once for the page, the fragment and the PDF:
the parameters in words, the points' rows with their reasons worded, the links that pin a point,
and the map's marks projected with coordinates of coordination/points/geo.py."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from coordination.points import geo, network
from coordination.points.analysis import reason_from
from coordination.web.formatting import MONTHS_EN, format_number, sort_key

PIN_KEYS = ("open", "closed")
MONTHS_SL = ("januar", "februar", "marec", "april", "maj", "junij", "julij", "avgust", "september", "oktober",
             "november", "december")


def lang() -> str:
    locale = get_locale()
    return "en" if locale and locale.language == "en" else "sl"


def month_label(month) -> str:
    """'marec 2024' / 'March 2024': a month of the analysis window."""
    if month is None:
        return ""
    names = MONTHS_EN if lang() == "en" else MONTHS_SL
    return f"{names[month.month - 1]} {month.year}"


# --- pins as addresses ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Pins:
    """Builds the analysis address with one point's pin changed; the rest of the query is kept."""

    path: str
    base: str                 # the query without pins, encoded once
    pinned_open: frozenset[int]
    pinned_closed: frozenset[int]

    @classmethod
    def from_args(cls, path: str, args, pinned_open, pinned_closed) -> Pins:
        items = [(k, v) for k, values in args.lists() if k not in PIN_KEYS for v in values if v != ""]
        return cls(path, urlencode(items), frozenset(pinned_open), frozenset(pinned_closed))

    def url(self, pinned_open, pinned_closed) -> Markup:
        """The address, already escaped for HTML: a table of 1,000 points holds 3,000 of them, and
        escaping each again costs more than building it (the query is urlencoded, so `&` is all)."""
        pins = "&".join([f"open={i}" for i in sorted(pinned_open)] + [f"closed={i}" for i in sorted(pinned_closed)])
        query = "&".join(q for q in (self.base, pins) if q)
        return Markup((f"{self.path}?{query}" if query else self.path).replace("&", "&amp;"))  # noqa: S704  # nosec B704

    def current(self) -> Markup:
        return self.url(self.pinned_open, self.pinned_closed)

    def query(self) -> str:
        """The whole query (pins included) without the path: what the adoption form carries."""
        return str(self.current()).replace("&amp;", "&").partition("?")[2]

    def keep(self, point_id: int) -> Markup:
        return self.url(self.pinned_open | {point_id}, self.pinned_closed - {point_id})

    def close(self, point_id: int) -> Markup:
        return self.url(self.pinned_open - {point_id}, self.pinned_closed | {point_id})

    def release(self, point_id: int) -> Markup:
        return self.url(self.pinned_open - {point_id}, self.pinned_closed - {point_id})



# --- rows ---------------------------------------------------------------------------------------

def why_text(row: dict, language: str) -> str:
    """The reasons of a stored row, without the verdict the table shows beside them."""
    return "; ".join(network.reason_text(reason_from(r), language) for r in row["reasons"])  # type: ignore[arg-type]


def fast_number(value: float, decimals: int, language: str) -> str:
    """format_number's result for plain numbers, without Babel's cost (the table formats ~1,000)."""
    text = f"{value:,.{decimals}f}"
    if language == "sl":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.replace("-", "−")


def table_rows(rows: list[dict], expected: float, pins: Pins | None = None) -> list[dict]:
    """The rows in reading order (closing points first, fewest visits first), with their words."""
    language, trends = lang(), trend_labels()
    out = []
    for row in sorted(rows, key=lambda r: (r["open"], r["monthly"], sort_key(r["code"]))):
        view = dict(row)
        view["why"] = why_text(row, language)
        view["visits_text"] = fast_number(row["visits"], 0, language)
        view["monthly_text"] = fast_number(row["monthly"], 1, language)
        view["against_text"] = (f"{round(100 * (row['monthly'] - expected) / expected):+d} %".replace("-", "−")
                                if expected else "")
        view["trend_text"] = trend_text(row["trend"], language)
        view["trend_label"] = trends[trend_kind(row["trend"])]
        if pins is not None:  # only the addresses the row and its map mark show
            if row["pinned"]:
                view["release_url"] = view["toggle_url"] = pins.release(row["id"])
            else:
                view["keep_url"], view["close_url"] = pins.keep(row["id"]), pins.close(row["id"])
                view["toggle_url"] = view["close_url"] if row["open"] else view["keep_url"]
        out.append(view)
    return out


def trend_text(slope: float | None, language: str = "sl") -> str:
    if slope is None:
        return "—"
    sign = {"rising": "+", "falling": "−", "steady": "±"}[trend_kind(slope)]
    return sign + fast_number(abs(slope), 1, language)


def trend_kind(slope: float | None) -> str:
    if slope is None:
        return "unknown"
    return "rising" if slope > 0.05 else "falling" if slope < -0.05 else "steady"


def trend_labels() -> dict[str, str]:
    return {"unknown": _("too few months to tell"), "rising": _("rising"), "falling": _("falling"),
            "steady": _("steady")}


# --- the map ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    row: dict


def map_context(rows: list[dict]) -> dict:
    """The regions' outlines and one mark per point (closed points drawn after, on top)."""
    proj = geo.projection()
    marks = sorted((Mark(*proj.xy(r["lon"], r["lat"]), r) for r in rows), key=lambda m: not m.row["open"])
    return {"regions": geo.regions(), "width": proj.width, "height": proj.height, "marks": marks,
            "attribution": geo.ATTRIBUTION}


# --- parameters in words ----------------------------------------------------------------------------

def _num(value, decimals=None) -> str:
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return format_number(value, decimals)


def parameter_lines(params: dict, region_names: dict[str, str]) -> list[tuple[str, str]]:
    """The rules of a proposal or decision as (label, value) lines, from Params.as_json()."""
    lines = []
    if params.get("close_count") is not None:
        lines.append((_("Which points close"), _("a set number of points, %(num)s: those whose closing loses the fewest visits",
                                                 num=params["close_count"])))
    else:
        lines.append((_("Which points close"),
                      _("every point under %(threshold)s visits a month that the other rules allow",
                        threshold=_num(params.get("threshold")))))
    floors = ngettext("every region keeps at least %(num)d open point", "every region keeps at least %(num)d open points",
                      params.get("region_min", 1))
    overrides = params.get("region_min_overrides") or {}
    if overrides:
        floors += "; " + ", ".join(f"{region_names.get(code, code)}: {n}" for code, n in sorted(overrides.items()))
    lines.append((_("Regions"), floors))
    if params.get("coverage_km") is not None:
        lines.append((_("Coverage"), _("every municipality's seat keeps a point within %(km)s km",
                                       km=_num(params["coverage_km"]))))
    if params.get("population_over") is not None:
        lines.append((_("Population"), _("every municipality with more than %(num)s inhabitants keeps its point",
                                         num=_num(params["population_over"]))))
    if params.get("retention"):
        lines.append((_("Visits kept"), _("%(share)s %% of a closed point's visits count as kept when an open "
                                          "point is within %(km)s km", share=_num(100 * params["retention_share"]),
                                          km=_num(params["retention_km"]))))
    lines.append((_("Expected level"), _("%(num)s visits a month", num=_num(params.get("expected_monthly")))))
    pinned = len(params.get("pinned_open") or ()) + len(params.get("pinned_closed") or ())
    if pinned:
        lines.append((_("Adjusted by hand"), _("%(open)d kept open, %(closed)d closed by hand",
                                               open=len(params.get("pinned_open") or ()),
                                               closed=len(params.get("pinned_closed") or ()))))
    return lines


def status_text(status: str) -> str:
    return {
        "optimal": _("proven optimal: no other choice under these rules loses fewer visits"),
        "time_limit": _("not proven optimal: the solver reached its time limit"),
        "infeasible": _("the rules cannot all be met"),
        "rejected": _("no data to decide on"),
        "error": _("the solver failed"),
    }[status]


def findings_text(findings: list[network.Finding], fatal: bool) -> list[str]:
    language = lang()
    return [network.describe(f, language) for f in findings if f.fatal == fatal]  # type: ignore[arg-type]
