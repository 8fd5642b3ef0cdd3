"""One answer, proven three ways: "who held site S on day D" from the pure timeline, the SQL
query and the map page's JavaScript must agree (design.md §3).

Hypothesis draws a few sites with control and status periods whose bounds are EDTF
expressions — days, months, years, windows ``a/b``, open windows ``../b`` (a first start)
and ``a/..`` (a last end), qualified ``?`` or ``~`` — laid out as the rule allows: a
handover's outgoing end and incoming start share one window, windows of neighbouring
bounds may overlap, and some stretches have no period at all. The periods are stored
through the models. Then, for random days and every day a span begins or ends (and the
day before), in the slider's range:

* Python: ``timeline.answer`` over the drawn periods;
* SQL: ``queries.compute_state_at`` (the reference query), on SQLite and, with
  TEST_DATABASE_URL, on PostgreSQL;
* the as-of index (``app.db.asof_index``, behind ``queries.state_at``: the map's table, the
  API, the downloads and the OGC API): whole rows equal to the SQL's, from a full build,
  from an index updated after an edit of one site's periods, and from one updated after an
  actor's edit (its slug too), a new slug, new sites and a deleted one;
* JavaScript: ``tests/js/asof.cjs``, fed the page's own data block
  (``map_encoding.packed(map_encoding.encode(queries.map_rows(), today))``), answering with
  atlas-core.js;

give the same controller, since and until (the hold's: ``timeline.hold``), uncertain flag,
transition (from, to, the candidates and the window), marks (contested, challenger and
confidence: the holder's own, or in a window ``timeline.window_marks`` of its candidates')
and status for every site. SQL and
Python agree on the bounds' EDTF text; the page has no EDTF text (the block sends days,
precisions and qualifiers), so
it must agree on the days and qualifiers and write the table's words exactly as
``map_encoding.when_label`` does. The change points the block sends, the ones Python
computes and the days on which the page's own answer changes are the same days.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core import bounds, map_encoding, timeline, vocabulary
from app.core.bounds import Bound
from app.db import asof_index, queries
from app.db.models import Actor, ControlPeriod, Site, StatusPeriod
from app.db.session_events import data_version
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
ASOF_JS = ROOT / "tests" / "js" / "asof.cjs"
NODE = shutil.which("node")
FIRST_DAY = vocabulary.FIRST_DAY
TODAY = dt.date(2025, 6, 30)
ACTORS = ("gov", "isis", "sdf", "pmf")
NAMES = {slug: f"Actor {slug}" for slug in ACTORS}
TRANSITION_FIELDS = ("from", "to", "candidates", "names", "window", "earliest", "latest", "reading")
ONE_DAY = dt.timedelta(days=1)

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


# ---- EDTF bounds ---------------------------------------------------------------------

_day = st.dates(min_value=dt.date(2009, 6, 1), max_value=dt.date(2025, 12, 31))
_qualifier = st.sampled_from(("", "", "", "?", "~"))


@st.composite
def _bound(draw) -> Bound:
    """A closed EDTF bound: a day, a month, a year or a window of days or months."""
    day, form, mark = draw(_day), draw(st.sampled_from(_FORMS)), draw(_qualifier)
    if form == "window":
        last = day + dt.timedelta(days=draw(st.integers(1, 75)))
        text = f"{day.isoformat()}/{last.isoformat()}"
    elif form == "months":
        last = day + dt.timedelta(days=draw(st.integers(31, 120)))
        text = f"{day:%Y-%m}/{last:%Y-%m}"
    else:
        text = {"day": day.isoformat(), "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[form]
    return bounds.parse(text + mark)


_FORMS = ("day", "day", "month", "month", "year", "window", "window", "months")


@st.composite
def _cuts(draw) -> list[Bound]:
    """Bounds in time order: each begins and ends after the one before (windows of
    neighbours may overlap), so periods between them follow one another as the rule asks."""
    out: list[Bound] = []
    for b in sorted(draw(st.lists(_bound(), max_size=5)), key=lambda b: (b.earliest, b.latest)):
        if not out or (b.earliest > out[-1].earliest and b.latest > out[-1].latest):
            out.append(b)
    return out


@st.composite
def _open_start(draw, first: Bound | None) -> Bound | None:
    """Before the first bound: before the record (None), or "no later than" a day."""
    if first is None or draw(st.booleans()):
        return None
    latest = first.earliest - dt.timedelta(days=draw(st.integers(1, 400)))
    return bounds.parse(f"../{latest.isoformat()}")


@st.composite
def _open_end(draw, last: Bound | None) -> Bound | None:
    """After the last bound: ongoing (None), or "no earlier than" a day."""
    if last is None or draw(st.booleans()):
        return None
    earliest = last.latest + dt.timedelta(days=draw(st.integers(1, 400)))
    return bounds.parse(f"{earliest.isoformat()}/..")


@st.composite
def _track(draw, values):
    """One site's periods on one track: [(start, end, value, extra)].

    The bounds cut time into stretches; each stretch is a period or a gap, so a period's
    end and the next one's start are one shared window, or (across a gap) two windows in
    order. The first period may start before the record or "no later than" a day, the
    last may stay ongoing or end "no earlier than" a day.
    """
    cuts = draw(_cuts())
    edges = [
        draw(_open_start(cuts[0] if cuts else None)),
        *cuts,
        draw(_open_end(cuts[-1] if cuts else None)),
    ]
    out = []
    for start, end in zip(edges, edges[1:], strict=False):
        if start is None and end is None and len(edges) > 2:
            continue
        if not draw(st.booleans()):
            continue
        out.append((start, end, draw(values), draw(_control_extra)))
    return out


_control_extra = st.fixed_dictionaries(
    {
        "contested": st.booleans(),
        "confidence": st.sampled_from(vocabulary.CONFIDENCES),
        "challenger": st.one_of(st.none(), st.sampled_from(ACTORS)),
    }
)

_site = st.fixed_dictionaries(
    {
        "control": _track(st.sampled_from(ACTORS)),
        "status": _track(st.sampled_from(vocabulary.STATUSES)),
        "country": st.sampled_from(sorted(vocabulary.COUNTRIES)),
        "kind": st.sampled_from(vocabulary.SITE_KINDS),
    }
)

_world = st.fixed_dictionaries(
    {
        "sites": st.lists(_site, min_size=1, max_size=3),
        "days": st.lists(st.dates(min_value=FIRST_DAY, max_value=TODAY), max_size=12),
    }
)


def test_the_strategy_draws_valid_tracks_with_handovers():
    """The drawn periods obey the rule (no overlaps), and transitions do occur."""
    seen = {"transition": 0, "open window": 0, "qualified": 0}

    @settings(max_examples=150, deadline=None)
    @given(track=_track(st.sampled_from(ACTORS)))
    def check(track):
        periods = [timeline.Period(s, e, v, key=n) for n, (s, e, v, _) in enumerate(track)]
        for p in periods:
            assert timeline.find_overlaps(periods, p) == [], [q.describe() for q in periods]
        for s, e, _, _ in track:
            if any(b is not None and (b.earliest is None or b.latest is None) for b in (s, e)):
                seen["open window"] += 1
            if any(b is not None and b.qualified for b in (s, e)):
                seen["qualified"] += 1
        for d in timeline.boundary_dates(periods):
            if timeline.answer(periods, d).transition is not None:
                seen["transition"] += 1

    check()
    assert all(seen.values()), seen


# ---- the agreement ----------------------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(world=_world)
def test_python_sql_and_javascript_agree_as_of_every_day(app, world):
    with app.app_context():
        _store(world["sites"])
        tracks = _pure_tracks(world["sites"])
        days = sorted(_days_to_check(world, tracks))
        js = _javascript_answers(days)
        slugs = [s.slug for s in queries.all_sites()]
        assert js["sites"] == slugs
        index = asof_index.AsOfIndex.load(data_version(db.session))
        references = {}
        for day, js_rows in zip(days, js["answers"], strict=True):
            reference = references[day] = queries.compute_state_at(day)
            assert index.rows(day) == reference, f"the as-of index differs from SQL on {day}"
            sql_rows = {r["slug"]: r for r in reference}
            for slug, js_row in zip(slugs, js_rows, strict=True):
                expected = _python_answer(tracks[slug], day)
                sql = sql_rows[slug]
                assert _sql_view(sql) == expected, f"SQL differs from Python for {slug} on {day}"
                assert js_row == _page_view(tracks[slug], day, sql), (
                    f"JavaScript differs from Python for {slug} on {day}"
                )
        # Backwards, each row starting from the later day's row of its site: the same
        # rows, keys in the same order (JSON keeps it).
        for day in reversed(days):
            assert [list(r.items()) for r in index.rows(day)] == [
                list(r.items()) for r in references[day]
            ], f"the as-of index differs from SQL on {day}, going back"
        _check_change_points(js, tracks)
        _check_index_after_an_edit(days)


def _check_index_after_an_edit(days: list[dt.date]) -> None:
    """An edit of one site's periods updates the index by that site alone, and the updated
    index still answers as the SQL does."""
    asof_index.forget()
    before = asof_index.index_for(data_version(db.session))
    site = db.session.scalars(select(Site).order_by(Site.slug)).first()
    periods = [*site.control_periods, *site.status_periods]
    for p in periods:
        p.note = "edited"
    if site.control_periods:
        db.session.delete(site.control_periods[0])
    db.session.commit()
    after = asof_index.index_for(data_version(db.session))
    if periods:
        assert after.c is before.c and set(after.overlay) == {site.id}, "not incremental"
    for day in days:
        assert after.rows(day) == queries.compute_state_at(day), f"edited index, {day}"
    # Then the shared rows and the list of sites, still without a full build: an actor
    # renamed (its slug too: the edited site's reloaded rows show the old one), the first
    # site moved to the end of the order, the last one deleted and two new ones, one held
    # by that actor from the first day checked.
    actor = db.session.scalars(select(Actor).order_by(Actor.slug)).first()
    actor.name, actor.slug, actor.colour = "Renamed", "zz-renamed", "#abcdef"
    sites = db.session.scalars(select(Site).order_by(Site.slug)).all()
    sites[0].slug = "zz-moved"
    if len(sites) > 1:
        db.session.delete(sites[-1])
    new = Site(slug="site-new", name="New", country="SY", kind=sites[0].kind, lon=41, lat=34)
    new.control_periods.append(ControlPeriod(actor=actor, start=days[0]))
    db.session.add(new)
    db.session.add(Site(slug="site-0a", name="Next", country="IQ", kind=new.kind, lon=41, lat=34))
    db.session.commit()
    again = asof_index.index_for(data_version(db.session))
    assert again.c is before.c, "rebuilt"
    for day in days:
        assert again.rows(day) == queries.compute_state_at(day), f"relisted index, {day}"


def _store(sites: list[dict]) -> None:
    """Replace whatever the last example stored by these actors, sites and periods."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    actors = {}
    for n, slug in enumerate(ACTORS):
        actors[slug] = Actor(
            slug=slug,
            name=NAMES[slug],
            short=slug.upper(),
            kind="state",
            colour=f"#{n + 1:02d}3377",
        )
        db.session.add(actors[slug])
    for n, s in enumerate(sites):
        site = Site(
            slug=f"site-{n}",
            name=f"Site {n}",
            country=s["country"],
            kind=s["kind"],
            lon=40 + n / 10,
            lat=34.0,
        )
        db.session.add(site)
        for start, end, actor, extra in s["control"]:
            challenger = extra["challenger"] if extra["challenger"] != actor else None
            db.session.add(
                ControlPeriod(
                    site=site,
                    actor=actors[actor],
                    start=start,
                    end=end,
                    contested=extra["contested"],
                    confidence=extra["confidence"],
                    challenger=actors[challenger] if challenger else None,
                )
            )
        for start, end, status, extra in s["status"]:
            db.session.add(
                StatusPeriod(
                    site=site, status=status, start=start, end=end, confidence=extra["confidence"]
                )
            )
    db.session.commit()


