"""Synthetic sites and control periods for benchmarks: plausible, deterministic, marked.

Pure: a seed in, plain rows out (no Flask, no database). Sites lie within 50 km of the
Syria–Iraq border line; each has K non-overlapping control periods over 2011 … today
with varied precisions, some gaps (unknown), contested claims and confidence levels.

>>> import datetime as dt
>>> border = [(42.36, 37.11), (41.0, 34.4), (38.77, 33.37)]
>>> demo = generate(3, 4, seed=7, actors=[1, 2, 3], sources=[10, 11], border=border,
...                 today=dt.date(2026, 1, 1))
>>> [s.slug for s in demo.sites], len(demo.control) == 3 * 4
(['demo-00000', 'demo-00001', 'demo-00002'], True)
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core import bounds
from app.core.bounds import Bound
from app.core.vocabulary import FIRST_DAY, PRECISIONS

__all__ = ["SLUG_PREFIX", "DemoSite", "DemoPeriod", "Demo", "generate"]

SLUG_PREFIX = "demo-"
NOTE = "Synthetic demo site made by `flask demo-data --seed {seed}`; not real data."
_PREFIXES = (
    ("Tall", "تل"),
    ("Bir", "بئر"),
    ("Ayn", "عين"),
    ("Khirbat", "خربة"),
    ("Jisr", "جسر"),
    ("Qasr", "قصر"),
    ("Umm", "أم"),
    ("Abu", "أبو"),
    ("Rujm", "رجم"),
    ("Wadi", "وادي"),
)
_ROOTS = (
    ("Hamad", "حمد"),
    ("Safa", "صفا"),
    ("Karim", "كريم"),
    ("Zahra", "زهرة"),
    ("Nur", "نور"),
    ("Salim", "سليم"),
    ("Khidr", "خضر"),
    ("Rawda", "روضة"),
    ("Jamil", "جميل"),
    ("Sabah", "صباح"),
    ("Faris", "فارس"),
    ("Hilal", "هلال"),
    ("Ghazal", "غزال"),
    ("Mansur", "منصور"),
    ("Rahma", "رحمة"),
    ("Dhiyab", "ذياب"),
)
_SUFFIXES = (("", ""), (" al-Sharqi", " الشرقي"), (" al-Gharbi", " الغربي"))
# Choices with cumulative weights (random.choices(..., cum_weights=...)).
_KINDS, _KIND_CUM = ("crossing_side", "town", "garrison", "zone"), (70, 85, 95, 100)
_PRECISION_CUM = (75, 95, 100)  # day 75 %, month 20 %, year 5 %
_CONFIDENCES, _CONFIDENCE_CUM = ("high", "medium", "low"), (55, 85, 100)
_STATUSES = ("open", "closed", "restricted")
_GAP_CHANCE, _CONTESTED_CHANCE = 0.15, 0.1
_OPEN_START_CHANCE, _ONGOING_CHANCE = 0.3, 0.5
_MAX_OFFSET_DEG = 0.45  # about 50 km


@dataclass(frozen=True)
class DemoSite:
    """A synthetic site (slug starts with ``demo-``)."""

    slug: str
    name: str
    name_ar: str
    aliases: list[str]
    country: str
    kind: str
    lon: float
    lat: float
    note: str


@dataclass(frozen=True)
class DemoPeriod:
    """A control period (``value`` = actor) or status period (``value`` = status)."""

    site: int
    value: object
    start: Bound | None
    end: Bound | None
    confidence: str
    sources: list
    contested: bool = False
    challenger: object = None


@dataclass
class Demo:
    """Everything one run generates."""

    sites: list[DemoSite] = field(default_factory=list)
    control: list[DemoPeriod] = field(default_factory=list)
    status: list[DemoPeriod] = field(default_factory=list)


def generate(
    n_sites: int,
    n_periods: int,
    *,
    seed: int,
    actors: Sequence,
    sources: Sequence,
    border: Sequence[tuple[float, float]],
    today: dt.date,
) -> Demo:
    """N sites near the border line with K control periods each; same seed, same data."""
    if n_sites < 1 or n_periods < 1:
        raise ValueError("sites and periods must be at least 1")
    if len(actors) < 2 or not sources or len(border) < 2:
        raise ValueError("need at least two actors, one source and a border line")
    rnd = random.Random(seed)
    span = (today - FIRST_DAY).days
    demo = Demo()
    for i in range(n_sites):
        demo.sites.append(_site(rnd, i, border, seed))
        for start, end in _intervals(rnd, n_periods, span):
            demo.control.append(_control(rnd, i, start, end, actors, sources, demo.control))
        if demo.sites[-1].kind == "crossing_side":
            demo.status.extend(_status(rnd, i, span, sources))
    return demo


def _site(rnd: random.Random, i: int, border, seed: int) -> DemoSite:
    """A named point up to ~50 km either side of the border; the side gives the country."""
    (lon, lat), (dx, dy) = _point_on_line(rnd, border)
    side = rnd.choice((-1, 1))
    distance = rnd.uniform(0.01, _MAX_OFFSET_DEG) * side
    norm = math.hypot(dx, dy) or 1
    # The line runs north to south, so its right-hand normal (-dy, dx) points into Iraq.
    lon, lat = lon - dy / norm * distance, lat + dx / norm * distance
    (pre, pre_ar), (root, root_ar), (suf, suf_ar) = (
        rnd.choice(_PREFIXES),
        rnd.choice(_ROOTS),
        rnd.choice(_SUFFIXES),
    )
    name = f"{pre} {root}{suf}"
    return DemoSite(
        slug=f"{SLUG_PREFIX}{i:05d}",
        name=name,
        name_ar=f"{pre_ar} {root_ar}{suf_ar}",
        aliases=[f"{pre}-{root}{suf}", f"{pre} {root.replace('a', 'e', 1)}{suf}"],
        country="IQ" if side > 0 else "SY",
        kind=rnd.choices(_KINDS, cum_weights=_KIND_CUM)[0],
        lon=round(lon, 5),
        lat=round(lat, 5),
        note=NOTE.format(seed=seed),
    )


def _point_on_line(rnd: random.Random, line) -> tuple[tuple[float, float], tuple]:
    """A uniformly random point along the polyline, and the direction of its segment."""
    lengths = [math.dist(a, b) for a, b in zip(line, line[1:], strict=False)]
    k = rnd.choices(range(len(lengths)), weights=lengths)[0]
    (x0, y0), (x1, y1) = line[k], line[k + 1]
    t = rnd.random()
    return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t), (x1 - x0, y1 - y0)


def _intervals(rnd: random.Random, k: int, span: int) -> list[tuple]:
    """K ordered, non-overlapping (start, end) bounds, some with gaps."""
    gap_after = [rnd.random() < _GAP_CHANCE for _ in range(k - 1)] + [False]
    marks: list[Bound | None] = list(_bounds(rnd, k + sum(gap_after) + 1, span))
    if rnd.random() < _OPEN_START_CHANCE:
        marks[0] = None
    if rnd.random() < _ONGOING_CHANCE:
        marks[-1] = None
    out, b = [], 0
    for gap in gap_after:
        out.append((marks[b], marks[b + 1]))
        b += 2 if gap else 1
    return out


def _bounds(rnd: random.Random, n: int, span: int) -> list[Bound]:
    """N bounds in time order whose windows never meet: days, months and years."""
    days = sorted(rnd.sample(range(1, span), n))
    out: list[Bound] = []
    for d in days:
        exact = FIRST_DAY + dt.timedelta(days=d)
        precision = rnd.choices(PRECISIONS, cum_weights=_PRECISION_CUM)[0]
        bound = bounds.at_precision(exact, precision)
        last = out[-1].latest if out else None
        if last is not None and bound.earliest is not None and bound.earliest <= last:
            # The window would reach into the last one: keep the day itself, or a day after.
            bound = bounds.exact(max(exact, last + dt.timedelta(days=1)))
        out.append(bound)
    return out


def _control(rnd, site, start, end, actors, sources, previous) -> DemoPeriod:
    """A period held by an actor other than the site's previous one."""
    last = previous[-1].value if previous and previous[-1].site == site else None
    actor = _other(rnd, actors, last)
    contested = rnd.random() < _CONTESTED_CHANCE
    challenger = _other(rnd, actors, actor) if contested else None
    return DemoPeriod(
        site,
        actor,
        start,
        end,
        _confidence(rnd),
        rnd.sample(sources, min(len(sources), rnd.randint(1, 3))),
        contested,
        challenger,
    )


def _status(rnd: random.Random, site: int, span: int, sources) -> list[DemoPeriod]:
    """Zero to three open/closed/restricted periods for a crossing side."""
    k = rnd.randint(0, 3)
    if not k:
        return []
    return [
        DemoPeriod(site, rnd.choice(_STATUSES), start, end, _confidence(rnd), [rnd.choice(sources)])
        for start, end in _intervals(rnd, k, span)
    ]


def _other(rnd: random.Random, choices: Sequence, not_this):
    """A random choice other than `not_this` (choices hold at least two values)."""
    value = rnd.choice(choices)
    while value == not_this:
        value = rnd.choice(choices)
    return value


def _confidence(rnd: random.Random) -> str:
    return rnd.choices(_CONFIDENCES, cum_weights=_CONFIDENCE_CUM)[0]
