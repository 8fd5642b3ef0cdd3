"""A site's history as an SVG chart: control bars by actor, status track, event ticks.

Pure: plain rows in, an SVG string out (no Flask, no database). Every text is escaped;
every bar carries a <title> for hover and is focusable with its dates as its label; the
page's tables remain the text equivalent. A bar is solid over its certain span; a bound
known only as a window (a month, a year, a range of days) is drawn hatched over the
window's days, with its dates written under the chart, not only on hover.

The chart's words come from the caller (`labels`, :data:`LABELS` in English by default,
``{name}`` placeholders) and its dates from `words` (bounds.DateWords). Time runs left
to right in every language: the SVG says ``direction="ltr"``, so the axis never mirrors
while Arabic words inside it still read right to left. An actor's label or an event's title
in another language than the chart's (`words.language`: English on an Arabic page, Arabic
on an English one) is marked with ``lang`` by the site page's rule for such texts
(text_rules.language_of), so a screen reader speaks it in its own voice; a drawn Arabic
label is also set right to left, and so is every hover text of an Arabic chart.

A bar's hover text gives the dates of its row in the site page's table, "From" and
"Until": the end is the end bound ([start, end), design §3: the day the next period
begins), as the map's table and popups write a span, not the day before it; a gap, which
has no row, names its first and last unknown day.

>>> svg = render(Tracks(control=[Bar(dt.date(2015, 5, 21), None, "ISIS", "#000000")]),
...              dt.date(2016, 1, 1), title="al-Tanf")
>>> svg.startswith('<svg') and 'role="group"' in svg and "<title>ISIS: 21 May 2015" in svg
True
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core import bounds, timeline
from app.core.bounds import Bound
from app.core.text_rules import ARABIC_LETTER, language_of
from app.core.vocabulary import FIRST_DAY

__all__ = ["Bar", "Tick", "Tracks", "LABELS", "site_tracks", "render", "position"]

WIDTH, LEFT, RIGHT = 960, 78, 12
CONTROL_Y, CONTROL_H = 8, 28
STATUS_Y, STATUS_H = 44, 18
EVENTS_Y, EVENTS_H = 70, 14
AXIS_Y = 94
WINDOWS_Y = 124
HEIGHT = 146
STATUS_FILL = {"open": "#d9f0d3", "restricted": "#fdb863", "closed": "#5e3c99"}
UNKNOWN_FILL = "url(#tl-unknown)"
#: Every word of the chart in English; `render` and `site_tracks` take translations.
LABELS = {
    "desc": "Control bars coloured by actor, grey-hatched where control is unknown and "
    "striped where a change falls in a window of days (its dates written under the chart); "
    "below them open, restricted or closed status and dated events. The tables below give "
    "the same information as text.",
    "title": "{title}, {years}",
    "control": "Control",
    "status": "Status",
    "events": "Events",
    "control_unknown": "Control unknown",
    "status_unknown": "Status unknown",
    "gap": "{what}: {first} – {last}",
    "began": "{name} began {reading}",
    "ended": "{name} ended {reading}",
    "span": "{name}: {first} – {last}",
    "before_records": "before records",
    "ongoing": "ongoing",
    "today": "Today, {date}",
    "confidence": "{level} confidence",
    "contested": "contested",
    "contested_by": "contested by {name}",
    "open": "open",
    "closed": "closed",
    "restricted": "restricted",
    "high": "high",
    "medium": "medium",
    "low": "low",
}


@dataclass(frozen=True)
class Bar:
    """One period on a track: [start, end) with its label, colour and hover text."""

    start: Bound | None
    end: Bound | None
    label: str
    colour: str
    detail: str = ""
    challenger_colour: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        for side in ("start", "end"):  # a plain date is that exact day
            if isinstance(getattr(self, side), dt.date):
                object.__setattr__(self, side, bounds.exact(getattr(self, side)))


@dataclass(frozen=True)
class Tick:
    """A dated event: its date as the sources know it (a day, a month, a year or a window
    of days; a plain date is that exact day) and its title."""

    when: Bound
    label: str

    def __post_init__(self) -> None:
        if isinstance(self.when, dt.date):
            object.__setattr__(self, "when", bounds.exact(self.when))

    @property
    def first(self) -> dt.date:
        """The first day the event's date allows."""
        return self.when.earliest or self.when.latest or FIRST_DAY

    @property
    def last(self) -> dt.date:
        """The last day the event's date allows."""
        return self.when.latest or self.first