def _pure_tracks(sites: list[dict]) -> dict[str, dict]:
    """Each site's control and status periods as pure timeline periods, by site slug (a
    period's key: its place in the track), and each control period's marks as stored."""
    return {
        f"site-{n}": {
            "kind": s["kind"],
            **{
                track: [
                    timeline.Period(start, end, value, key=k)
                    for k, (start, end, value, _) in enumerate(s[track])
                ]
                for track in ("control", "status")
            },
            "marks": [
                {
                    "contested": extra["contested"],
                    "confidence": extra["confidence"],
                    "challenger": extra["challenger"] if extra["challenger"] != actor else None,
                }
                for _, _, actor, extra in s["control"]
            ],
        }
        for n, s in enumerate(sites)
    }


def _marks(track: dict, control: timeline.Answer) -> dict:
    """Contested, challenger and confidence of a control answer: the holder's own, in a
    window its candidates' (timeline.window_marks, no challenger), none when unknown."""
    if control.period is not None:
        return track["marks"][control.period.key]
    if control.transition is not None:
        marks = [track["marks"][p.key] for p in control.transition.candidates]
        contested, confidence = timeline.window_marks(
            (m["contested"] for m in marks), (m["confidence"] for m in marks)
        )
        return {"contested": contested, "confidence": confidence, "challenger": None}
    return {"contested": False, "confidence": None, "challenger": None}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _python_answer(track: dict, day: dt.date) -> dict:
    """timeline.answer, in the fields of a state_at row."""
    control = timeline.answer(track["control"], day)
    status_answer = timeline.settled(timeline.answer(track["status"], day))
    status, changing = status_answer.period, status_answer.transition
    p, t = control.period, control.transition
    out = {
        "controller": control.value,
        "uncertain": control.uncertain,
        "transition": None,
        "status": status.value if status else "unknown",
        "status_transition": changing
        and {
            "from": changing.outgoing.value if changing.outgoing else None,
            "to": changing.incoming.value if changing.incoming else None,
            "candidates": [c.value for c in changing.candidates],
            "window": changing.window.text,
            "earliest": _iso(changing.window.earliest),
            "latest": _iso(changing.window.latest),
            "reading": changing.window.reading(),
        },
        "tracked": track["kind"] not in vocabulary.UNTRACKED_KINDS,
        **_marks(track, control),
    }
    # Since and until are the hold's: the run of one actor's periods this one goes on with.
    since, until = timeline.hold(track["control"], p) if p else (None, None)
    out["status_since_edtf"] = status and timeline.hold(track["status"], status)[0]
    out["status_since_edtf"] = out["status_since_edtf"] and out["status_since_edtf"].text
    for name, b in (("since", since), ("until", until)):
        out[name] = _iso(b.earliest) if b else None
        out[f"{name}_precision"] = b.precision if b else None
        out[f"{name}_edtf"] = b.text if b else None
    if t is not None:
        out["transition"] = {
            "from": t.outgoing.value if t.outgoing else None,
            "to": t.incoming.value if t.incoming else None,
            "candidates": [c.value for c in t.candidates],
            "names": t.chain(NAMES.get),
            "window": t.window.text,
            "earliest": _iso(t.window.earliest),
            "latest": _iso(t.window.latest),
            "reading": t.window.reading(),
        }
    return out


