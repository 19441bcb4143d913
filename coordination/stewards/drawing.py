"""The coverage map: each municipality's seat shaped AND coloured by its steward state (circle: a
confirmed steward; triangle: nominated only; square: nobody) on the app's one map (web/maps.py
projects, templates/macros/map.html draws), for the coverage page and the registry PDF."""
from __future__ import annotations

from dataclasses import dataclass

from coordination.stewards.queries import STATE_LABELS, STATES
from coordination.web import maps

STATE_MARKS = {"confirmed": ("circle", "#1e6b30"), "nominated": ("triangle", "#b8860b"), "none": ("square", "#a4161a")}


@dataclass(frozen=True)
class CoverageMap:
    view: maps.View
    legend: list[dict]  # macros/map.html legend entries, with the counts


def coverage_map(municipalities, region_code: str = "") -> CoverageMap:
    """`municipalities`: objects with lat, lon, state and name (queries.coverage); `region_code` is
    drawn stronger (the per-region report)."""
    counts = {state: 0 for state in STATES}
    marks = []
    for m in municipalities:
        counts[m.state] += 1
        if m.lat is not None and m.lon is not None:
            shape, fill = STATE_MARKS[m.state]
            marks.append(maps.Mark(*maps.xy(m.lon, m.lat), shape, fill, f"{m.name}: {STATE_LABELS[m.state]}",
                                   css=f"state-{m.state}"))
    legend = [{"shape": STATE_MARKS[s][0], "fill": STATE_MARKS[s][1], "ring": False,
               "label": f"{STATE_LABELS[s]} ({counts[s]})"} for s in STATES]
    return CoverageMap(maps.view(marks, region_code or None), legend)
