"""Seed data: loads idempotently, never undoes an edit, and every period answers as-of."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.core import bounds
from app.db import queries
from app.db.models import Actor, ControlPeriod, Event, Site, Source, StatusPeriod
from app.extensions import db
from app.io import seed

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "seed.yaml"
SEED = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
DATED = [p for p in SEED["periods"] if p.get("start")]


def _counts():
    return {
        m.__name__: db.session.scalar(select(func.count()).select_from(m))
        for m in (Site, ControlPeriod, StatusPeriod, Source, Event)
    }


def test_seed_loads_everything_in_the_file(seeded):
    with seeded.app_context():
        counts = _counts()
    assert counts == {
        "Site": len(SEED["sites"]),
        "ControlPeriod": len(SEED["periods"]),
        "StatusPeriod": len(SEED["status"]),
        "Source": len(SEED["sources"]),
        "Event": len(SEED["events"]),
    }


@pytest.mark.parametrize("entry", SEED["actors"], ids=lambda a: a["slug"])
def test_every_actor_has_an_arabic_name_and_short_label(entry):
    """For the Arabic interface; a name no source gives in Arabic is marked as transliterated."""
    assert entry.get("name_ar") and entry.get("short_ar")
    assert len(entry["short_ar"]) <= 40
    assert entry.get("name_ar_transliterated", False) in (True, False)


def test_actors_arabic_labels_are_loaded(seeded):
    with seeded.app_context():
        loaded = {a.slug: a for a in db.session.scalars(select(Actor))}
    for entry in SEED["actors"]:
        actor = loaded[entry["slug"]]
        assert (actor.name_ar, actor.short_ar) == (entry["name_ar"], entry["short_ar"])
        assert actor.name_ar_transliterated is bool(entry.get("name_ar_transliterated"))


def test_a_transliterated_arabic_name_is_marked(app, tmp_path):
    actor = {
        "slug": "x",
        "name": "Example Brigade",
        "name_ar": "إكزامبل بريغيد",
        "name_ar_transliterated": True,
        "short": "Example",
        "kind": "non_state",
        "colour": "#112233",
    }
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump({"actors": [actor]}, allow_unicode=True), encoding="utf-8")
    with app.app_context():
        seed.load(path)
        loaded = db.session.scalar(select(Actor).where(Actor.slug == "x"))
        assert loaded.name_ar_transliterated is True and loaded.short_ar == ""


def test_second_run_changes_nothing(seeded):
    with seeded.app_context():
        before = _counts()
        report = seed.load(seeded.config["SEED_FILE"])
        assert not report.created and _counts() == before


def test_reseeding_keeps_edits_and_deletions(seeded):
    with seeded.app_context():
        first, second = db.session.scalars(select(ControlPeriod).limit(2)).all()
        first.note = "corrected by an editor"
        db.session.delete(second)
        db.session.commit()
        first_id, second_id = first.id, second.id
        seed.load(seeded.config["SEED_FILE"])
        assert db.session.get(ControlPeriod, first_id).note == "corrected by an editor"
        assert db.session.get(ControlPeriod, second_id) is None
        assert len(_counts()) and _counts()["ControlPeriod"] == len(SEED["periods"]) - 1


def test_a_bad_seed_file_is_refused_whole(app, tmp_path):
    bad = dict(
        SEED, periods=[*SEED["periods"], {"site": "nowhere", "actor": "isis", "sources": ["S12"]}]
    )
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with app.app_context():
        with pytest.raises(seed.SeedError, match="field 'site' names unknown entry"):
            seed.load(path)
        assert _counts()["Site"] == 0


def test_a_source_link_that_is_not_http_is_refused(app, tmp_path):
    first = dict(SEED["sources"][0], url="javascript:alert(1)")
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(dict(SEED, sources=[first, *SEED["sources"][1:]]), allow_unicode=True),
        encoding="utf-8",
    )
    with app.app_context():
        with pytest.raises(seed.SeedError, match="field 'url' must be an http"):
            seed.load(path)
        assert _counts()["Source"] == 0


def test_seed_command_reports_counts(runner, app):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "Seeded" in first.output
    again = runner.invoke(args=["seed"])
    assert "Seeded nothing" in again.output


def test_seed_file_periods_have_sources_and_marks():
    for p in SEED["periods"]:
        assert p["sources"], p
        if p.get("confidence") in ("low", "medium"):
            assert p.get("note"), f"lower confidence needs a note: {p}"


@pytest.mark.parametrize("entry", DATED, ids=lambda p: f"{p['site']}-{p['actor']}-{p['start']}")
def test_as_of_start_is_the_actor_and_the_day_before_is_not(seeded, entry):
    """The start is an EDTF bound: the actor certainly holds from its last day, and not
    on the day before its first day (unless the same actor held on, as in summer 2014, or
    held up to the first day of the window, as at al-Yarubiyah around the FSA's claim of
    21 Jul 2012, which lapsed on 21 or 22 Jul)."""
    start = bounds.parse(str(entry["start"]))
    end = bounds.parse(str(entry["end"])) if entry.get("end") else None
    continues = any(
        p["site"] == entry["site"]
        and p["actor"] == entry["actor"]
        and p.get("end") is not None
        and (p["end"] == entry["start"] or bounds.parse(str(p["end"])).latest == start.earliest)
        for p in SEED["periods"]
    )
    with seeded.app_context():
        before = _controller(start.earliest - dt.timedelta(days=1), entry["site"])
        if end is None or start.latest < end.earliest:  # it has a certain span
            assert _controller(start.latest, entry["site"]) == entry["actor"]
    if not continues:
        assert before != entry["actor"]


def _controller(day, slug):
    return next(r["controller"] for r in queries.state_at(day) if r["slug"] == slug)


def test_an_entry_refused_for_a_clash_loads_once_the_clash_is_gone(app, tmp_path):
    """A seed period that overlaps the record is refused with a warning, counted as refused
    (not as loaded), and is loaded by a later run once nothing clashes."""
    site = next(s for s in SEED["sites"] if s["slug"] == "akashat")
    actors = [a for a in SEED["actors"] if a["slug"] in ("isis", "iraqi-government")]
    source = SEED["sources"][0]
    held = {
        "site": "akashat",
        "actor": "iraqi-government",
        "start": "2015-01-01",
        "end": "2015-12-31",
        "sources": [source["ref"]],
    }
    clash = {
        "site": "akashat",
        "actor": "isis",
        "start": "2015-06-01",
        "end": "2016-06-30",
        "sources": [source["ref"]],
    }
    first = tmp_path / "first.yaml"
    first.write_text(
        yaml.safe_dump(
            {"actors": actors, "sources": [source], "sites": [site], "periods": [held]},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    later = tmp_path / "later.yaml"
    later.write_text(
        yaml.safe_dump(
            {"actors": actors, "sources": [source], "sites": [site], "periods": [held, clash]},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    with app.app_context():
        seed.load(first)
        report = seed.load(later)
        assert report.refused["periods"] == 1 and not report.created
        assert "not loaded, it overlaps" in report.warnings[0]
        again = seed.load(later)  # still clashing: refused again, still not loaded
        assert again.refused["periods"] == 1 and again.warnings
        db.session.delete(db.session.scalar(select(ControlPeriod)))  # an editor removes it
        db.session.commit()
        last = seed.load(later)
        assert last.created["periods"] == 1 and not last.refused
        kept = db.session.scalars(select(ControlPeriod)).all()
        assert [p.actor.slug for p in kept] == ["isis"]


def test_seed_command_says_what_it_refused(runner, app, tmp_path):
    site = next(s for s in SEED["sites"] if s["slug"] == "akashat")
    actors = [a for a in SEED["actors"] if a["slug"] in ("isis", "iraqi-government")]
    source = SEED["sources"][0]
    periods = [
        {"site": "akashat", "actor": actor, "start": start, "end": end, "sources": [source["ref"]]}
        for actor, start, end in (
            ("iraqi-government", "2015-01-01", "2015-12-31"),
            ("isis", "2015-06-01", "2016-06-30"),
        )
    ]
    path = tmp_path / "seed.yaml"
    path.write_text(
        yaml.safe_dump(
            {"actors": actors, "sources": [source], "sites": [site], "periods": periods},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["seed", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "Refused 1 entries that clash with the record" in result.output
    assert "Kept" not in result.output