def _sql_view(row: dict) -> dict:
    """The fields of a state_at row that _python_answer gives."""
    keys = (
        "controller",
        "uncertain",
        "status",
        "status_transition",
        "tracked",
        "status_since_edtf",
        "contested",
        "confidence",
        "challenger",
    )
    out = {k: row[k] for k in keys}
    for name in ("since", "until"):
        for suffix in ("", "_precision", "_edtf"):
            out[name + suffix] = row[name + suffix]
    t = row["transition"]
    out["transition"] = t and {k: t[k] for k in TRANSITION_FIELDS}
    return out


def _bound_view(b: Bound | None) -> dict | None:
    """What the page knows of a bound: its days, precision and qualifiers."""
    if b is None:
        return None
    return {
        "earliest": _iso(b.earliest),
        "latest": _iso(b.latest),
        "precision": b.precision,
        "uncertain": "?" in b.text or "%" in b.text,
        "approximate": "~" in b.text or "%" in b.text,
    }


def _page_view(track: dict, day: dt.date, sql_row: dict) -> dict:
    """What asof.cjs must answer: Python's answer in the page's terms, and the table text
    map_encoding.when_label writes for the SQL row."""
    control = timeline.answer(track["control"], day)
    status_answer = timeline.settled(timeline.answer(track["status"], day))
    status, changing = status_answer.period, status_answer.transition
    p, t = control.period, control.transition
    since, until = timeline.hold(track["control"], p) if p else (None, None)
    return {
        "controller": control.value,
        "since": _bound_view(since),
        "until": _bound_view(until),
        "uncertain": control.uncertain,
        "transition": t
        and {
            "from": t.outgoing.value if t.outgoing else None,
            "to": t.incoming.value if t.incoming else None,
            "candidates": [c.value for c in t.candidates],
            "names": t.chain(NAMES.get),
            "window": _bound_view(t.window),
            "reading": t.window.reading(),
        },
        "status": status.value if status else "unknown",
        "status_transition": changing
        and {
            "from": changing.outgoing.value if changing.outgoing else None,
            "to": changing.incoming.value if changing.incoming else None,
            "candidates": [c.value for c in changing.candidates],
            "window": _bound_view(changing.window),
        },
        "status_text": _status_text(changing.chain() if changing else None, sql_row["status"]),
        "when": map_encoding.when_label(sql_row),
        "tracked": track["kind"] not in vocabulary.UNTRACKED_KINDS,
        **_marks(track, control),
    }


