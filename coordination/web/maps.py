"""Slovenia on a page, for every map in the app: the 12 statistical regions
(coordination/data/regions.geojson, GURS RPE, CC BY 4.0) projected to SVG, and the inverse for a
click on the map. Low in the layers (web/), so any feature may draw a map; pure, no Flask.

The projection is equirectangular with longitudes shrunk by cos(46°), the middle latitude of the
country: at this size it is indistinguishable from a conformal projection and trivially invertible
in the browser (static/points-map.js uses the numbers of `projection()`). This is the ONE projection
and outline code of the app; `templates/macros/map.html` is the one drawing (outlines, marker shapes,
legend) that the points, stewards, organisation and fan-out maps share, on the page and in the PDF.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "regions.geojson"
ATTRIBUTION = "Vir: GURS, Register prostorskih enot (CC BY 4.0)"
WIDTH = 800
PAD = 12
SHRINK = math.cos(math.radians(46))


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    path: str  # SVG path data
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Projection:
    west: float
    north: float
    scale: float
    width: int
    height: int

    shrink = SHRINK
    pad = PAD

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (round(PAD + (lon - self.west) * SHRINK * self.scale, 1),
                round(PAD + (self.north - lat) * self.scale, 1))

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (self.west + (x - PAD) / (SHRINK * self.scale), self.north - (y - PAD) / self.scale)


def _polygons(geometry) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


@cache
def _features() -> list[dict]:
    with open(DATA, encoding="utf-8") as fh:
        return json.load(fh)["features"]


@cache
def projection() -> Projection:
    lons = [x for f in _features() for poly in _polygons(f["geometry"]) for ring in poly for x, _y in ring]
    lats = [y for f in _features() for poly in _polygons(f["geometry"]) for ring in poly for _x, y in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    scale = (WIDTH - 2 * PAD) / ((east - west) * SHRINK)
    return Projection(west, north, scale, WIDTH, math.ceil((north - south) * scale + 2 * PAD))


@cache
def regions() -> tuple[Region, ...]:
    proj = projection()
    out = []
    for feature in _features():
        parts, best = [], (0.0, 0.0, 0.0)
        for poly in _polygons(feature["geometry"]):
            for ring in poly:
                points = [proj.xy(lon, lat) for lon, lat in ring]
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
            area, cx, cy = _centroid([proj.xy(lon, lat) for lon, lat in poly[0]])
            if abs(area) > abs(best[0]):
                best = (area, cx, cy)
        out.append(Region(feature["properties"]["nuts3"], feature["properties"]["name"], "".join(parts),
                          round(best[1], 1), round(best[2], 1)))
    return tuple(out)


def _centroid(points) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not area:
        return 0.0, points[0][0], points[0][1]
    return area / 2, cx / (3 * area), cy / (3 * area)


@dataclass(frozen=True)
class Mark:
    """A thing on the map: `shape` names a marker of macros/map.html (circle, square, triangle,
    diamond, cross); `ring` draws an outline around it (e.g. overdue); `href` makes it a link."""
    x: float
    y: float
    shape: str
    fill: str
    title: str
    href: str | None = None
    ring: bool = False
    css: str = ""


@dataclass(frozen=True)
class View:
    """What macros/map.html draws: the outlines (projected once per process) and the marks."""
    width: int
    height: int
    regions: tuple[Region, ...]
    marks: tuple = ()
    highlight: str | None = None  # a region's code, drawn stronger


def view(marks=(), highlight: str | None = None) -> View:
    proj = projection()
    return View(proj.width, proj.height, regions(), tuple(marks), highlight)


def xy(lon: float, lat: float) -> tuple[float, float]:
    return projection().xy(lon, lat)


@dataclass(frozen=True)
class Seat:
    """One place on the map of the regions (an organisation's seat)."""
    width: int
    height: int
    regions: tuple[Region, ...]
    x: float
    y: float
    region_code: str | None


def seat(lon: float, lat: float) -> Seat:
    proj = projection()
    x, y = proj.xy(lon, lat)
    return Seat(proj.width, proj.height, regions(), x, y, region_at(lon, lat))


def _inside(lon: float, lat: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def region_at(lon: float, lat: float) -> str | None:
    """The NUTS 3 code of the region containing the point, or None outside Slovenia."""
    for feature in _features():
        for poly in _polygons(feature["geometry"]):
            if _inside(lon, lat, poly[0]) and not any(_inside(lon, lat, hole) for hole in poly[1:]):
                return feature["properties"]["nuts3"]
    return None
