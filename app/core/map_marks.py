"""The marks of the static map, laid out: as the live map draws a site (atlas-core.js).

Pure: looks and positions in, Matplotlib artists out. A mark is a stack of layers in
points around its site: a ring in the challenger's colour, a white halo, the fill (a
handover's upright slices, the outgoing side left), the status outline (circle open or
unknown, square closed, diamond restricted; dashed when a date is uncertain) and "?"
where nothing is recorded. Sites closer than SPACING on the page are set apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "INK",
    "MUTED",
    "NO_CHALLENGER",
    "RADIUS",
    "SPACING",
    "draw_mark",
    "draw_marks",
    "line_key",
    "side_by_side",
]

# The live map's neutral inks (atlas-core.js); actor colours always come from the data.
INK, MUTED, UNTRACKED_FILL, UNTRACKED_LINE = "#1d2430", "#4f5b66", "#e4e7eb", "#8a939e"
NO_CHALLENGER = "#4f5b66"
RADIUS = 5.5  # points
SPACING = 17  # points between sites that share a point (the live map's 22 px)


def side_by_side(
    rows: Sequence[Mapping[str, Any]], points: Sequence[tuple[float, float]]
) -> list[tuple[float, float, str]]:
    """Offset (points) and label side of each site: two sites closer than SPACING on
    the page sit side by side, the Syrian side west, as on the live map; three or more
    stand in a column. Groups whose marks would still touch are merged until none do."""
    groups = _near(points, list(range(len(rows))))
    for _ in range(8):
        out = [(0.0, 0.0, "right")] * len(rows)
        for members in groups:
            _place(rows, points, members, out)
        placed = [(x + dx, y + dy) for (x, y), (dx, dy, _) in zip(points, out, strict=True)]
        label = [0] * len(rows)
        for n, members in enumerate(groups):
            for i in members:
                label[i] = n
        merged = _near(placed, label)
        if len(merged) == len(groups):
            return out
        groups = merged
    return out


def _near(points: Sequence[tuple[float, float]], start: list[int]) -> list[list[int]]:
    """Sites joined into groups: those given the same start label, and any two whose
    points are closer than SPACING (a grid keeps this linear for thousands of sites)."""
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[int, int] = {}
    for i, label in enumerate(start):
        parent[root(i)] = root(first.setdefault(label, i))
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(points):
        cx, cy = int(x // SPACING), int(y // SPACING)
        for nx in (cx - 1, cx, cx + 1):
            for ny in (cy - 1, cy, cy + 1):
                for j in cells.get((nx, ny), ()):
                    if (points[j][0] - x) ** 2 + (points[j][1] - y) ** 2 < SPACING**2:
                        parent[root(i)] = root(j)
        cells.setdefault((cx, cy), []).append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(points)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _place(
    rows: Sequence[Mapping[str, Any]],
    points: Sequence[tuple[float, float]],
    members: list[int],
    out: list[tuple[float, float, str]],
) -> None:
    """Offsets of one group about its centre: a pair west and east, more in a column."""
    cx = sum(points[i][0] for i in members) / len(members)
    cy = sum(points[i][1] for i in members) / len(members)
    if len(members) == 1:
        return
    if len(members) == 2:  # a crossing's two sides: west and east of their midpoint
        members.sort(key=lambda i: (-_country_rank(rows[i]), rows[i]["lon"]))
        for n, side in enumerate(("left", "right")):
            i = members[n]
            out[i] = (cx - points[i][0] + (n - 0.5) * SPACING, cy - points[i][1], side)
        return
    members.sort(key=lambda i: (-rows[i]["lat"], rows[i]["slug"]))  # north first
    middle = (len(members) - 1) / 2
    for n, i in enumerate(members):
        out[i] = (cx - points[i][0], cy - points[i][1] - (n - middle) * SPACING, "right")


def _country_rank(row: Mapping[str, Any]) -> int:
    """Syrian sites first (west), as the live map orders sites sharing a point."""
    return 1 if row.get("country") == "SY" else 0


def _parts(look: dict, radius: float = RADIUS) -> list[tuple[int, Any, dict]]:
    """One mark as (layer, path in points, style), bottom layer first: ring, white halo,
    fill (or a handover's slices), outline, and "?" where nothing is known."""
    status = look.get("status", "unknown")
    thick = status != "unknown"
    outline = _shape(status, radius)
    none, parts = "none", []
    if look.get("ring"):
        ring = _shape("open", radius + 3)
        parts.append((0, ring, _style(none, "white", 3)))
        parts.append((1, ring, _style(none, look["ring"], 1.9)))
    parts.append((2, outline, _style(none, "white", (2.2 if thick else 1.1) + 2.2)))
    fills = look.get("fills") or []
    if look.get("untracked"):
        parts.append((3, outline, _style(UNTRACKED_FILL, none, 0)))
    elif len(fills) > 1:
        for path, colour in zip(_slices(status, radius, len(fills)), fills, strict=True):
            parts.append((3, path, _style(colour or "#ffffff", "white", 0.8)))
    else:
        parts.append((3, outline, _style(fills[0] if fills else "#ffffff", none, 0)))
    edge = UNTRACKED_LINE if look.get("untracked") else MUTED if look.get("gap") else INK
    width = 1.1 if look.get("untracked") else 1.5 if look.get("gap") else 2.2 if thick else 1.1
    dashes = (0, (2.2, 1.5)) if look.get("dashed") else "solid"
    parts.append((4, outline, _style(none, edge, width, dashes)))
    if look.get("gap"):
        parts.append((5, _question_mark(radius), _style(INK, none, 0)))
    return parts


def _style(face: str, edge: str, width: float, dashes: Any = "solid") -> dict:
    return {"facecolor": face, "edgecolor": edge, "linewidth": width, "linestyle": dashes}


def _question_mark(radius: float):
    """A bold "?" as a path centred on the mark (a path, so thousands draw as one)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    path = TextPath((0, 0), "?", size=radius * 1.35, prop=FontProperties(weight="bold"))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    return path.transformed(_shift(-(x0 + x1) / 2, -(y0 + y1) / 2))


def _shift(dx: float, dy: float):
    from matplotlib.transforms import Affine2D

    return Affine2D().translate(dx, dy)


def draw_mark(ax, fig, x: float, y: float, look: dict, transform, radius: float = RADIUS) -> None:
    """Draw one mark at (x, y) in `transform` (the legend's keys)."""
    from matplotlib.patches import PathPatch
    from matplotlib.transforms import Affine2D, ScaledTranslation

    at = Affine2D().scale(1 / 72) + fig.dpi_scale_trans + ScaledTranslation(x, y, transform)
    for layer, path, style in _parts(look, radius):
        ax.add_artist(PathPatch(path, transform=at, clip_on=False, zorder=8 + layer / 10, **style))


def draw_marks(ax, fig, placed: list[tuple[float, float, float, float, dict]]) -> list:
    """Every site's mark, one collection per layer: (x, y) in data units, (dx, dy) in
    points. Thousands of marks draw as a handful of artists, not tens of thousands."""
    from matplotlib.collections import PathCollection
    from matplotlib.transforms import Affine2D

    layers: dict[int, tuple[list, list, list]] = {}
    for x, y, dx, dy, look in placed:
        for layer, path, style in _parts(look):
            paths, offsets, styles = layers.setdefault(layer, ([], [], []))
            paths.append(path.transformed(_shift(dx, dy)))
            offsets.append((x, y))
            styles.append(style)
    points = Affine2D().scale(1 / 72) + fig.dpi_scale_trans
    out = []
    for layer in sorted(layers):
        paths, offsets, styles = layers[layer]
        collection = PathCollection(
            paths,
            offsets=offsets,
            offset_transform=ax.transData,
            transform=points,
            facecolors=[s["facecolor"] for s in styles],
            edgecolors=[s["edgecolor"] for s in styles],
            linewidths=[s["linewidth"] for s in styles],
            linestyles=[s["linestyle"] for s in styles],
            zorder=8 + layer / 10,
            clip_on=False,
        )
        collection.set_transform(points)
        ax.add_artist(collection)
        out.append(collection)
    return out


def line_key(ax, x: float, y: float, kind: str) -> None:
    """The legend's sample of the border line or the zone's dashed outline."""
    from matplotlib.patches import Rectangle

    if kind == "border":
        ax.plot(
            [x - 0.035, x + 0.035], [y, y], color="#4a3b5c", linewidth=1.8, transform=ax.transAxes
        )
        return
    ax.add_patch(
        Rectangle(
            (x - 0.035, y - 0.012),
            0.07,
            0.024,
            transform=ax.transAxes,
            facecolor="#4f5b6614",
            edgecolor="#4f5b66",
            linewidth=1.0,
            linestyle=(0, (4, 3)),
        )
    )


def _shape(status: str, r: float):
    """The status shape (in points around the site): square, diamond or circle."""
    from matplotlib.path import Path

    if status == "closed":
        s = r * 0.93
        return Path([(-s, -s), (s, -s), (s, s), (-s, s), (-s, -s)], closed=True)
    if status == "restricted":
        d = r * 1.2
        return Path([(0, -d), (d, 0), (0, d), (-d, 0), (0, -d)], closed=True)
    return Path.circle((0, 0), r)


def _slices(status: str, r: float, n: int) -> list:
    """The shape cut into ``n`` upright slices of equal width, left to right."""
    from matplotlib.path import Path
    from shapely.geometry import Point, Polygon, box

    if status in ("closed", "restricted"):
        outline = Polygon(_shape(status, r).vertices[:-1])
    else:
        outline = Point(0, 0).buffer(r, 16)
    lo, bottom, hi, top = outline.bounds
    width = (hi - lo) / n
    out = []
    for i in range(n):
        piece = outline.intersection(box(lo + i * width, bottom, lo + (i + 1) * width, top))
        out.append(Path(list(piece.exterior.coords), closed=True))
    return out
