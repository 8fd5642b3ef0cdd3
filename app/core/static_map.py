"""Static maps of one date for publication: SVG, PNG or PDF drawn on the server.

Pure: plain rows in (``state_at`` rows, actors, the display layers), bytes out. The
marks follow the live map (static/js/atlas-core.js ``drawMark``): fill = controller,
split in upright slices while control changes hands, a ring in the challenger's colour
for a contest, "?" where the record knows nothing, shape = status (circle open or
unknown, square closed, diamond restricted). Arabic (``lang="ar"``) is shaped and
laid out right to left by Matplotlib itself (libraqm, built into its wheels since 3.11).
Matplotlib and GeoPandas are imported inside the functions: a web worker that never
draws stays small.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from babel.dates import format_date

from app.core.bounds import DATE_LOCALES
from app.core.geo import COUNTRY_NAMES
from app.core.map_encoding import safe_colour
from app.core.map_marks import (
    INK,
    MUTED,
    NO_CHALLENGER,
    RADIUS,
    draw_mark,
    draw_marks,
    line_key,
    side_by_side,
)
from app.core.text_rules import N_, worded
from app.core.vocabulary import STATUSES

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL.Image import Image

__all__ = [
    "ATTRIBUTION",
    "FORMATS",
    "MAX_WIDTH",
    "MIN_WIDTH",
    "DEFAULT_WIDTH",
    "MapInput",
    "TEXT",
    "WORDS",
    "drawing",
    "Frame",
    "render",
    "render_frames",
    "source_count",
    "long_date",
]

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 400, 4000, 1200
#: Figure size in inches; the pixel width only changes the resolution, never the layout.
FIG_W, FIG_H = 10.0, 7.5
#: Where the map opens, as on the live map (base_map.REGION): lon/lat box.
REGION = (37.9, 32.9, 43.0, 37.5)
LAEA = "+proj=laea +lat_0=34.5 +lon_0=40.5 +datum=WGS84 +units=m +no_defs"
#: Above this many sites, labels would cover the map: only the marks are drawn.
MAX_LABELS = 80
MAX_LEGEND = 22

_LOCK = threading.Lock()  # Matplotlib's rc parameters and font cache are process-wide

#: The map's fixed phrases by key; each is a msgid of the app's catalogue, most of them
#: the live map legend's own (_map_legend.html), so both maps say the same in Arabic.
TEXT = {
    "title": N_("Who controlled the Syria–Iraq border crossings"),
    "legend": N_("Controller"),
    "unknown": N_("Unknown (no record)"),
    "transition": N_("Changing hands (date window)"),
    "untracked": N_("Not tracked for control"),
    "contested": N_("Contested"),
    "uncertain": N_("Date uncertain"),
    "open": N_("Open"),
    "closed": N_("Closed"),
    "restricted": N_("Restricted"),
    "status-unknown": N_("Status unknown"),
    "zone": N_("al-Tanf zone (approx.)"),
    "border": N_("Syria–Iraq border"),
    "more": N_("and {n} more"),
    "version": N_("Revision {v}"),
    "sources": N_("Sources: {n}"),
    "north": N_("N"),
    "km": N_("{n} km"),
    "made": N_("Border Control Atlas"),
    "attribution": N_(
        "Boundaries: Natural Earth 1:10m (public domain) via world-atlas; "
        "al-Tanf zone approximate (55 km circle)"
    ),
}
#: Where the boundaries come from, as printed on English maps.
ATTRIBUTION = TEXT["attribution"]
#: The messages to translate for ``MapInput.words`` (the web layer's i18n.translated).
WORDS = tuple(TEXT.values())
#: The countries named on the map (geo.COUNTRY_NAMES), where enough of them is in view.
_NAMED_COUNTRIES = ("SY", "IQ", "JO", "TR", "SA")


@dataclass(frozen=True)
class MapInput:
    """Everything one map shows, as plain data (no database, no request)."""

    day: dt.date
    rows: Sequence[Mapping[str, Any]]
    actors: Sequence[Mapping[str, Any]]
    layers: Mapping[str, dict]
    version: str = ""
    permalink: str = ""
    lang: str = "en"
    #: TEXT's messages translated into `lang` (msgid -> words); missing ones stay English.
    words: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Frame:
    """One frame of an animation: a date and the state_at rows of that date."""

    day: dt.date
    rows: Sequence[Mapping[str, Any]]
    permalink: str = ""
    extra: dict = field(default_factory=dict)


def long_date(day: dt.date, lang: str = "en") -> str:
    """ "15 December 2024", in `lang` by Babel with the month names the app uses
    (bounds.DATE_LOCALES: the Levantine ones in Arabic).

    >>> long_date(dt.date(2024, 12, 15)), long_date(dt.date(2024, 12, 15), "ar")
    ('15 December 2024', '15 كانون الأول 2024')
    """
    return format_date(day, "d MMMM y", locale=DATE_LOCALES.get(lang, lang))


def source_count(rows: Iterable[Mapping[str, Any]]) -> int:
    """Distinct sources cited by the answers shown, control's and status's (a row's
    ``status_sources``), a source cited twice counted once: the sources "Cite this view" lists.

    >>> source_count([{"sources": [{"ref": "S1"}, {"ref": "S2"}]}, {"sources": [{"ref": "S1"}]}])
    2
    >>> source_count([{"sources": [{"ref": "S1"}], "status_sources": [{"ref": "S3"}]}])
    2
    """
    return len(
        {
            _source_key(s)
            for r in rows
            for s in (*(r.get("sources") or ()), *(r.get("status_sources") or ()))
        }
    )


def _source_key(source: Mapping[str, Any]) -> tuple:
    return (source.get("ref"), source.get("title"), source.get("url"))


def render(spec: MapInput, fmt: str, width: int = DEFAULT_WIDTH, scale: int = 1) -> bytes:
    """The map as SVG, PNG (``width`` × ``scale`` pixels wide) or PDF bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: must be one of {', '.join(FORMATS)}")
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"width {width}: must be between {MIN_WIDTH} and {MAX_WIDTH}")
    with drawing():
        canvas = _Canvas(spec, width * scale / FIG_W, _legend_actors(spec.actors, [spec.rows]))
        canvas.draw_frame(spec.day, spec.rows, spec.permalink)
        return canvas.save(fmt)


