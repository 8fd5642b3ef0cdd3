"""The map's time data: every site's periods as integer day offsets, sent to the page once.

Pure: plain rows in, a compact JSON-ready dict out (no Flask, no database). The browser
plugin (static/js/atlas-map.js) reads it as :func:`packed` writes it; the layout is
documented on :func:`encode`, the packing on :func:`packed`.

>>> offset(dt.date(2011, 1, 2)), offset(None)
(1, None)
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import orjson

from app.core import bounds, timeline, vocabulary
from app.core.bounds import Bound
from app.core.text_rules import safe_url
from app.core.vocabulary import (
    BOUND_PRECISIONS,
    CONFIDENCES,
    FIRST_DAY,
    PRECISIONS,
    SITE_KINDS,
    STATUSES,
)

__all__ = [
    "ACTOR_CODES",
    "CLOSED_BADGE",
    "MapRows",
    "actor_code",
    "actors_used",
    "offset",
    "flags",
    "encode",
    "packed",
    "unpacked",
    "change_points",
    "safe_colour",
    "script_json",
    "when_label",
    "year_marks",
]

_PRECISION = {p: i for i, p in enumerate(PRECISIONS)}
_BOUND_PRECISION = {p: i for i, p in enumerate(BOUND_PRECISIONS)}
_CONFIDENCE = {c: i for i, c in enumerate(CONFIDENCES)}
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")

#: Short letter codes drawn in markers, bars and the legend, so that no reading rests on
#: colour alone (data/seed.yaml repeats them as each actor's `code`).
ACTOR_CODES = {
    "syrian-government": "SG",
    "syrian-transitional-government": "ST",
    "iraqi-government": "IQ",
    "kurdistan-region": "KR",
    "isis": "IS",
    "al-qaeda": "AQ",
    "jabhat-al-nusra": "JN",
    "fsa": "FS",
    "syrian-rebels": "RB",
    "ypg-sdf": "SD",
    "al-sanadid": "SN",
    "new-syrian-army": "NS",
    "maghawir-al-thawra": "MT",
    "us-led-coalition": "US",
    "hashd-al-ashaeri": "HA",
}
#: The "closed" status badge: a neutral grey that no actor's colour comes close to
#: (tests/core/test_palette.py), so closed never reads as a holder.
CLOSED_BADGE = "#707070"


@dataclass
class MapRows:
    """Everything the map needs, as plain dicts (see queries.map_rows).

    `control` and `status` may be iterators (the database streams them): they are read
    once, and must come grouped by site.
    """

    actors: list[dict]
    sites: list[dict]
    control: Iterable[dict]
    status: Iterable[dict]
    events: list[dict] = field(default_factory=list)
    sources: Mapping[int, dict] = field(default_factory=dict)
    #: Site id → its last verified day (app.db.freshness); sites never verified are absent.
    verified: Mapping[int, dt.date] = field(default_factory=dict)


def safe_colour(value: str | None, fallback: str = "#8a8f98") -> str:
    """The colour if it is a #rrggbb hex, else a neutral grey (never raw text in CSS).

    >>> safe_colour("#AA3377"), safe_colour("red;}")
    ('#AA3377', '#8a8f98')
    """
    return value if value and _HEX.fullmatch(value) else fallback


def actor_code(slug: str, short: str = "") -> str:
    """An actor's letter code: the known one, else the initials of its short name.

    >>> actor_code("isis"), actor_code("new-actor", "Free Border Guard")
    ('IS', 'FBG')
    """
    if slug in ACTOR_CODES:
        return ACTOR_CODES[slug]
    words = re.findall(r"[A-Za-z0-9]+", short or slug)
    return "".join(w[0] for w in words[:3]).upper() or "?"


def offset(day: dt.date | None) -> int | None:
    """Days since 2011-01-01 (None stays None: an open bound)."""
    return None if day is None else (day - FIRST_DAY).days


def flags(
    start: Bound | None,
    end: Bound | None,
    contested: bool = False,
    confidence: str = "high",
    challenger: int | None = None,
    joins: bool = False,
) -> int:
    """Pack the bounds' precisions and qualifiers, contested and confidence into one integer.

    Bits 0–1 start precision, 2–3 end precision (0 day, 1 month, 2 year, 3 any other
    window; an open bound counts as day), bit 4 contested, bits 5–6 confidence (0 high,
    1 medium, 2 low), bits 7–8 the start's qualifiers, 9–10 the end's (first bit: marked
    uncertain, ``?``; second: approximate, ``~``; ``%`` sets both), bit 11 set when the
    period goes on with the hold of the one before it (:func:`timeline.hold`: the page's
    since and until are its hold's), bits 12 and up the challenger's actor index plus one
    (0: none named). The page needs the qualifiers' kind to write "Jun 2014?" or
    "Jun 2014~" as :meth:`Bound.short` does.

    >>> from app.core.bounds import parse
    >>> flags(parse("2014-06"), None, True, "low", challenger=3)
    16465
    >>> flags(parse("2014?"), parse("2015-06~"), False, "high", joins=True)
    3206
    """
    return (
        _precision(start)
        | _precision(end) << 2
        | int(contested) << 4
        | _CONFIDENCE[confidence] << 5
        | _qualifiers(start) << 7
        | _qualifiers(end) << 9
        | int(joins) << _JOINS_BIT
        | (0 if challenger is None else challenger + 1) << _CHALLENGER_BITS
    )


_JOINS_BIT = 11
_CHALLENGER_BITS = 12


def _qualifiers(bound: Bound | None) -> int:
    """Bit 0: the bound is marked uncertain (? or %), bit 1: approximate (~ or %)."""
    if bound is None:
        return 0
    both = "%" in bound.text
    return int(both or "?" in bound.text) | int(both or "~" in bound.text) << 1


def _precision(bound: Bound | None) -> int:
    return 0 if bound is None else _BOUND_PRECISION[bound.precision]


def _days(bound: Bound | None) -> tuple[int | None, int | None]:
    """The bound's earliest and latest day as offsets (None: open)."""
    if bound is None:
        return None, None
    return offset(bound.earliest), offset(bound.latest)


def encode(rows: MapRows, today: dt.date, stale_after: int = 180) -> dict:
    """The compact time data block.

    ``actors[a]`` = [slug, name, colour, short name, letter code, Arabic name, Arabic short
    name] (the Arabic ones empty when none is recorded);
    ``sites[i]`` = [slug, name, name_ar, country, lon, lat (4 decimals: ~11 m),
    kind index in vocabulary.SITE_KINDS];
    ``control[i]`` = that site's periods, each [actor, start earliest, start latest,
    end earliest, end latest, flags, source…] (actor indexes ``actors``, the sources
    index ``sources``, see :func:`flags`);
    ``status[i]`` = [[status index, start earliest, start latest, end earliest, end
    latest, flags, source…]…];
    ``events`` = [[first day, precision, title, lon, lat, [source…], last day]…] (an
    event's date is a window too: the last day equals the first for an exact day);
    ``changes`` = the days on which any site's answer changes (transitions included);
    ``verified[i]`` = that site's last verified day (null: never), and ``stale_after`` the
    days after which it reads as stale (see app.core.ages.is_stale).
    Days are offsets from ``origin``; a bound's earliest and latest day are the first
    and last day its EDTF window allows, null on an open side (both null: before the
    record, or ongoing). To keep the block small (see :func:`_relative`), a start's
    earliest day counts from the previous period's earliest end (0 when they touch), an
    end's earliest day from its own start's earliest day, and each latest day from its
    earliest day (absolute when the earliest is open); each change counts from the one
    before.
    """
    actor_ix = {a["id"]: i for i, a in enumerate(rows.actors)}
    site_ix = {s["id"]: i for i, s in enumerate(rows.sites)}
    sources = _SourceTable(rows.sources)
    changes: set[dt.date] = set()
    control = _per_site(
        rows.control, site_ix, "actor_id", changes, lambda p: _control(p, actor_ix, sources)
    )
    status = _per_site(rows.status, site_ix, "status", changes, lambda p: _status(p, sources))
    return {
        "origin": FIRST_DAY.isoformat(),
        "vocabulary": vocabulary.as_dict(),
        "max": offset(today),
        "actors": [
            [
                a["slug"],
                a["name"],
                safe_colour(a["colour"]),
                a["short"],
                actor_code(a["slug"], a["short"]),
                a.get("name_ar") or "",
                a.get("short_ar") or "",
            ]
            for a in rows.actors
        ],
        "sites": [_site(s) for s in rows.sites],
        "control": control,
        "status": status,
        "events": [_event(e, sources) for e in rows.events],
        "sources": sources.rows,
        "changes": _differences([(d - FIRST_DAY).days for d in sorted(changes)]),
        "verified": [offset(rows.verified.get(s["id"])) for s in rows.sites],
        "stale_after": stale_after,
    }


def change_points(rows: MapRows) -> list[dt.date]:
    """Days on which any site's controller or operational status changes."""
    changes: set[dt.date] = set()
    for periods, value in ((rows.control, "actor_id"), (rows.status, "status")):
        for _, ordered in _grouped(periods):
            changes.update(_changes(ordered, value))
    return sorted(changes)


def actors_used(block: Mapping) -> set[int]:
    """Indexes into ``block["actors"]`` of the actors that hold or challenge a period."""
    used: set[int] = set()
    for periods in block["control"]:
        for p in periods:
            used.add(p[0])
            if p[5] >> _CHALLENGER_BITS:
                used.add((p[5] >> _CHALLENGER_BITS) - 1)
    return used


def _per_site(
    periods: Iterable[dict],
    site_ix: Mapping[int, int],
    value: str,
    changes: set[dt.date],
    encode_one: Callable[[dict], list],
) -> list[list]:
    """Each site's periods encoded in time order (see _relative); the days on which a
    site's answer changes are added to `changes` while its periods are at hand."""
    out: list[list] = [[] for _ in site_ix]
    for site_id, ordered in _grouped(periods):
        changes.update(_changes(ordered, value))
        encoded = [encode_one(p) for p in ordered]
        for before, after, row in zip(ordered, ordered[1:], encoded[1:], strict=False):
            if timeline.joins(before["end"], before[value], after["start"], after[value]):
                row[_FLAGS] |= 1 << _JOINS_BIT
        out[site_ix[site_id]] = _relative(encoded)
    return out


_FLAGS = 5  # where a period's flags sit in its list (_control, _status)


def _grouped(periods: Iterable[dict]) -> Iterable[tuple[int, list[dict]]]:
    """(site id, its periods in time order) for periods that come grouped by site.

    Only one site's periods are held at a time, so tens of thousands of rows can stream
    through; a site seen twice means the rows were not grouped, which would split its
    track, so it is refused.
    """
    seen: set[int] = set()
    for site_id, group in itertools.groupby(periods, key=itemgetter("site_id")):
        if site_id in seen:
            raise ValueError(f"periods of site {site_id} are not grouped together")
        seen.add(site_id)
        yield site_id, _by_start(group)


def _changes(periods: list[dict], value: str) -> list[dt.date]:
    """Days on which the answer of one site's track (control or status) changes."""
    track = [timeline.Period(p["start"], p["end"], p[value]) for p in periods]
    return timeline.change_points({"track": track}, settle=value == "status")


def when_label(row: Mapping, words: bounds.DateWords = bounds.ENGLISH) -> str:
    """The state table's "since / until" text for a state_at row, in `words` (English).

    >>> when_label({"controller": "isis", "since_edtf": "2014-06", "until_edtf": "2017-11-03"})
    'Jun 2014 – 3 Nov 2017'
    >>> when_label({"controller": None, "transition": {
    ...     "names": ["SDF", "Syria (transitional)"], "window": "2024-12-07/2024-12-31"}})
    'SDF → Syria (transitional), between 7 and 31 December 2024'
    """
    transition = row.get("transition")
    if transition:
        chain = words.phrase("when.arrow").join(transition["names"])
        window = bounds.parse(transition["window"]).window_reading(words)
        return words.phrase("when.handover", chain=chain, window=window)
    if not row["controller"]:
        return words.phrase("when.no_record")
    since, until = (
        bounds.parse(text).short(words) if text else ""
        for text in (row.get("since_edtf"), row.get("until_edtf"))
    )
    if since and until:
        return words.phrase("when.span", since=since, until=until)
    if until:
        return words.phrase("when.until", date=until)
    return words.phrase("when.since", date=since) if since else words.phrase("when.always")


def year_marks(today: dt.date, step: int = 2) -> list[tuple[int, str]]:
    """(year, left %) for labels under the slider, every `step` years from 2011."""
    span = (today - FIRST_DAY).days or 1
    return [
        (year, f"{(dt.date(year, 1, 1) - FIRST_DAY).days / span * 100:.2f}")
        for year in range(FIRST_DAY.year, today.year + 1, step)
    ]


#: The packed block's digits: printable ASCII but for the characters that JSON or
#: script_json would escape. A number's last digit is one of the first _LAST; the digits
#: before it (bijective base _MORE, most significant first) are the others. So a number
#: under 45 takes one character, under 2,025 two, under 89,145 three, where a day's offset
#: or a period's length written in decimal with its comma takes four or five.
_DIGITS = "".join(chr(c) for c in range(33, 127) if chr(c) not in '"\\<>&')
_LAST = 45
_MORE = len(_DIGITS) - _LAST
_DIGIT_VALUE = {ch: i for i, ch in enumerate(_DIGITS)}
_TRACKS = ("control", "status")


def packed(block: dict) -> dict:
    """The block as the page gets it: its tracks, change days and verified days as strings
    of digits (about half their JSON's size; static/js/atlas-core.js ``unpack`` reads them).

    A track is, site by site, its number of periods, then each period's number of sources,
    its value, its four days, its flags and its sources. Days (and nulls) are day codes:
    0 for null, 2n + 1 for n ≥ 0, −2n for n < 0; every other number is written as it is.

    >>> b = {"control": [[[2, None, None, 10, 30, 64, 7]], []], "status": [[]],
    ...      "changes": [10, 0, 365], "verified": [None, -3]}
    >>> packed(b)
    {'control': '##$!!8R3R6*!', 'status': '!', 'changes': '8#b.', 'verified': '!)'}
    >>> unpacked(packed(b)) == b
    True
    """
    out = dict(block)
    for track in _TRACKS:
        numbers: list[int] = []
        for periods in block[track]:
            numbers.append(len(periods))
            for period in periods:
                numbers.append(len(period) - 6)
                numbers.append(period[0])
                numbers.extend(_day_code(day) for day in period[1:5])
                numbers.extend(period[5:])
        out[track] = "".join(map(_digits, numbers))
    for key in ("changes", "verified"):
        out[key] = "".join(_digits(_day_code(day)) for day in block[key])
    return out


def unpacked(block: dict) -> dict:
    """The block that :func:`packed` packed, as :func:`encode` made it."""
    out = dict(block)
    for track in _TRACKS:
        numbers = iter(_numbers(block[track]))
        sites: list[list] = []
        for count in numbers:
            periods = []
            for _ in range(count):
                cited = next(numbers)
                value, *days = (next(numbers) for _ in range(5))
                period = [value, *map(_day, days), *(next(numbers) for _ in range(1 + cited))]
                periods.append(period)
            sites.append(periods)
        out[track] = sites
    for key in ("changes", "verified"):
        out[key] = [_day(code) for code in _numbers(block[key])]
    return out


def _digits(n: int) -> str:
    last, rest = n % _LAST, n // _LAST
    head = []
    while rest:
        rest -= 1
        head.append(_DIGITS[_LAST + rest % _MORE])
        rest //= _MORE
    return "".join(reversed(head)) + _DIGITS[last]


def _numbers(text: str) -> list[int]:
    out, rest = [], 0
    for ch in text:
        digit = _DIGIT_VALUE[ch]
        if digit >= _LAST:
            rest = rest * _MORE + digit - _LAST + 1
        else:
            out.append(rest * _LAST + digit)
            rest = 0
    return out


def _day_code(day: int | None) -> int:
    if day is None:
        return 0
    return 2 * day + 1 if day >= 0 else -2 * day


def _day(code: int) -> int | None:
    if code == 0:
        return None
    return (code - 1) // 2 if code % 2 else -code // 2


def _label(text: str | None) -> str:
    return bounds.parse(text).short() if text else ""


def script_json(obj) -> str:
    """JSON that is safe inside a <script> element (no "</script>" or "<!--" possible)."""
    text = orjson.dumps(obj).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _SourceTable:
    """Sources numbered in order of first use, so each is sent once."""

    def __init__(self, sources: Mapping[int, dict]):
        self.by_id = sources
        self.index: dict[int, int] = {}
        self.rows: list[list] = []

    def refs(self, ids: Sequence[int]) -> list[int]:
        """Indexes of the given source ids, adding unseen ones to the table."""
        out = []
        for source_id in ids:
            if source_id not in self.index:
                s = self.by_id[source_id]
                self.index[source_id] = len(self.rows)
                self.rows.append(
                    [
                        s["title"],
                        s["publisher"],
                        safe_url(s["url"]),
                        s["published"],
                        s.get("language") or "",
                    ]
                )
            out.append(self.index[source_id])
        return out


def _relative(periods: list[list]) -> list[list]:
    """Earliest days as gaps and lengths, latest days after their earliest (see encode).

    >>> _relative([[0, None, None, 10, 40, 0], [1, 10, 40, 25, 25, 0], [2, 30, 30, None, None, 0]])
    [[0, None, None, 10, 30, 0], [1, 0, 30, 15, 0, 0], [2, 5, 0, None, None, 0]]
    """
    out, cursor = [], 0
    for value, start_lo, start_hi, end_lo, end_hi, *rest in periods:
        base = 0 if start_lo is None else start_lo
        out.append(
            [
                value,
                None if start_lo is None else start_lo - cursor,
                _after(start_lo, start_hi),
                None if end_lo is None else end_lo - base,
                _after(end_lo, end_hi),
                *rest,
            ]
        )
        cursor = cursor if end_lo is None else end_lo
    return out


def _after(lo: int | None, hi: int | None) -> int | None:
    """A latest day counted from its earliest day, or absolute when the earliest is open."""
    if hi is None:
        return None
    return hi if lo is None else hi - lo


def _differences(days: list[int]) -> list[int]:
    """The first day, then the distance from each day to the next."""
    return [b - a for a, b in zip([0, *days], days, strict=False)]


def _by_start(periods: Iterable[dict]) -> list[dict]:
    """Periods in time order (an open start first), whatever the database's NULL order."""
    return sorted(periods, key=lambda p: p["start"] and p["start"].earliest or dt.date.min)


def _site(s: dict) -> list:
    return [
        s["slug"],
        s["name"],
        s["name_ar"],
        s["country"],
        round(s["lon"], 4),
        round(s["lat"], 4),
        SITE_KINDS.index(s["kind"]),
    ]


def _control(p: dict, actor_ix: Mapping[int, int], sources: _SourceTable) -> list:
    return [
        actor_ix[p["actor_id"]],
        *_days(p["start"]),
        *_days(p["end"]),
        flags(
            p["start"], p["end"], p["contested"], p["confidence"], actor_ix.get(p["challenger_id"])
        ),
        *sources.refs(p["source_ids"]),
    ]


def _status(p: dict, sources: _SourceTable) -> list:
    return [
        STATUSES.index(p["status"]),
        *_days(p["start"]),
        *_days(p["end"]),
        flags(p["start"], p["end"], False, p["confidence"]),
        *sources.refs(p.get("source_ids", ())),
    ]


def _event(e: dict, sources: _SourceTable) -> list:
    return [
        offset(e["date"]),
        _BOUND_PRECISION[e["precision"]],
        e["title"],
        e["lon"],
        e["lat"],
        sources.refs(e["source_ids"]),
        offset(e.get("date_latest") or e["date"]),
    ]