@dataclass
class Tracks:
    """Everything drawn for one site."""

    control: list[Bar] = field(default_factory=list)
    status: list[Bar] = field(default_factory=list)
    events: list[Tick] = field(default_factory=list)


def site_tracks(
    site, safe_colour=lambda c: c, labels: dict | None = None, arabic: bool = False
) -> Tracks:
    """Tracks from a site-like object (control_periods, status_periods, events); with
    `arabic`, actors by their Arabic labels where they have them."""
    words = {**LABELS, **(labels or {})}
    control = [
        Bar(
            p.start,
            p.end,
            _actor_names(p.actor, arabic)[0],
            safe_colour(p.actor.colour),
            _detail(p, words, arabic),
            _ring(p, safe_colour),
            _actor_names(p.actor, arabic)[1],
        )
        for p in site.control_periods
    ]
    status = [
        Bar(
            p.start,
            p.end,
            words.get(p.status, p.status),
            STATUS_FILL.get(p.status, UNKNOWN_FILL),
            _confidence(p, words),
        )
        for p in site.status_periods
        if p.status != "unknown"
    ]
    events = [Tick(_event_when(e), e.title) for e in site.events]
    return Tracks(control, status, events)


def render(
    tracks: Tracks,
    today: dt.date,
    title: str,
    labels: dict | None = None,
    words: bounds.DateWords = bounds.ENGLISH,
) -> str:
    """The whole chart for 2011-01-01 … `today`, in `labels` and `words` (English)."""
    scale = _Scale(FIRST_DAY, today)
    w = _Words({**LABELS, **(labels or {})}, words)
    years = f"{words.number(FIRST_DAY.year)}–{words.number(today.year)}"
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" '
        f'aria-labelledby="tl-title" aria-describedby="tl-desc" direction="ltr" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="tl-title">{_e(w.labels["title"].format(title=title, years=years))}</title>',
        f'<desc id="tl-desc">{_e(w.labels["desc"])}</desc>',
        _DEFS,
        *_grid(scale),
        _track_label(w.labels["control"], CONTROL_Y + CONTROL_H / 2),
        _track_label(w.labels["status"], STATUS_Y + STATUS_H / 2),
        _track_label(w.labels["events"], EVENTS_Y + EVENTS_H / 2),
        *_track(tracks.control, scale, CONTROL_Y, CONTROL_H, w.labels["control_unknown"], w),
        *_track(tracks.status, scale, STATUS_Y, STATUS_H, w.labels["status_unknown"], w),
        *_ticks(tracks.events, scale, w),
        *_axis(scale, w),
        *_window_labels([*tracks.control, *tracks.status], scale, w),
        "</svg>",
    ]
    return "\n".join(parts)


def position(day: dt.date, today: dt.date) -> float:
    """Where `day` is drawn, as a fraction of the chart's width (0 = left edge).

    >>> position(FIRST_DAY, dt.date(2020, 1, 1)) == LEFT / WIDTH
    True
    """
    return _Scale(FIRST_DAY, today).x(day, day) / WIDTH


_DEFS = (
    '<defs><pattern id="tl-unknown" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f2f4"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#b9bec6" stroke-width="2"/></pattern>'
    '<pattern id="tl-window" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(-45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#1d2430" stroke-width="1.6"/></pattern>'
    "</defs>"
)


