"""Build the offline base map shipped with reports: Natural Earth countries of the Americas.

Input: `countries-110m.json` from the `world-atlas` npm package (`npm pack world-atlas@2.0.2`;
Natural Earth 4.1.0 Admin 0, 1:110m, public domain) as TopoJSON. Output: a compact GeoJSON
FeatureCollection (coordinates rounded to 0.01 degree) of the countries of the Americas, plus Spain
and Portugal (the Venezuelan diaspora's European destinations), at
src/trocha/report/assets/americas.geojson. Run once when updating the map:

    python tools/build_americas_map.py package/countries-110m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/trocha/report/assets/americas.geojson"
EXTRA = {"724", "620"}  # Spain, Portugal (ISO 3166 numeric)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Undo TopoJSON's quantisation and delta encoding."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return [[round(x, 2), round(y, 2)] for x, y in points]


def in_americas(polygons: list) -> bool:
    xs = [x for poly in polygons for r in poly for x, _ in r]
    return bool(xs) and -170 <= sum(xs) / len(xs) <= -30


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    features = []
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom["type"] == "Polygon":
            polygons = [[ring(r, arcs) for r in geom["arcs"]]]
        elif geom["type"] == "MultiPolygon":
            polygons = [[ring(r, arcs) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        if not (in_americas(polygons) or geom.get("id") in EXTRA):
            continue
        features.append(
            {
                "type": "Feature",
                "id": geom.get("id"),
                "properties": {"name": geom["properties"]["name"]},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    collection = {"type": "FeatureCollection", "features": features}
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(features)} countries -> {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
