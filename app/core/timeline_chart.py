"""The timeline of every crossing for print: one lane per site, grouped by crossing.

Pure: the site pages' tracks in (:func:`app.core.svg_timeline.site_tracks` builds them),
SVG, PNG or PDF bytes out, drawn by the site chart's rules: a bar is solid over its
certain span, hatched over a window of days, grey-hatched where control is unknown, with
a stripe in the challenger's colour along its top while contested; the status track
below; events as ticks. The PDF is A4 landscape, one page per ``LANES_PER_PAGE`` sites.
Its words come translated (`words`: the catalogue's translations of :data:`WORDS`) with the
dates' words (`date_words`); in Arabic (``rtl``) the text starts at the right while time
still runs left to right, as on every timeline of the atlas.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.core import bounds, timeline
from app.core.static_map import INK, MUTED, drawing
from app.core.svg_timeline import STATUS_FILL, Bar, Tick, Tracks
from app.core.text_rules import N_, worded
from app.core.vocabulary import FIRST_DAY

__all__ = [
    "FORMATS",
    "LANES_PER_PAGE",
    "MAX_LANES",
    "MAX_PDF_LANES",
    "Lane",
    "TEXT",
    "WORDS",
    "render",
    "year_ticks",
]

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
A4_LANDSCAPE = (11.69, 8.27)  # inches
LANES_PER_PAGE = 14
#: A single SVG/PNG taller than this many sites is no longer a picture: use the PDF.
MAX_LANES = 120
#: Pages a web request may ask for (about a second each); ``flask render`` has no limit.
MAX_PDF_LANES = 30 * LANES_PER_PAGE
LANE_H = 0.42  # inches per site lane in the SVG/PNG
HEADING = 0.55  # a crossing's heading row, in lanes
UNKNOWN_FACE, UNKNOWN_HATCH = "#f1f2f4", "#b9bec6"
#: The chart's fixed phrases by key; each is a msgid of the app's catalogue.
TEXT = {
    "title": N_("Control of the Syria–Iraq border crossings"),
    "open": N_("open"),
    "restricted": N_("restricted"),
    "closed": N_("closed"),
    "unknown": N_("unknown"),
    "window": N_("date window"),
    "contested": N_("top stripe: contested (challenger's colour)"),
    "event": N_("event"),
    "page": N_("page {n} of {total}"),
}
#: The messages to translate for `render(words=)` (the web layer's i18n.translated).
WORDS = tuple(TEXT.values())


@dataclass(frozen=True)
class Lane:
    """One site: its crossing's name (the group), its own name and its tracks."""

    group: str
    label: str
    tracks: Tracks