@dataclass(frozen=True)
class _Words:
    """The chart's labels and its way of writing dates."""

    labels: dict
    dates: bounds.DateWords

    def say(self, key: str, **values: str) -> str:
        return self.labels[key].format(**values)

    @property
    def hover_dir(self) -> str:
        """` direction="rtl"` for an element whose <title> is in Arabic: the browser lays a
        tooltip out in its element's direction, and the chart's own is left to right."""
        return ' direction="rtl"' if self.dates.language == "ar" else ""

    def day(self, day: dt.date) -> str:
        """ "4 Mar 2013" (timeline.format_bound)."""
        return bounds.exact(day).short(self.dates)

    def until(self, end: Bound | None) -> str:
        """The end bound as the site page's table gives it under "Until": the day the next
        period begins ("3 Mar 2013"), a window as that window ("Sep 2012"), or "ongoing"."""
        return self.labels["ongoing"] if end is None else end.short(self.dates)


@dataclass(frozen=True)
class _Scale:
    """Maps dates to x positions between the left margin and the right edge."""

    lo: dt.date
    hi: dt.date

    def x(self, day: dt.date | None, default: dt.date) -> float:
        """The x of `day` (or `default` for an open bound), clamped to the chart."""
        day = min(max(day or default, self.lo), self.hi)
        span = (self.hi - self.lo).days or 1
        return round(LEFT + (day - self.lo).days / span * (WIDTH - LEFT - RIGHT), 1)


def _track(
    bars: list[Bar], scale: _Scale, y: float, h: float, unknown: str, w: _Words
) -> Iterable[str]:
    """Gaps (hatched, "unknown") then the bars of one track."""
    periods = [timeline.Period(b.start, b.end) for b in bars]
    end = scale.hi + dt.timedelta(days=1)
    for lo, hi in timeline.gaps(periods, scale.lo, end):
        # [lo, hi) is half-open: the gap's last day is the one before `hi`.
        label = w.say("gap", what=unknown, first=w.day(lo), last=w.day(hi - dt.timedelta(days=1)))
        yield _rect(scale.x(lo, lo), scale.x(hi, hi), y, h, UNKNOWN_FILL, label, "gap", w)
    for bar in bars:
        yield from _bar(bar, scale, y, h, w)


def _bar(bar: Bar, scale: _Scale, y: float, h: float, w: _Words) -> Iterable[str]:
    """One period: solid over its certain span, striped over its windows, a challenger
    stripe, a label."""
    span = timeline.Period(bar.start, bar.end)
    x0 = scale.x(span.certain_start, scale.lo)
    x1 = scale.x(span.certain_end, scale.hi + dt.timedelta(days=1))
    if x1 > x0:
        yield _rect(x0, x1, y, h, bar.colour, _hover(bar, w), "bar", w)
    for side, bound in (("began", bar.start), ("ended", bar.end)):
        if bound is not None and not bound.is_exact:
            lo = scale.x(bound.earliest, scale.lo)
            hi = scale.x(bound.latest and bound.latest + dt.timedelta(days=1), scale.hi)
            hover = w.say(side, name=bar.name or bar.label, reading=bound.reading(w.dates))
            yield (
                f'<rect class="window" x="{lo}" y="{y}" width="{max(round(hi - lo, 1), 2)}" '
                f'height="{h}" fill="url(#tl-window)" stroke="{_e(bar.colour)}" '
                f'stroke-width="1.5"{_focusable(hover)}{w.hover_dir}>'
                f"<title>{_e(hover)}</title></rect>"
            )
    if x1 <= x0:
        return
    if bar.challenger_colour:
        yield (
            f'<rect x="{x0}" y="{y}" width="{x1 - x0}" height="5" '
            f'fill="{_e(bar.challenger_colour)}" stroke="#ffffff" stroke-width="1"/>'
        )
    if x1 - x0 > 8 * len(bar.label) + 8:
        yield (
            f'<text x="{(x0 + x1) / 2}" y="{y + h / 2 + 4}" text-anchor="middle" '
            f'fill="{_ink(bar.colour)}" class="bar-label"{_marked(bar.label, w, drawn=True)}>'
            f"{_e(bar.label)}</text>"
        )


