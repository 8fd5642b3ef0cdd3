"""The real record (data/seed.yaml) answers what its own periods say, day by day.

The cases are generated from the seed file: every control and status period's certain
span, every window a handover is written in, every note and every site point. A data
correction that breaks the time semantics (design §3) or the conventions of
data/README.md fails here with the entry named.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from app.core import bounds, geo
from app.db import queries
from app.io import seed

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "data" / "seed.yaml"
SEED = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
PERIODS = SEED["periods"]
STATUS = SEED["status"]
DAY = dt.timedelta(days=1)
#: Stand-ins for an open side: the record runs from the 2011 uprising to about April 2026.
RECORD_START = dt.date(2011, 3, 15)
RECORD_END = dt.date(2026, 4, 30)
#: A location note that explains a point outside its recorded country names the layer.
EXPLAINS_BOUNDARY = re.compile(r"geodata/|boundary layer", re.IGNORECASE)


def _bound(entry: dict, key: str) -> bounds.Bound | None:
    raw = entry.get(key)
    return None if raw is None else bounds.parse(str(raw))


def _label(entry: dict) -> str:
    holder = entry.get("actor") or entry.get("status")
    return f"{entry['site']} {holder} {entry.get('start')} – {entry.get('end')}"


def _certain_days(entry: dict) -> list[dt.date]:
    """First and last day of the period's certain span ([] when it has none)."""
    start, end = _bound(entry, "start"), _bound(entry, "end")
    first = RECORD_START if start is None else start.latest
    last = RECORD_END if end is None else end.earliest - DAY
    if start is None:
        first = min(first, last)
    if end is None:
        last = max(first, last)
    return [] if last < first else sorted({first, last})


def _shared_windows(entries: list[dict]) -> list[tuple[dict, dict, bounds.Bound]]:
    """Pairs of one site's periods whose end and start are the same window of days."""
    out = []
    for a in entries:
        for b in entries:
            if a is b or a["site"] != b["site"] or a.get("end") is None:
                continue
            if a["end"] == b.get("start"):
                window = bounds.parse(str(a["end"]))
                if window.earliest != window.latest:
                    out.append((a, b, window))
    return out


def _rows(day: dt.date) -> dict[str, dict]:
    return {row["slug"]: row for row in queries.state_at(day)}


# -- the file itself ------------------------------------------------------------------


@pytest.mark.parametrize("entry", PERIODS + STATUS, ids=_label)
def test_every_bound_is_an_edtf_expression_without_a_precision_key(entry):
    assert "start_precision" not in entry and "end_precision" not in entry, _label(entry)
    for key in ("start", "end"):
        if entry.get(key) is not None:
            assert isinstance(entry[key], str), f"{_label(entry)}: quote {key}"
            bounds.parse(entry[key])  # raises BoundError with the reason


def test_no_note_speaks_of_a_placeholder():
    found = [
        f"{kind}[{i}]"
        for kind, entries in SEED.items()
        for i, entry in enumerate(entries or [])
        for text in (str(v) for v in entry.values() if isinstance(v, str))
        if "placeholder" in text.lower()
    ]
    assert not found, f"entries that still speak of a placeholder: {found}"


def test_every_site_lies_in_its_recorded_country_or_says_why_not():
    boundaries = geo.load_boundaries(ROOT / "geodata")
    found = geo.locate(
        ((s["slug"], s["lon"], s["lat"], s["country"]) for s in SEED["sites"]), boundaries
    )
    unexplained = [
        f"{s['slug']}: recorded {s['country']}, found {found[s['slug']].country}"
        for s in SEED["sites"]
        if found[s["slug"]].mismatch and not EXPLAINS_BOUNDARY.search(s.get("location_note", ""))
    ]
    assert not unexplained, unexplained


def test_no_site_borrows_another_sites_point_unless_it_is_the_zone_around_it():
    points: dict[tuple[float, float], list[str]] = {}
    for s in SEED["sites"]:
        points.setdefault((s["lon"], s["lat"]), []).append(s)
    shared = [
        [s["slug"] for s in group]
        for group in points.values()
        if len(group) > 1 and sum(s["kind"] != "zone" for s in group) > 1
    ]
    assert not shared, f"sites drawn on the same point: {shared}"


# -- the record, loaded --------------------------------------------------------------


def test_the_seed_loads_whole_and_without_warnings(app):
    with app.app_context():
        report = seed.load(app.config["SEED_FILE"])
    assert report.warnings == []
    assert not report.skipped
    assert report.created["periods"] == len(PERIODS)
    assert report.created["status"] == len(STATUS)


def test_every_certain_span_answers_its_actor(seeded):
    wrong = []
    with seeded.app_context():
        for entry in PERIODS:
            for day in _certain_days(entry):
                row = _rows(day)[entry["site"]]
                if row["controller"] != entry["actor"]:
                    wrong.append(f"{_label(entry)}: on {day} got {row['controller']!r}")
                elif row["contested"] != bool(entry.get("contested")):
                    wrong.append(f"{_label(entry)}: on {day} contested={row['contested']}")
    assert not wrong, "\n".join(wrong)