def render_frames(
    spec: MapInput,
    frames: Sequence[Frame],
    width: int,
    progress: Callable[[int], None] = lambda n: None,
) -> list[Image]:
    """Each frame as an RGB image, drawn on one figure (the base map is drawn once)."""
    with drawing():
        canvas = _Canvas(spec, width / FIG_W, _legend_actors(spec.actors, [f.rows for f in frames]))
        out = []
        for frame in frames:
            canvas.draw_frame(frame.day, frame.rows, frame.permalink, big_date=True)
            out.append(canvas.image())
            progress(1)
        return out


@contextlib.contextmanager
def drawing() -> Iterator[None]:
    """Draw under the process-wide lock, with the settings that make output repeatable."""
    with _LOCK, _rc():
        yield


def _rc():
    """Matplotlib settings that make the output the same on every run and machine."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    return matplotlib.rc_context(
        {
            "svg.hashsalt": "border-control-atlas",
            "svg.fonttype": "path",
            "pdf.fonttype": 42,
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "path.simplify": True,
        }
    )


def _legend_actors(
    actors: Sequence[Mapping[str, Any]], row_sets: Iterable[Sequence[Mapping[str, Any]]]
) -> list[Mapping[str, Any]]:
    """Actors that hold, take part in a handover or challenge on the dates shown."""
    used: set[str] = set()
    for rows in row_sets:
        for r in rows:
            if not r.get("tracked", True):
                continue
            used.update(s for s in (r.get("controller"), r.get("challenger")) if s)
            transition = r.get("transition")
            if transition:
                used.update(s for s in transition.get("candidates") or () if s)
    return [a for a in actors if a["slug"] in used]


class _Canvas:
    """One figure: base layers, legend and furniture once; sites and texts per frame."""

    def __init__(self, spec: MapInput, dpi: float, legend: Sequence[Mapping[str, Any]]):
        from matplotlib.figure import Figure
        from pyproj import Transformer

        self.spec, self.lang = spec, spec.lang
        self.rtl = spec.lang == "ar"
        self.colours = {a["slug"]: safe_colour(a.get("colour")) for a in spec.actors}
        self.fig = Figure(figsize=(FIG_W, FIG_H), dpi=dpi, facecolor="white")
        self.project = Transformer.from_crs(4326, LAEA, always_xy=True).transform
        map_x = 0.29 if self.rtl else 0.02
        self.ax = self.fig.add_axes((map_x, 0.105, 0.69, 0.75))
        self.legend_ax = self.fig.add_axes((0.02 if self.rtl else 0.72, 0.105, 0.26, 0.75))
        self.legend_ax.set_axis_off()
        self.frame_artists: list = []
        # The parts drawn once, as pixels, and the canvas that holds them (``image``).
        self._agg: FigureCanvasAgg | None = None
        self._base: Any = None
        self._base_layers()
        self._furniture()
        self._legend(legend)

    # ---- text helpers ----

    def text(self, key: str, **values: Any) -> str:
        """A fixed phrase in the map's language (English where not translated)."""
        return worded(self.spec.words, TEXT[key], **values)

    def label(self, en: str, ar: str | None) -> str:
        """A name in the map's language (the English one where no Arabic is recorded)."""
        return ar if self.rtl and ar else en

    # ---- the parts drawn once ----

    def _base_layers(self) -> None:
        ax, layers = self.ax, self.spec.layers
        ax.set_axis_off()
        ax.set_facecolor("#dfe8ef")
        countries = _frame(layers["countries"])
        home = countries["iso_a2"].isin(["SY", "IQ"]) if "iso_a2" in countries else False
        _plot(countries[~home], ax, color="#eceef1", edgecolor="#8d96a3", linewidth=0.6)
        _plot(countries[home], ax, color="#fbf7ee", edgecolor="#8d96a3", linewidth=0.6)
        zone = _frame(layers["zone"])
        _plot(zone, ax, color="#4f5b66", alpha=0.08, linewidth=0)
        _plot(zone.boundary, ax, color="#4f5b66", linewidth=1.0, linestyle=(0, (4, 3)))
        _plot(_frame(layers["border"]), ax, color="#4a3b5c", linewidth=1.8)
        self._extent()
        self._country_labels(countries)

    def _extent(self) -> None:
        """The live map's region, grown to take in every site and to fill the frame."""
        lons = [REGION[0], REGION[2]] + [r["lon"] for r in self.spec.rows]
        lats = [REGION[1], REGION[3]] + [r["lat"] for r in self.spec.rows]
        xs, ys = self.project(
            [min(lons), max(lons), min(lons), max(lons)],
            [min(lats), min(lats), max(lats), max(lats)],
        )
        pad = 25_000
        x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
        box = self.ax.get_position()
        aspect = (box.height * FIG_H) / (box.width * FIG_W)
        if (y1 - y0) / (x1 - x0) < aspect:  # too wide: grow the height about the middle
            grow = (x1 - x0) * aspect - (y1 - y0)
            y0, y1 = y0 - grow / 2, y1 + grow / 2
        else:
            grow = (y1 - y0) / aspect - (x1 - x0)
            x0, x1 = x0 - grow / 2, x1 + grow / 2
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.ax.set_aspect("equal", adjustable="box")

    def _country_labels(self, countries) -> None:
        from shapely.geometry import box

        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        view = box(x0, y0, x1, y1)
        for code in _NAMED_COUNTRIES:
            en, ar = COUNTRY_NAMES[code]
            shapes = countries[countries["iso_a2"] == code].geometry
            if shapes.empty:
                continue
            part = shapes.iloc[0].intersection(view)
            if part.is_empty or part.area < 0.04 * view.area:
                continue
            point = part.representative_point()
            self.ax.text(
                point.x,
                point.y,
                self.label(en.upper(), ar),
                ha="center",
                va="center",
                fontsize=11,
                color="#9aa3ae",
                fontweight="bold",
                zorder=2,
            )

    def _furniture(self) -> None:
        """Title, scale bar, north arrow and the boundary attribution."""
        fig, x, ha = self.fig, self._text_x(), self._ha()
        fig.text(x, 0.955, self.text("title"), ha=ha, va="top", fontsize=15, fontweight="bold")
        fig.text(x, 0.018, self.text("made"), ha=ha, fontsize=7, color=MUTED)
        fig.text(
            0.02 if self.rtl else 0.98,
            0.018,
            self.text("attribution"),
            ha="left" if self.rtl else "right",
            fontsize=6.5,
            color=MUTED,
        )
        self._scale_bar()
        self._north_arrow()

    def _text_x(self) -> float:
        return 0.98 if self.rtl else 0.02

    def _ha(self) -> str:
        return "right" if self.rtl else "left"

    def _scale_bar(self) -> None:
        from matplotlib.patches import Rectangle

        ax = self.ax
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        km = next(n for n in (500, 200, 100, 50, 20, 10) if n * 1000 <= (x1 - x0) / 4)
        left, base, h = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04, (y1 - y0) * 0.012
        for i in range(2):
            ax.add_patch(
                Rectangle(
                    (left + i * km * 500, base),
                    km * 500,
                    h,
                    facecolor=INK if i == 0 else "white",
                    edgecolor=INK,
                    linewidth=0.8,
                    zorder=6,
                )
            )
        ax.text(left, base + 2.2 * h, "0", ha="center", fontsize=7, zorder=6, color=INK)
        ax.text(
            left + km * 1000,
            base + 2.2 * h,
            self.text("km", n=km),
            ha="center",
            fontsize=7,
            zorder=6,
            color=INK,
        )

    def _north_arrow(self) -> None:
        x = 0.06 if self.rtl else 0.94
        self.ax.annotate(
            "",
            xy=(x, 0.96),
            xytext=(x, 0.86),
            xycoords="axes fraction",
            arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": 1.6},
            zorder=6,
        )
        self.ax.text(
            x,
            0.83,
            self.text("north"),
            transform=self.ax.transAxes,
            ha="center",
            va="top",
            fontsize=10,
            fontweight="bold",
            color=INK,
            zorder=6,
        )

    def _legend(self, actors: Sequence[Mapping[str, Any]]) -> None:
        """Actors shown, then the marks: unknown, handover, contest, status shapes."""
        entries: list[tuple[dict, str]] = []
        shown = actors[:MAX_LEGEND]
        for a in shown:
            name = a.get("short") or a["name"]
            entries.append(
                ({"fills": [self.colours[a["slug"]]]}, self.label(name, a.get("name_ar")))
            )
        if len(actors) > len(shown):
            entries.append(({}, self.text("more", n=len(actors) - len(shown))))
        two = [self.colours[a["slug"]] for a in actors[:2]] or [MUTED]
        entries += [
            ({"fills": [], "gap": True, "dashed": True}, self.text("unknown")),
            ({"fills": [two[0], None if len(two) < 2 else two[1]]}, self.text("transition")),
            ({"fills": [], "untracked": True}, self.text("untracked")),
            ({"fills": ["#ffffff"], "ring": NO_CHALLENGER}, self.text("contested")),
            ({"fills": ["#ffffff"], "dashed": True}, self.text("uncertain")),
        ]
        entries += [
            (
                {"fills": ["#ffffff"], "status": s},
                self.text(s if s != "unknown" else "status-unknown"),
            )
            for s in STATUSES
        ]
        entries += [
            ({"line": "border"}, self.text("border")),
            ({"line": "zone"}, self.text("zone")),
        ]
        ax, step = self.legend_ax, 1 / 27
        x_mark, x_text, ha = (0.93, 0.86, "right") if self.rtl else (0.06, 0.13, "left")
        ax.text(
            x_mark if not self.rtl else 0.97,
            1.0,
            self.text("legend"),
            ha=ha,
            va="top",
            fontsize=10,
            fontweight="bold",
            transform=ax.transAxes,
        )
        y = 1.0 - 1.4 * step
        for look, words in entries:
            if look.get("line"):
                line_key(ax, x_mark, y, look["line"])
            elif look:
                draw_mark(ax, self.fig, x_mark, y, look, ax.transAxes, RADIUS * 0.9)
            for n, line in enumerate(textwrap.wrap(words, 30) or [""]):
                ax.text(
                    x_text,
                    y - n * step * 0.75,
                    line,
                    ha=ha,
                    va="center",
                    fontsize=7.5,
                    transform=ax.transAxes,
                    color=INK,
                )
            y -= step * (1 + 0.75 * (len(textwrap.wrap(words, 30)) - 1))

    # ---- the parts drawn per frame ----

    def draw_frame(
        self,
        day: dt.date,
        rows: Sequence[Mapping[str, Any]],
        permalink: str,
        big_date: bool = False,
    ) -> None:
        """Sites, date and footer of one date, replacing the previous frame's."""
        for artist in self.frame_artists:
            artist.remove()
        self.frame_artists = []
        fig, x, ha = self.fig, self._text_x(), self._ha()
        date_size = 26 if big_date else 18
        self.frame_artists.append(
            fig.text(
                x, 0.905, long_date(day, self.lang), ha=ha, va="top", fontsize=date_size, color=INK
            )
        )
        footer = " · ".join(
            p
            for p in (
                self.text("version", v=self.spec.version) if self.spec.version else "",
                self.text("sources", n=source_count(rows)),
            )
            if p
        )
        self.frame_artists.append(fig.text(x, 0.06, footer, ha=ha, fontsize=7.5, color=INK))
        if permalink:
            self.frame_artists.append(
                fig.text(x, 0.04, permalink, ha=ha, fontsize=7.5, color="#1f5fa8")
            )
        self.frame_artists += self._sites(rows)

    def _sites(self, rows: Sequence[Mapping[str, Any]]) -> list:
        """Every site's mark (and label, when the sites are few enough to read)."""
        artists: list = []
        xs, ys = self.project([r["lon"] for r in rows], [r["lat"] for r in rows])
        per_point = 72 / self.fig.dpi
        points = list(zip(xs, ys, strict=True))
        at = self.ax.transData.transform(points).tolist() if rows else []
        offsets = side_by_side(rows, [(px * per_point, py * per_point) for px, py in at])
        labelled = len(rows) <= MAX_LABELS
        placed = []
        for r, x, y, (dx, dy, side) in zip(rows, xs, ys, offsets, strict=True):
            placed.append((x, y, dx, dy, self._look(r)))
            if labelled:
                artists.append(self._site_label(r, x, y, (dx, dy), side))
        artists += draw_marks(self.ax, self.fig, placed)
        return artists

    def _look(self, r: Mapping[str, Any]) -> dict:
        """How a site looks on the live map (atlas-map.js ``look``)."""
        status = r.get("status") or "unknown"
        if not r.get("tracked", True):
            return {"status": status, "fills": [], "untracked": True}
        transition = r.get("transition")
        if transition:
            sides = [safe_colour(c) for c in transition.get("colours") or ()]
            fills = (
                ([None] if transition.get("from") is None else [])
                + sides
                + ([None] if transition.get("to") is None else [])
            )
            return {"status": status, "fills": fills, "dashed": True, "ring": self._ring(r)}
        held = r.get("controller")
        if not held:
            return {"status": status, "fills": [], "gap": True, "dashed": True}
        ring = self._ring(r)
        colour = self.colours.get(held) or safe_colour(r.get("controller_colour"))
        return {
            "status": status,
            "fills": [colour],
            "dashed": bool(r.get("uncertain")),
            "ring": ring,
        }

    def _ring(self, r: Mapping[str, Any]) -> str | None:
        """The contest ring's colour: the challenger's, a neutral grey without one, None
        when the state is not contested (in a window: when a candidate is)."""
        if not r.get("contested"):
            return None
        return self.colours.get(r.get("challenger") or "", NO_CHALLENGER)

    def _site_label(
        self, r: Mapping[str, Any], x: float, y: float, shift: tuple[float, float], side: str
    ):
        from matplotlib.transforms import offset_copy

        gap, (dx, dy) = RADIUS + 5, shift
        shift_x, ha = (dx - gap, "right") if side == "left" else (dx + gap, "left")
        shift_y, va = dy, "center"
        where = offset_copy(self.ax.transData, fig=self.fig, x=shift_x, y=shift_y, units="points")
        return self.ax.text(
            x,
            y,
            self.label(r["name"], r.get("name_ar")),
            transform=where,
            ha=ha,
            va=va,
            fontsize=8,
            color=INK,
            zorder=9,
            # A box, not a path-effect halo: the SVG keeps the label as text (a comment).
            bbox={
                "boxstyle": "round,pad=0.12",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.8,
            },
        )

    def save(self, fmt: str) -> bytes:
        """The figure's bytes; no dates or tool versions, so the same map gives the same file."""
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {
            "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
            "png": {"Software": None},
        }[fmt]
        self.fig.savefig(buffer, format=fmt, dpi=self.fig.dpi, metadata=metadata)
        return buffer.getvalue()

    def image(self) -> Image:
        """The figure as an RGB image, the parts drawn once copied rather than drawn again.

        The same pixels as ``save("png")``: every part drawn once lies below every part
        drawn per frame (lower z-order, and the figure's texts above the axes).
        """
        from PIL import Image as PILImage

        if self._agg is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            self._agg = FigureCanvasAgg(self.fig)
            for artist in self.frame_artists:
                artist.set_visible(False)
            self._agg.draw()
            self._base = self._agg.copy_from_bbox(self.fig.bbox)
            for artist in self.frame_artists:
                artist.set_visible(True)
        agg = self._agg
        agg.restore_region(self._base)
        renderer = agg.get_renderer()
        # The order a full draw takes: the axes' parts by z-order, then the figure's texts.
        for artist in sorted(self.frame_artists, key=lambda a: (a.axes is None, a.get_zorder())):
            artist.draw(renderer)
        pixels = PILImage.frombuffer("RGBA", agg.get_width_height(), agg.buffer_rgba())
        return pixels.convert("RGB")


def _frame(collection: dict):
    """A GeoJSON FeatureCollection as a GeoDataFrame in the map's equal-area plane."""
    import geopandas as gpd

    features = collection.get("features") or []
    if not features:
        return gpd.GeoDataFrame({"iso_a2": []}, geometry=[], crs=LAEA)
    return gpd.GeoDataFrame.from_features(features, crs=4326).to_crs(LAEA)


def _plot(frame, ax, **style) -> None:
    """Draw a layer; an empty one (a folder without that layer) draws nothing."""
    if len(frame):
        frame.plot(ax=ax, **style)