def _window_labels(bars: list[Bar], scale: _Scale, w: _Words) -> Iterable[str]:
    """The dates of each window, written under the chart ("7–31 Dec 2024"); labels that
    would touch the one before drop to a second line."""
    seen: set[str] = set()
    last_x, row = -1e9, 0
    for bound in sorted(
        (b for bar in bars for b in (bar.start, bar.end) if b is not None and not b.is_exact),
        key=lambda b: b.earliest or b.latest or dt.date.min,
    ):
        if bound.text in seen:
            continue
        seen.add(bound.text)
        x = scale.x(bound.earliest or bound.latest, scale.lo)
        row = 1 - row if x - last_x < 80 else 0
        last_x = x
        yield (
            # Centred, so its direction moves nothing but the order of its words.
            f'<text x="{x}" y="{WINDOWS_Y + 12 * row}" class="window-date" '
            f'text-anchor="middle"{w.hover_dir}>{_e(bound.short(w.dates))}'
            f"<title>{_e(bound.reading(w.dates))}</title></text>"
        )


def _ticks(events: list[Tick], scale: _Scale, w: _Words) -> Iterable[str]:
    """A line at each event of one known day; an event known only to a month, a year or a
    window of days is drawn over those days, and dated as that window ("2016", "Sep 2012"),
    as the map page's event list words it (Bound.short), never as an invented first day."""
    for e in events:
        x = scale.x(e.first, e.first)
        mark = (
            f'<line x1="{x}" x2="{x}" y1="{EVENTS_Y}" y2="{EVENTS_Y + EVENTS_H}" '
            f'stroke="#1d2430" stroke-width="1.5"/>'
        )
        if e.first != e.last:
            x1 = scale.x(e.last + dt.timedelta(days=1), e.last)
            mark = (
                f'<rect class="event-window" x="{x}" y="{EVENTS_Y + 3}" '
                f'width="{max(round(x1 - x, 1), 2)}" height="{EVENTS_H - 6}" '
                f'fill="url(#tl-window)" stroke="#1d2430" stroke-width="1"/>'
            )
        yield (
            f'<g class="tick"{w.hover_dir}><title>{_e(e.when.short(w.dates))} — '
            f"{_in_own_language(e.label, w)}</title>"
            f'<rect x="{x - 3}" y="{EVENTS_Y}" width="6" height="{EVENTS_H}" '
            f'fill="transparent"/>{mark}</g>'
        )


def _grid(scale: _Scale) -> Iterable[str]:
    """A faint vertical line at each 1 January, drawn under the tracks."""
    for year in range(scale.lo.year, scale.hi.year + 1):
        x = scale.x(dt.date(year, 1, 1), scale.lo)
        yield (
            f'<line x1="{x}" x2="{x}" y1="{CONTROL_Y}" y2="{AXIS_Y + 4}" '
            f'stroke="#d9dee6" stroke-width="0.6" class="grid"/>'
        )


