"""The coverage map's geometry, knowing nothing of Flask: the 12 statistical regions' outlines from
coordination/data/regions.geojson as SVG paths, and WGS 84 points projected onto the same drawing.

The projection is equirectangular around Slovenia's middle latitude (x scaled by cos 46.1°), which
at this size is indistinguishable from a proper conformal one and keeps the code obvious. The
outlines are computed once per process (the file never changes while the app runs).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
WIDTH = 800  # SVG user units; the height follows from the country's shape
PAD = 10
MID_LAT = 46.1
X_SCALE = math.cos(math.radians(MID_LAT))


@dataclass(frozen=True)
class RegionShape:
    code: str
    name: str
    path: str           # SVG path data
    label_x: float      # where the region's name may be written (centre of its outline's box)
    label_y: float


@dataclass(frozen=True)
class Frame:
    lon0: float
    lat1: float
    scale: float
    width: int
    height: int

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return (round(PAD + (lon - self.lon0) * X_SCALE * self.scale, 1),
                round(PAD + (self.lat1 - lat) * self.scale, 1))


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for polygon in geometry["coordinates"] for ring in polygon]  # MultiPolygon


@lru_cache(maxsize=1)
def regions() -> tuple[Frame, tuple[RegionShape, ...]]:
    with open(DATA / "regions.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    points = [pt for f in features for ring in _rings(f["geometry"]) for pt in ring]
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    scale = (WIDTH - 2 * PAD) / ((lon1 - lon0) * X_SCALE)
    frame = Frame(lon0, lat1, scale, WIDTH, round(2 * PAD + (lat1 - lat0) * scale))
    shapes = []
    for feature in features:
        parts, xs, ys = [], [], []
        for ring in _rings(feature["geometry"]):
            projected = [frame.point(lon, lat) for lon, lat in ring]
            xs += [p[0] for p in projected]
            ys += [p[1] for p in projected]
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in projected) + "Z")
        props = feature["properties"]
        shapes.append(RegionShape(props["nuts3"], props["name"], "".join(parts),
                                  round((min(xs) + max(xs)) / 2, 1), round((min(ys) + max(ys)) / 2, 1)))
    return frame, tuple(shapes)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    state: str
    name: str


@dataclass(frozen=True)
class Map:
    width: int
    height: int
    regions: tuple[RegionShape, ...]
    dots: tuple[Dot, ...]
    highlight: str = ""  # a region's code: drawn stronger (the per-region report)


def coverage_map(municipalities, region_code: str = "") -> Map:
    """The drawing: the 12 regions' outlines and a dot per municipality seat (`municipalities`:
    objects with lat, lon, state and name); `region_code` is drawn stronger."""
    frame, shapes = regions()
    dots = tuple(Dot(*frame.point(m.lon, m.lat), m.state, m.name) for m in municipalities
                 if m.lat is not None and m.lon is not None)
    return Map(frame.width, frame.height, shapes, dots, region_code)
