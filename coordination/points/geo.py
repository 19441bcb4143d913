"""Where Digi info točke may be: whether a point lies in Slovenia. The projection and the region
outlines every map draws live in coordination/web/maps.py (shared with the other features' maps)."""
from __future__ import annotations

from coordination.web.maps import ATTRIBUTION, SHRINK, Projection, Region, projection, region_at, regions

__all__ = ["ATTRIBUTION", "Projection", "Region", "in_slovenia", "projection", "region_at", "regions"]


def in_slovenia(lon: float, lat: float, tolerance_km: float = 0.5) -> bool:
    """Inside the (simplified) outline, or within `tolerance_km` of it: the outline is simplified
    by about 200 m, so a real address on the border must not be refused."""
    if region_at(lon, lat) is not None:
        return True
    step = tolerance_km / 111.0
    return any(region_at(lon + dx * step / SHRINK, lat + dy * step) is not None
               for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)))