def _axis(scale: _Scale, w: _Words) -> Iterable[str]:
    """A baseline, year labels, and a dashed line at today."""
    yield (f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{AXIS_Y}" y2="{AXIS_Y}" stroke="#8d96a3"/>')
    years = range(scale.lo.year, scale.hi.year + 1)
    step = 1 if (WIDTH - LEFT - RIGHT) / len(years) > 44 else 2
    for year in years:
        x = scale.x(dt.date(year, 1, 1), scale.lo)
        if (year - scale.lo.year) % step == 0:
            yield (
                f'<text x="{x}" y="{AXIS_Y + 16}" text-anchor="middle" class="year">'
                f"{w.dates.number(year)}</text>"
            )
    x = scale.x(scale.hi, scale.hi)
    yield (
        f'<line x1="{x}" x2="{x}" y1="{CONTROL_Y - 4}" y2="{AXIS_Y}" stroke="#1d2430" '
        f'stroke-dasharray="3 3"{w.hover_dir}><title>{_e(w.say("today", date=w.day(scale.hi)))}'
        f"</title></line>"
    )


def _rect(
    x0: float, x1: float, y: float, h: float, fill: str, hover: str, cls: str, w: _Words
) -> str:
    return (
        f'<rect class="{cls}" x="{x0}" y="{y}" width="{round(x1 - x0, 1)}" '
        f'height="{h}" fill="{_e(fill)}" stroke="#ffffff" stroke-width="1"{_focusable(hover)}'
        f"{w.hover_dir}><title>{_e(hover)}</title></rect>"
    )


def _focusable(text: str) -> str:
    """Attributes that let keyboard and screen-reader users reach a bar and hear its dates."""
    return f' tabindex="0" role="img" aria-label="{_e(text)}"'


def _track_label(text: str, y: float) -> str:
    return f'<text x="0" y="{y + 4}" class="track">{_e(text)}</text>'


def _hover(bar: Bar, w: _Words) -> str:
    """ "ISIS: 21 May 2015 – 4 Mar 2016 · high confidence": the table's "From" and "Until"
    of a period that ends on 4 Mar 2016, the day the next one begins."""
    first = bar.start.short(w.dates) if bar.start else w.labels["before_records"]
    last = w.until(bar.end)
    text = w.say("span", name=bar.name or bar.label, first=first, last=last)
    return text + (f" · {bar.detail}" if bar.detail else "")


def _event_when(e) -> Bound:
    """An event's date as the sources know it (Event.when), else its one day."""
    when = getattr(e, "when", None)
    return when if isinstance(when, Bound) else bounds.exact(e.date)


def _ring(p, safe_colour) -> str | None:
    """Colour of the contested stripe: the challenger's, grey if unnamed, None if uncontested."""
    if not p.contested:
        return None
    return safe_colour(p.challenger.colour) if p.challenger else "#4f5b66"


def _confidence(p, words: dict) -> str:
    """ "high confidence"."""
    return words["confidence"].format(level=words.get(p.confidence, p.confidence))


def _actor_names(actor, arabic: bool) -> tuple[str, str]:
    """(short label, full name) of an actor; the Arabic ones, where given, with `arabic`."""
    short, name = actor.short or actor.name, actor.name
    if arabic:
        short = getattr(actor, "short_ar", "") or getattr(actor, "name_ar", "") or short
        name = getattr(actor, "name_ar", "") or name
    return short, name


def _detail(p, words: dict, arabic: bool = False) -> str:
    """Confidence and contest of a control period, for its hover text."""
    text = _confidence(p, words)
    if p.contested:
        contest = (
            words["contested_by"].format(name=_actor_names(p.challenger, arabic)[1])
            if p.challenger
            else words["contested"]
        )
        text += f" · {contest}"
    return text


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on `colour` (#rrggbb)."""
    try:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    except ValueError:
        return "#1d2430"
    return "#1d2430" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def _marked(text: str, w: _Words, drawn: bool = False) -> str:
    """` lang="…"` for `text` in another language than the chart's; with `drawn`, also
    ` direction="rtl"` for text with Arabic letters, which the chart's left-to-right
    direction would otherwise lay out left to right."""
    lang = language_of(text, w.dates.language)
    attrs = f' lang="{lang}"' if lang else ""
    if drawn and ARABIC_LETTER.search(text):
        attrs += ' direction="rtl"'
    return attrs


def _in_own_language(text: str, w: _Words) -> str:
    """`text`, escaped, inside a <tspan lang="…"> where it is in another language than the
    chart's (the <title> around it keeps the chart's language for the date)."""
    marked = _marked(text, w)
    return f"<tspan{marked}>{_e(text)}</tspan>" if marked else _e(text)


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)