def test_every_status_span_answers_its_status(seeded):
    wrong = []
    with seeded.app_context():
        for entry in STATUS:
            for day in _certain_days(entry):
                got = _rows(day)[entry["site"]]["status"]
                if got != entry["status"]:
                    wrong.append(f"{_label(entry)}: on {day} got {got!r}")
    assert not wrong, "\n".join(wrong)


def test_a_shared_window_is_a_handover_naming_both_actors(seeded):
    pairs = _shared_windows(PERIODS)
    assert pairs, "the seed has handovers written as windows"
    wrong = []
    with seeded.app_context():
        for a, b, window in pairs:
            # Every day before the window's last day is a handover from a to b ...
            for day in sorted({window.earliest, window.latest - DAY}):
                row = _rows(day)[a["site"]]
                t = row["transition"]
                if row["controller"] is not None or t is None:
                    wrong.append(f"{_label(a)} → {b['actor']}: on {day} no handover shown")
                elif not {a["actor"], b["actor"]} <= set(t["candidates"]):
                    wrong.append(f"{_label(a)} → {b['actor']}: on {day} names {t['candidates']}")
                elif (t["from"], t["to"]) != (a["actor"], b["actor"]):
                    wrong.append(f"{_label(a)} → {b['actor']}: on {day} {t['from']}→{t['to']}")
            # ... and on its last day the incoming actor certainly holds (if it ever does).
            if _certain_days(b):
                got = _rows(window.latest)[b["site"]]["controller"]
                if got != b["actor"]:
                    wrong.append(f"{_label(b)}: on {window.latest} got {got!r}")
    assert not wrong, "\n".join(wrong)


def test_the_first_day_of_any_window_is_a_handover_naming_that_period(seeded):
    """Also windows met by no other period (the SDF may have left Albukamal on 7 Dec)."""
    wrong = []
    with seeded.app_context():
        for entry in PERIODS:
            for key in ("start", "end"):
                bound = _bound(entry, key)
                if bound is None or bound.earliest == bound.latest:
                    continue
                row = _rows(bound.earliest)[entry["site"]]
                t = row["transition"]
                if row["controller"] is not None or t is None:
                    wrong.append(
                        f"{_label(entry)}: {key} window opens {bound.earliest} "
                        f"with {row['controller']!r}"
                    )
                elif entry["actor"] not in t["candidates"]:
                    wrong.append(f"{_label(entry)}: on {bound.earliest} names {t['candidates']}")
    assert not wrong, "\n".join(wrong)


def _event(slug: str) -> dict:
    return next(e for e in SEED["events"] if e["slug"] == slug)


def _period(site: str, actor: str, nth: int = 0) -> dict:
    return [p for p in PERIODS if p["site"] == site and p["actor"] == actor][nth]


@pytest.mark.parametrize(
    ("slug", "window"),
    [
        # The fact sheet: "2016–2017 … Creation date UNCERTAIN: Sputnik says April 2017".
        ("tanf-deconfliction-zone", "2016/2017"),
        # The fact sheet: 2016-06-28/29 and 2017-11-08/09, windows, not single days.
        ("nsa-albukamal-offensive", "2016-06-28/2016-06-29"),
        ("albukamal-first-capture", "2017-11-08/2017-11-09"),
    ],
)
def test_events_the_sources_date_to_a_window_are_stored_as_that_window(slug, window):
    event = _event(slug)
    assert str(event["date"]) == window, event
    assert bounds.parse(window).precision == "window"


def test_the_tanf_garrison_starts_in_a_month_not_on_an_invented_day():
    """The sources give "early 2016" / "early March 2016", never 3 Mar."""
    start = bounds.parse(str(_period("al-tanf-garrison", "us-led-coalition")["start"]))
    assert start.precision != "day"
    assert start.text == "2016-03"


def test_al_waleeds_closure_began_no_later_than_june_2017_not_on_that_day():
    """S68 (Feb 2026): closed "for more than a decade", so the closure began before the
    government retook the post on 17 Jun 2017; the day it began is NOT FOUND."""
    (closed,) = [p for p in SEED["status"] if p["site"] == "al-waleed" and p["status"] == "closed"]
    start = bounds.parse(str(closed["start"]))
    assert (start.earliest, start.latest) == (None, dt.date(2017, 6, 17)), closed


def test_the_fsa_claim_at_al_yarubiyah_ends_in_the_window_the_next_period_starts_in():
    """Fact sheet: the FSA claim ends 2012-07-21/22; the army's next period starts in the
    same window, so the two never overlap (as al-Qa'im's 2014-06-20/2014-06-21)."""
    claim = _period("al-yarubiyah", "fsa")
    after = _period("al-yarubiyah", "syrian-government", 1)
    assert claim["end"] == after["start"] == "2012-07-21/2012-07-22"
    assert "21–22 Jul 2012" in claim["note"] and "21–22 Jul 2012" in after["note"]


def test_a_source_is_cited_only_for_a_site_it_names():
    """Seed 001 says only "avoiding the busiest border crossing": it never names
    Albukamal, so the crossing near Albukamal is not cited to it."""
    article = next((ROOT.parent / "shared" / "seeds").glob("001_*"), None)
    if article is not None:
        assert "kamal" not in article.read_text(encoding="utf-8").lower()
    assert "SEED-001" not in _event("militias-cross-near-bukamal")["sources"]
