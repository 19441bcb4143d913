"""Geometry of the inline SVG drawings (the map, column and line charts), computed once here so the
same templates draw them on the page and in the PDF. Pure: no Flask, no database."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from coordination.points import geo

STATUS_STYLE = {  # colour and shape per point status: the shape alone tells them apart too
    "open": {"fill": "#1e6b30", "shape": "circle"},
    "closed": {"fill": "#8a1c1c", "shape": "square"},
}


@dataclass(frozen=True)
class Mark:
    dot: object
    x: float
    y: float
    tip_x: float      # where the focus/hover label goes (kept inside the drawing)
    tip_y: float
    tip_w: float


@dataclass
class MapView:
    width: int
    height: int
    regions: tuple
    marks: list[Mark]
    projection: geo.Projection


def map_view(dots, *, highlight: int | None = None) -> MapView:
    proj = geo.projection()
    marks = []
    for dot in dots:
        x, y = proj.xy(dot.lon, dot.lat)
        tip_w = 14 + 7.2 * len(f"{dot.code} {dot.name}")
        tip_x = min(max(x - tip_w / 2, 2), proj.width - tip_w - 2)
        tip_y = y - 34 if y > 40 else y + 12
        marks.append(Mark(dot, x, y, round(tip_x, 1), round(tip_y, 1), round(tip_w, 1)))
    if highlight is not None:  # the highlighted point is drawn last, above its neighbours
        marks.sort(key=lambda m: m.dot.id == highlight)
    return MapView(proj.width, proj.height, geo.regions(), marks, proj)


# --- charts ------------------------------------------------------------------------------------

def nice_max(value: float) -> float:
    """The axis top, at least `value`, whose quarters are round numbers (four grid lines)."""
    if value <= 0:
        return 4
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power


@dataclass
class Column:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    top: int
    plot_w: float
    plot_h: float
    top_value: float
    ticks: list[tuple[float, str]] = field(default_factory=list)  # (y, label)
    columns: list[Column] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)   # {name, points: "x,y x,y", dashed, colour, dots}
    markers: list[dict] = field(default_factory=list)  # {x, y, label}
    x_labels: list[tuple[float, str]] = field(default_factory=list)


def column_chart(labels: list[str], values: list[float], *, fmt, width: int = 560, height: int = 240,
                 every: int = 1) -> Chart:
    """Vertical columns, one per label; every `every`-th label is written under the axis."""
    left, top, bottom = 64, 12, 40
    chart = Chart(width, height, left, top, width - left - 12, height - top - bottom,
                  nice_max(max(values, default=0)))
    _ticks(chart, fmt)
    n = max(len(values), 1)
    slot = chart.plot_w / n
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = chart.plot_h * value / chart.top_value
        x = left + i * slot + slot * 0.15
        chart.columns.append(Column(label, value, round(x, 1), round(top + chart.plot_h - h, 1), round(slot * 0.7, 1),
                                    round(h, 1), fmt(value)))
        if i % every == 0:
            chart.x_labels.append((round(left + i * slot + slot / 2, 1), label))
    return chart


def line_chart(labels: list[str], series: list[dict], *, fmt, width: int = 720, height: int = 280,
               markers: list[tuple[int | float, float, str]] = (), every: int = 1) -> Chart:
    """Lines over the months: series = [{name, values (None = no point), colour, dashed}]; markers =
    (month index, value, label) drawn as diamonds (the programme's targets)."""
    left, top, bottom = 72, 12, 40
    highest = max([v for s in series for v in s["values"] if v is not None] + [m[1] for m in markers] + [0])
    chart = Chart(width, height, left, top, width - left - 16, height - top - bottom, nice_max(highest))
    _ticks(chart, fmt)
    n = max(len(labels) - 1, 1)

    def xy(i, v):
        return (round(left + chart.plot_w * i / n, 1), round(top + chart.plot_h * (1 - v / chart.top_value), 1))

    for s in series:
        pts = [xy(i, v) for i, v in enumerate(s["values"]) if v is not None]
        chart.lines.append({"name": s["name"], "colour": s["colour"], "dashed": s.get("dashed", False),
                            "points": " ".join(f"{x},{y}" for x, y in pts), "dots": pts})
    for index, value, label in markers:
        x, y = xy(index, value)
        chart.markers.append({"x": x, "y": y, "label": label})
    for i, label in enumerate(labels):
        if i % every == 0:
            chart.x_labels.append((xy(i, 0)[0], label))
    return chart


def _ticks(chart: Chart, fmt) -> None:
    for k in range(5):
        value = chart.top_value * k / 4
        chart.ticks.append((round(chart.top + chart.plot_h * (1 - k / 4), 1), fmt(value)))


@dataclass
class Bar:
    label: str
    value: float
    width: float
    text: str


def bar_rows(rows: list[tuple[str, float]], *, fmt, bar_w: int = 300) -> list[Bar]:
    """Horizontal bars (region, topic), longest = bar_w."""
    top = max((v for _l, v in rows), default=0) or 1
    return [Bar(label, value, round(bar_w * value / top, 1), fmt(value)) for label, value in rows]