def year_ticks(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """1 January of each year inside [lo, hi].

    >>> [d.year for d in year_ticks(dt.date(2013, 5, 1), dt.date(2016, 1, 1))]
    [2014, 2015, 2016]
    """
    return [dt.date(y, 1, 1) for y in range(lo.year, hi.year + 1) if lo <= dt.date(y, 1, 1) <= hi]


@dataclass(frozen=True)
class _Words:
    """The chart's language: its phrases, the dates' words and the reading direction."""

    table: Mapping[str, str]
    dates: bounds.DateWords
    rtl: bool

    def __call__(self, key: str, **values) -> str:
        return worded(self.table, TEXT[key], **values)

    def day(self, day: dt.date) -> str:
        return bounds.at_precision(day, "day").short(self.dates)


def render(
    lanes: Sequence[Lane],
    fmt: str,
    lo: dt.date = FIRST_DAY,
    hi: dt.date | None = None,
    footer: str = "",
    width: int = 1600,
    progress: Callable[[int], None] = lambda n: None,
    words: Mapping[str, str] | None = None,
    date_words: bounds.DateWords = bounds.ENGLISH,
    rtl: bool = False,
) -> bytes:
    """The chart over [lo, hi]: one A4 page per LANES_PER_PAGE sites as PDF, else one image;
    `progress(n)` is told of each n sites drawn. `words` translate :data:`WORDS` (English
    where missing), `date_words` write the dates, `rtl` sets the text right to left."""
    t = _Words(words or {}, date_words, rtl)
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: must be one of {', '.join(FORMATS)}")
    hi = hi or dt.date.today()
    if fmt != "pdf" and len(lanes) > MAX_LANES:
        raise ValueError(
            f"{len(lanes)} sites: at most {MAX_LANES} fit one {fmt.upper()}; the PDF "
            "splits them into pages"
        )
    with drawing():
        if fmt == "pdf":
            return _pdf(lanes, lo, hi, t, footer, progress)
        fig = _figure(lanes, lo, hi, t, footer, None, width / A4_LANDSCAPE[0])
        buffer = io.BytesIO()
        metadata = {"svg": {"Date": None, "Creator": None}, "png": {"Software": None}}[fmt]
        fig.savefig(buffer, format=fmt, dpi=fig.dpi, metadata=metadata)
        progress(len(lanes))
        return buffer.getvalue()


def _pdf(
    lanes: Sequence[Lane],
    lo: dt.date,
    hi: dt.date,
    t: _Words,
    footer: str,
    progress: Callable[[int], None],
) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    pages = [lanes[i : i + LANES_PER_PAGE] for i in range(0, len(lanes), LANES_PER_PAGE)]
    pages = pages or [[]]
    with PdfPages(
        buffer, metadata={"CreationDate": None, "Creator": None, "Producer": None}
    ) as pdf:
        for n, page in enumerate(pages, 1):
            numbered = (
                f"{footer} · {t('page', n=n, total=len(pages))}" if len(pages) > 1 else footer
            )
            pdf.savefig(_figure(page, lo, hi, t, numbered, A4_LANDSCAPE, 100))
            progress(len(page))
    return buffer.getvalue()


def _rows(lanes: Sequence[Lane]) -> list[tuple[str, Lane | str, float]]:
    """Headings and lanes top to bottom, each with its height in lanes."""
    out: list[tuple[str, Lane | str, float]] = []
    group = None
    for lane in lanes:
        if lane.group != group:
            group = lane.group
            out.append(("heading", group, HEADING))
        out.append(("lane", lane, 1.0))
    return out


def _figure(
    lanes: Sequence[Lane],
    lo: dt.date,
    hi: dt.date,
    t: _Words,
    footer: str,
    size: tuple[float, float] | None,
    dpi: float,
):
    """One figure: title, lanes, year axis, legend and footer."""
    from matplotlib.figure import Figure

    rows = _rows(lanes)
    total = sum(h for _, _, h in rows) or 1
    top, bottom = 0.95, 1.45  # inches of title above and of axis + legend + footer below
    width, height = size or (A4_LANDSCAPE[0], top + bottom + total * LANE_H)
    fig = Figure(figsize=(width, height), dpi=dpi, facecolor="white")
    left = 2.1 / width
    ax = fig.add_axes((left, bottom / height, 1 - left - 0.25 / width, 1 - (top + bottom) / height))
    ax.set_xlim(0, (hi - lo).days + 1)
    ax.set_ylim(total, 0)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    # Titles, legend and footer start at the reader's side; the lanes' time axis does not.
    x, ha = (1 - 0.25 / width, "right") if t.rtl else (0.25 / width, "left")
    fig.text(x, 1 - 0.3 / height, t("title"), ha=ha, fontsize=15, fontweight="bold", va="top")
    fig.text(
        x,
        1 - 0.62 / height,
        f"{t.day(lo)} – {t.day(hi)}",
        ha=ha,
        fontsize=10,
        va="top",
        color=INK,
    )
    _axis(ax, lo, hi)
    y = 0.0
    for kind, item, h in rows:
        if isinstance(item, str):
            ax.text(
                -0.01,
                y + h * 0.62,
                item,
                transform=_left(ax),
                ha="right",
                va="center",
                fontsize=9,
                fontweight="bold",
                color=INK,
            )
        elif kind == "lane":
            _lane(ax, item, y, lo, hi)
        y += h
    _legend(fig, lanes, bottom / height, t)
    fig.text(x, 0.15 / height, footer, ha=ha, fontsize=7, color=MUTED)
    return fig


def _left(ax):
    """x in axes fraction (labels left of the chart), y in data units (lanes)."""
    from matplotlib.transforms import blended_transform_factory

    return blended_transform_factory(ax.transAxes, ax.transData)


def _axis(ax, lo: dt.date, hi: dt.date) -> None:
    """Year labels under the chart and a faint line at each 1 January."""
    ticks = year_ticks(lo, hi)
    step = 1 if len(ticks) <= 18 else 2
    ax.set_xticks([(d - lo).days for d in ticks][::step])
    ax.set_xticklabels([str(d.year) for d in ticks][::step], fontsize=8, color=INK)
    for d in ticks:
        ax.axvline((d - lo).days, color="#d9dee6", linewidth=0.6, zorder=0)
    ax.tick_params(axis="x", length=3, color="#8d96a3")


def _lane(ax, lane: Lane, y: float, lo: dt.date, hi: dt.date) -> None:
    """A site: its name, control bars (0.12–0.62), status (0.68–0.86), event ticks."""
    ax.text(
        -0.01,
        y + 0.37,
        lane.label,
        transform=_left(ax),
        ha="right",
        va="center",
        fontsize=8,
        color=INK,
    )
    _track(ax, lane.tracks.control, y + 0.12, 0.5, lo, hi, labels=True)
    _track(ax, lane.tracks.status, y + 0.68, 0.18, lo, hi, labels=False)
    for event in lane.tracks.events:
        if event.last < lo or event.first > hi:
            continue
        if event.first == event.last:
            x = (event.first - lo).days
            ax.plot([x, x], [y + 0.0, y + 0.11], color=INK, linewidth=1.0, solid_capstyle="butt")
        else:  # known only to a month, a year or a window: drawn over those days, no day picked
            _event_window(ax, event, y, lo, hi)


def _track(ax, bars: Sequence[Bar], y: float, h: float, lo, hi, labels: bool) -> None:
    """Gaps (unknown, grey-hatched) then each bar, as on the site page's chart."""
    from matplotlib.patches import Rectangle

    end = hi + dt.timedelta(days=1)
    periods = [timeline.Period(b.start, b.end) for b in bars]
    for g_lo, g_hi in timeline.gaps(periods, lo, end):
        ax.add_artist(
            Rectangle(
                (_x(g_lo, lo), y),
                (g_hi - g_lo).days,
                h,
                facecolor=UNKNOWN_FACE,
                edgecolor=UNKNOWN_HATCH,
                hatch="////",
                linewidth=0,
                hatchcolor=UNKNOWN_HATCH,
            )
        )
    for bar in bars:
        _bar(ax, bar, y, h, lo, hi, labels)


def _bar(ax, bar: Bar, y: float, h: float, lo: dt.date, hi: dt.date, labels: bool) -> None:
    """Solid over the certain span, hatched over each window, a challenger stripe, a label."""
    from matplotlib.patches import Rectangle

    span = timeline.Period(bar.start, bar.end)
    x0 = _x(span.certain_start or lo, lo)
    x1 = _x(span.certain_end or hi + dt.timedelta(days=1), lo)
    if x1 > x0:
        ax.add_artist(
            Rectangle((x0, y), x1 - x0, h, facecolor=bar.colour, edgecolor="white", linewidth=0.5)
        )
    for bound in (bar.start, bar.end):
        if bound is not None and not bound.is_exact:
            w_lo = _x(bound.earliest or lo, lo)
            w_hi = _x((bound.latest or hi) + dt.timedelta(days=1), lo)
            ax.add_artist(
                Rectangle(
                    (w_lo, y),
                    max(w_hi - w_lo, 1),
                    h,
                    facecolor="white",
                    edgecolor=bar.colour,
                    hatch="////",
                    hatchcolor=INK,
                    linewidth=1.0,
                )
            )
    if x1 <= x0:
        return
    if bar.challenger_colour:
        ax.add_artist(Rectangle((x0, y), x1 - x0, h * 0.22, facecolor=bar.colour, edgecolor="none"))
        ax.add_artist(
            Rectangle(
                (x0, y),
                x1 - x0,
                h * 0.2,
                facecolor=bar.challenger_colour,
                edgecolor="white",
                linewidth=0.4,
            )
        )
    if labels:
        _bar_label(ax, bar, x0, x1, y + h * 0.58)


def _bar_label(ax, bar: Bar, x0: float, x1: float, y: float) -> None:
    """The actor's short name inside its bar, where it fits."""
    fig = ax.figure
    days_per_inch = (ax.get_xlim()[1] - ax.get_xlim()[0]) / (
        ax.get_position().width * fig.get_figwidth()
    )
    lo, hi = max(x0, ax.get_xlim()[0]), min(x1, ax.get_xlim()[1])
    if (hi - lo) / days_per_inch < 0.065 * len(bar.label) + 0.08:
        return
    ax.text(
        (lo + hi) / 2,
        y,
        bar.label,
        ha="center",
        va="center",
        fontsize=6.5,
        color=_ink(bar.colour),
        clip_on=True,
    )


def _event_window(ax, event: Tick, y: float, lo: dt.date, hi: dt.date) -> None:
    """An event dated only to a window of days: a hatched strip over the whole window."""
    from matplotlib.patches import Rectangle

    first, last = max(event.first, lo), min(event.last, hi)
    x0 = _x(first, lo)
    ax.add_artist(
        Rectangle(
            (x0, y + 0.02),
            max(_x(last + dt.timedelta(days=1), lo) - x0, 1),
            0.08,
            facecolor="white",
            edgecolor=INK,
            hatch="////",
            hatchcolor=INK,
            linewidth=0.6,
            gid="event-window",
        )
    )


def _legend(fig, lanes: Sequence[Lane], top: float, t: _Words) -> None:
    """Actors drawn, then statuses, unknown, window, contest and event keys."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    actors: dict[str, str] = {}
    for lane in lanes:
        for bar in lane.tracks.control:
            actors.setdefault(bar.label, bar.colour)
    handles: list[Artist] = [
        Patch(facecolor=c, edgecolor="white", label=label) for label, c in actors.items()
    ]
    handles += [
        Patch(facecolor=STATUS_FILL[s], label=t(s)) for s in ("open", "restricted", "closed")
    ]
    handles += [
        Patch(
            facecolor=UNKNOWN_FACE,
            hatch="////",
            edgecolor=UNKNOWN_HATCH,
            linewidth=0,
            label=t("unknown"),
        ),
        Patch(facecolor="white", hatch="////", edgecolor=MUTED, label=t("window")),
        Patch(facecolor="#ffffff", edgecolor=INK, linewidth=0.6, label=t("contested")),
        Line2D([0], [0], color=INK, linewidth=1.0, label=t("event")),
    ]
    fig.legend(
        handles=handles,
        loc="upper right" if t.rtl else "upper left",
        bbox_to_anchor=(0.98 if t.rtl else 0.02, top - 0.3 / fig.get_figheight()),
        markerfirst=not t.rtl,
        ncol=6,
        fontsize=7,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
    )


def _x(day: dt.date, lo: dt.date) -> float:
    return float((day - lo).days)


def _ink(colour: str) -> str:
    """Dark or white text, whichever reads better on `colour` (the site chart's rule)."""
    try:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return INK
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"