def _status_text(chain: list[str] | None, status: str) -> str:
    """The map table's status words (English, as atlas-core.js has them)."""
    return f"changing ({' → '.join(chain)})" if chain else status


def _days_to_check(world: dict, tracks: dict) -> set[dt.date]:
    """The random days, the first and last, and every day on which a period's certain or
    possible span begins or ends and the day before it, in the slider's range."""
    days = set(world["days"]) | {FIRST_DAY, TODAY}
    for track in tracks.values():
        for day in timeline.boundary_dates(track["control"] + track["status"]):
            days |= {day, day - ONE_DAY}
    return {d for d in days if FIRST_DAY <= d <= TODAY}


def _javascript_answers(days: list[dt.date]) -> dict:
    """asof.cjs's answers on `days`, from the data block the map page would get."""
    block = map_encoding.script_json(
        map_encoding.packed(map_encoding.encode(queries.map_rows(), TODAY))
    )
    offsets = [map_encoding.offset(d) for d in days]
    request = f'{{"data": {block}, "days": {json.dumps(offsets)}}}'
    done = subprocess.run(
        [NODE, str(ASOF_JS)], input=request, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _check_change_points(js: dict, tracks: dict) -> None:
    """The block's change points, Python's and the days on which the page's own answer
    changes are the same days; each is a day on which some site's answer differs from
    the day before."""
    origin = dt.date.fromisoformat(js["origin"])
    sent = [origin + dt.timedelta(days=d) for d in js["changes"]]
    python = sorted(
        {
            *timeline.change_points({slug: t["control"] for slug, t in tracks.items()}),
            *timeline.change_points({slug: t["status"] for slug, t in tracks.items()}, True),
        }
    )
    assert sent == python, "the data block's change points differ from timeline's"
    assert [dt.date.fromisoformat(d) for d in js["js_changes"]] == python, (
        "the page's answer changes on other days than timeline's"
    )
    for day in python:
        assert any(
            _state(t[kind], day, kind == "status")
            != _state(t[kind], day - ONE_DAY, kind == "status")
            for t in tracks.values()
            for kind in ("control", "status")
        ), f"{day} is no change"


def _state(periods: list[timeline.Period], day: dt.date, settle: bool = False) -> tuple:
    a = timeline.answer(periods, day)
    if settle:
        a = timeline.settled(a)
    if a.transition is not None:
        t = a.transition
        return (
            "transition",
            tuple(p.value for p in t.candidates),
            t.unknown_before,
            t.unknown_after,
        )
    return ("held", a.value) if a.period else ("unknown",)
