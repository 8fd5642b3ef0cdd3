"""Editor pages: log a change, create/edit/delete every kind, refusals write nothing."""

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.db import queries
from app.db.models import Actor, ControlPeriod, Event, Revision, Site, Source
from app.extensions import db

LOG = "/editor/sites/al-qaim/log-control"


def errors(resp) -> list[str]:
    """The error messages shown next to the fields."""
    text = resp.get_data(as_text=True)
    return [
        html.unescape(e) for e in re.findall(r'<small class="error"[^>]*>(.*?)</small>', text, re.S)
    ]


def field_value(resp, name: str) -> str:
    """The value a text input shows after a round trip (escaped in the page)."""
    m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', resp.get_data(as_text=True))
    return html.unescape(m.group(1)) if m else ""


def actor_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Actor.id).where(Actor.slug == slug))


def site_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Site.id).where(Site.slug == slug))


def open_token(client, url=LOG) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)


@pytest.fixture
def log_data(seeded, editor_client):
    """A valid control change at al-Qa'im (test data, not a real event)."""
    return {
        "actor_id": actor_id(seeded, "kurdistan-region"),
        "date": "2024-12-08",
        "confidence": "medium",
        "note": "Handover reported.",
        "source_title": "Crossing handed over",
        "source_url": "https://example.org/a",
        "source_publisher": "Example News",
        "source_date": "2024-12",
        "comment": "from the morning brief",
        "version": open_token(editor_client),
    }


def controller(app, day):
    with app.app_context():
        row = next(r for r in queries.state_at(day) if r["slug"] == "al-qaim")
        return row["controller"], row["since"]


# --- log a change -------------------------------------------------------------------


def test_site_page_links_to_the_log_forms_only_when_signed_in(seeded, editor_client):
    assert f'href="{LOG}"' not in seeded.test_client().get("/sites/al-qaim").get_data(as_text=True)
    page = editor_client.get("/sites/al-qaim").get_data(as_text=True)
    assert f'href="{LOG}">Log a change here' in page
    assert 'href="/editor/sites/al-qaim/log-status">Log a status change' in page


def test_date_field_reads_edtf_back_in_plain_words(editor_client):
    resp = editor_client.get("/editor/date-reading?text=2024-12-07/2024-12-31")
    assert resp.get_json() == {
        "text": "2024-12-07/2024-12-31",
        "reading": "sometime between 7 and 31 December 2024",
        "earliest": "2024-12-07",
        "latest": "2024-12-31",
    }
    bad = editor_client.get("/editor/date-reading?text=2024-13")
    assert bad.status_code == 200 and "is not a date EDTF allows" in bad.get_json()["error"]
    page = editor_client.get(LOG).get_data(as_text=True)
    assert 'data-edtf="/editor/date-reading"' in page and 'id="date-reading"' in page


def test_a_window_logged_as_the_date_is_a_transition_not_a_chosen_day(
    seeded, editor_client, log_data
):
    resp = editor_client.post(LOG, data={**log_data, "date": "2024-12-07/2024-12-31"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    # The site page opens on the window's first day.
    assert resp.headers["Location"] == "/sites/al-qaim?date=2024-12-07"
    with seeded.app_context():
        during = {r["slug"]: r for r in queries.state_at(dt.date(2024, 12, 10))}
        after = {r["slug"]: r for r in queries.state_at(dt.date(2024, 12, 31))}
    assert during["al-qaim"]["controller"] is None
    assert during["al-qaim"]["transition"]["window"] == "2024-12-07/2024-12-31"
    assert during["al-qaim"]["transition"]["to"] == "kurdistan-region"
    assert after["al-qaim"]["controller"] == "kurdistan-region"


def test_log_form_has_the_labelled_fields(editor_client):
    page = editor_client.get(LOG).get_data(as_text=True)
    for label in (
        "New controller",
        "Date",
        "Contested",
        "Confidence",
        "Source URL",
        "Source title",
        "Source publisher",
        "Source date",
        "Note",
        "Existing sources",
    ):
        assert f">{label}</label>" in page
    assert 'value="Save"' in page


def test_logging_a_control_change_closes_the_open_period_and_opens_the_next(
    seeded, editor_client, log_data
):
    resp = editor_client.post(LOG, data=log_data)
    # Back on the site page at the logged day, not today.
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/sites/al-qaim?date=2024-12-08"
    assert controller(seeded, dt.date(2024, 12, 7)) == ("iraqi-government", "2017-11-03")
    assert controller(seeded, dt.date(2024, 12, 8)) == ("kurdistan-region", "2024-12-08")
    with seeded.app_context():
        new = db.session.scalar(
            select(ControlPeriod).where(
                ControlPeriod.end_edtf.is_(None), ControlPeriod.site.has(slug="al-qaim")
            )
        )
        assert new.confidence == "medium" and new.note == "Handover reported."
        [source] = new.sources
        assert (source.title, source.publisher, source.published_precision) == (
            "Crossing handed over",
            "Example News",
            "month",
        )
        revs = db.session.scalars(
            select(Revision).where(Revision.user_id.is_not(None)).order_by(Revision.id)
        ).all()
        assert [(r.entity, r.action) for r in revs] == [
            ("control_period", "update"),
            ("source", "create"),
            ("control_period", "create"),
        ]
        assert {r.user.username for r in revs} == {"edna"}
        assert revs[0].before["end_edtf"] is None and revs[0].after["end_edtf"] == "2024-12-08"
        assert revs[2].comment == "from the morning brief"


def test_the_api_answers_with_the_logged_change(seeded, editor_client, log_data):
    def controller_in_api(day):
        features = editor_client.get(f"/api/sites.geojson?date={day}").get_json()["features"]
        return next(
            f["properties"]["controller"] for f in features if f["properties"]["slug"] == "al-qaim"
        )

    assert controller_in_api("2025-01-01") == "iraqi-government"  # cached before the edit
    assert editor_client.post(LOG, data=log_data).status_code == 302
    assert controller_in_api("2025-01-01") == "kurdistan-region"
    assert controller_in_api("2024-12-07") == "iraqi-government"


def test_a_refused_change_is_said_in_arabic_with_the_arabic_names(
    seeded, editor_client, log_data, fingerprint
):
    before = fingerprint(seeded)
    inside = editor_client.post(LOG + "?lang=ar", data={**log_data, "date": "2015-01-01"})
    assert inside.status_code == 422
    (message,) = [e for e in errors(inside) if "داخل الفترة" in e]
    assert "(تنظيم الدولة الإسلامية (داعش))" in message and "كانون الثاني 2015" in message
    assert "لتصحيح السجلات السابقة" in message and "Islamic State" not in message
    same = {**log_data, "actor_id": actor_id(seeded, "iraqi-government")}
    (already,) = errors(editor_client.post(LOG + "?lang=ar", data=same))
    assert already.startswith("الفترة الحالية هي الحكومة العراقية الاتحادية أصلًا (منذ ")
    assert fingerprint(seeded) == before


def test_an_existing_source_can_be_picked(seeded, editor_client, log_data):
    with seeded.app_context():
        source = db.session.scalar(select(Source).where(Source.ref == "S28"))
        sid = source.id
    data = {
        **log_data,
        "source_title": "",
        "source_url": "",
        "source_publisher": "",
        "source_date": "",
        "source_ids": [sid],
    }
    assert editor_client.post(LOG, data=data).status_code == 302
    with seeded.app_context():
        new = db.session.scalar(
            select(ControlPeriod).where(
                ControlPeriod.end_edtf.is_(None), ControlPeriod.site.has(slug="al-qaim")
            )
        )
        assert [s.id for s in new.sources] == [sid]


@pytest.mark.parametrize(
    "change, field_error",
    [
        (
            {"date": "2015-01-01"},
            "1 Jan 2015 falls inside the period 1 Sep 2014 – 3 Nov 2017 "
            "(Islamic State (ISIS / ISIL))",
        ),
        ({"date": "2017-11-03"}, "not after the start of the current period 3 Nov 2017 – ongoing"),
        ({"date": "2099-01-01"}, "must not be in the future"),
        ({"date": "2015-13-45"}, "'2015-13-45' is not a date EDTF allows"),
        ({"date": ""}, "is required"),
        ({"date": "2024-12-31/2024-12-07"}, "the window ends before it starts"),
        ({"date": "December 2024"}, "is not a date EDTF allows (e.g. 2024-12-06, 2024-12"),
        (
            {"source_title": "", "source_url": "", "source_publisher": "", "source_date": ""},
            "every period needs at least one source",
        ),
        ({"source_title": ""}, "is required when adding a new source"),
        ({"source_url": "javascript:alert(1)"}, "must be an http:// or https:// address"),
        ({"source_url": 'https://x.org/"><script>'}, "must not contain spaces, quotes"),
        ({"source_url": "ftp://example.org/file"}, "must be an http:// or https:// address"),
        ({"source_title": "t" * 501}, "must be at most 500 characters long"),
        ({"source_date": "2024-14"}, "not a real calendar date"),
        ({"note": "n" * 5001}, "must be at most 5000 characters long"),
        ({"note": "tab\tok but \x0b is not"}, "must not contain control characters (found U+000B)"),
        ({"source_title": "a\x1fb"}, "must not contain control characters"),
        ({"comment": "a\x7fb"}, "must not contain control characters"),
        ({"confidence": "certain"}, "Not a valid choice"),
        ({"actor_id": "iraqi-government"}, "already Iraqi federal government"),
    ],
)
def test_refused_changes_keep_the_input_and_write_nothing(
    seeded, editor_client, log_data, fingerprint, change, field_error
):
    if change.get("actor_id") == "iraqi-government":
        change = {"actor_id": actor_id(seeded, "iraqi-government")}
    before = fingerprint(seeded)
    resp = editor_client.post(LOG, data={**log_data, **change})
    assert resp.status_code == 422
    assert any(field_error in e for e in errors(resp)), errors(resp)
    assert "Nothing was saved" in resp.get_data(as_text=True)
    if "source_publisher" not in change:  # the user's input stays in the form
        assert field_value(resp, "source_publisher") == log_data["source_publisher"]
    assert fingerprint(seeded) == before


def test_error_summary_names_the_field(editor_client, log_data):
    resp = editor_client.post(LOG, data={**log_data, "date": "2099-01-01"})
    assert re.search(
        r'<a href="#date">Date</a>: must not be in the future', resp.get_data(as_text=True)
    )


def test_a_stale_log_form_is_refused_with_409(seeded, editor_client, log_data, fingerprint):
    assert editor_client.post(LOG, data=log_data).status_code == 302
    before = fingerprint(seeded)
    again = {**log_data, "date": "2025-01-01", "actor_id": actor_id(seeded, "isis")}
    resp = editor_client.post(LOG, data=again)
    assert resp.status_code == 409
    assert "changed since you opened the form" in resp.get_data(as_text=True)
    assert fingerprint(seeded) == before
    assert field_value(resp, "date") == "2025-01-01"
    assert (
        editor_client.post(LOG, data={**again, "version": field_value(resp, "version")}).status_code
        == 302
    )


def test_logging_a_status_change(seeded, editor_client):
    url = "/editor/sites/al-qaim/log-status"
    data = {
        "status": "restricted",
        "date": "2025-09-01",
        "confidence": "low",
        "source_title": "Border notice",
        "version": open_token(editor_client, url),
    }
    resp = editor_client.post(url, data=data)
    assert resp.status_code == 302, errors(resp)
    assert resp.headers["Location"] == "/sites/al-qaim?date=2025-09-01"
    with seeded.app_context():
        periods = db.session.get(Site, site_id(seeded, "al-qaim")).status_periods
        assert (periods[-2].end.text, periods[-1].status) == ("2025-09-01", "restricted")


def test_the_log_form_says_a_status_since_as_the_record_knows_it(seeded, editor_client):
    """Semalka closed since "2013": not "since 1 Jan 2013", a day the record does not hold."""
    url = "/editor/sites/semalka/current?what=status&date=2014-06&lang=en"
    assert editor_client.get(url).json["text"] == "Currently: closed since 2013"


def test_the_log_form_says_a_status_changing_in_a_window(seeded, editor_client):
    """al-Waleed between 17 Feb and 20 Apr 2026: closed → open, not "nothing recorded"."""
    url = "/editor/sites/al-waleed/current?what=status&date=2026-03-01&lang=en"
    assert editor_client.get(url).json["text"] == (
        "Currently: changing (closed → open), sometime between 17 February and 20 April 2026"
    )


def test_log_form_for_an_unknown_site_is_404(editor_client):
    assert editor_client.get("/editor/sites/nowhere/log-control").status_code == 404


# --- full editing ---------------------------------------------------------------------


def _site_data(**change):
    data = {
        "slug": "new-post",
        "name": "New post",
        "name_ar": "مخفر",
        "aliases": "Nu Post\nNewpost",
        "country": "SY",
        "kind": "crossing_side",
        "crossing_id": "",
        "lon": "40.95",
        "lat": "34.42",
        "location_precision": "exact",
        "location_note": "",
        "radius_km": "",
        "note": "",
        "comment": "new",
        "version": "",
    }
    return {**data, **change}


def test_create_a_site_updates_search_names_and_history(seeded, editor_client):
    resp = editor_client.post("/editor/sites/new", data=_site_data())
    assert resp.status_code == 302, errors(resp)
    with seeded.app_context():
        site = queries.site_by_slug("new-post")
        assert site.aliases == ["Nu Post", "Newpost"] and "nu post" in site.search_text
        rev = db.session.scalar(
            select(Revision).where(Revision.entity == "site", Revision.entity_id == site.id)
        )
        assert rev.action == "create" and rev.user.username == "edna"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lon": "181"}, "must be between -180 and 180 degrees"),
        ({"lat": "-90.5"}, "must be between -90 and 90 degrees"),
        ({"lat": "north"}, "'north' is not a number"),
        ({"lon": "nan"}, "must be a finite number"),
        ({"lon": "36.3", "lat": "33.5"}, "km from the Syria–Iraq border (more than 50 km)"),
        ({"slug": "Al Qaim!"}, "must be lower-case letters and digits joined by single hyphens"),
        ({"slug": "al-qaim"}, "'al-qaim' is already used by another site"),
        ({"name": ""}, "is required"),
        ({"name": "n" * 201}, "must be at most 200 characters long"),
        ({"aliases": "a" * 201}, "each spelling must be at most 200 characters"),
        ({"radius_km": "-1"}, "must be more than 0 and at most 1000 km"),
        ({"radius_km": "0"}, "must be more than 0 and at most 1000 km"),
        ({"radius_km": "1e308"}, "must be more than 0 and at most 1000 km"),
        ({"radius_km": "1000.01"}, "must be more than 0 and at most 1000 km"),
    ],
)
def test_bad_sites_are_refused(seeded, editor_client, fingerprint, change, message):
    before = fingerprint(seeded)
    resp = editor_client.post("/editor/sites/new", data=_site_data(**change))
    assert resp.status_code == 422
    assert any(message in e for e in errors(resp)), errors(resp)
    assert fingerprint(seeded) == before


@pytest.mark.parametrize("country", ["JO", "TR", "FR"])
def test_the_site_form_offers_the_countries_imports_take(
    seeded, editor_client, fingerprint, country
):
    """One definition, vocabulary.COUNTRIES, for the form's choices and the import's rule."""
    from app.core import vocabulary
    from app.web.editor.forms import COUNTRIES

    assert [c.value for c in COUNTRIES] == list(vocabulary.COUNTRIES) == ["SY", "IQ"]
    before = fingerprint(seeded)
    resp = editor_client.post("/editor/sites/new", data=_site_data(country=country))
    assert resp.status_code == 422
    assert any("Not a valid choice" in e for e in errors(resp)), errors(resp)
    assert fingerprint(seeded) == before


def test_a_far_site_saves_once_confirmed(seeded, editor_client):
    data = _site_data(lon="36.3", lat="33.5", confirm_location="y")
    assert editor_client.post("/editor/sites/new", data=data).status_code == 302


def _period_data(app, period_id, **change):
    with app.app_context():
        p = db.session.get(ControlPeriod, period_id)
        data = {
            "site_id": p.site_id,
            "actor_id": p.actor_id,
            "challenger_id": "",
            "start": p.start.text if p.start else "",
            "end": p.end.text if p.end else "",
            "confidence": p.confidence,
            "note": p.note,
            "source_ids": [s.id for s in p.sources],
            "version": str(p.version),
        }
    return {**data, **change}


def _qaim_period(app, actor_slug):
    with app.app_context():
        return db.session.scalar(
            select(ControlPeriod.id)
            .where(ControlPeriod.site.has(slug="al-qaim"), ControlPeriod.actor.has(slug=actor_slug))
            .order_by(ControlPeriod.start_earliest.desc())  # the actor's latest period there
            .limit(1)
        )


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"end": "2017-12-01"},
            "overlaps the period 3 Nov 2017 – ongoing (Iraqi federal government) of this site",
        ),
        (
            {"start": "2014-06-01"},
            "overlaps the period before records – 17 Jun 2014 (Iraqi "
            "federal government) and the period 17 Jun 2014 to 20–21 Jun 2014",
        ),
        ({"end": "2014-06-01"}, "must be after Start (1 Sep 2014)"),
        ({"start": "2014-06-31"}, "is not a date EDTF allows"),
        ({"end": "2099-01-01"}, "must not be in the future"),
        ({"source_ids": []}, "every period needs at least one source"),
        ({"source_ids": ["999999"]}, "no such entry: 999999"),
        ({"challenger_id": "same"}, "must differ from Controller"),
    ],
)
def test_bad_period_edits_are_refused(seeded, editor_client, fingerprint, change, message):
    pid = _qaim_period(seeded, "isis")
    if change.get("challenger_id") == "same":
        change = {"challenger_id": actor_id(seeded, "isis")}
    before = fingerprint(seeded)
    resp = editor_client.post(
        f"/editor/control-periods/{pid}/edit", data=_period_data(seeded, pid, **change)
    )
    assert resp.status_code == 422
    assert any(message in e for e in errors(resp)), errors(resp)
    assert fingerprint(seeded) == before


def test_editing_a_period_writes_a_revision_with_before_and_after(seeded, editor_client):
    pid = _qaim_period(seeded, "isis")
    data = _period_data(seeded, pid, confidence="low", comment="AFP says 20 Jun")
    assert editor_client.post(f"/editor/control-periods/{pid}/edit", data=data).status_code == 302
    with seeded.app_context():
        rev = db.session.scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
        assert (rev.action, rev.before["confidence"], rev.after["confidence"]) == (
            "update",
            "high",
            "low",
        )
        assert rev.comment == "AFP says 20 Jun" and rev.user.username == "edna"


def test_new_period_form_preselects_the_site(seeded, editor_client):
    page = editor_client.get("/editor/control-periods/new?site=al-qaim").get_data(as_text=True)
    assert f'<option selected value="{site_id(seeded, "al-qaim")}">' in page


@pytest.mark.parametrize(
    "kind, data, model",
    [
        (
            "actors",
            {
                "slug": "new-actor",
                "name": "New actor",
                "name_ar": "",
                "short": "NA",
                "kind": "non_state",
                "colour": "#123abc",
                "parent_id": "",
            },
            Actor,
        ),
        (
            "sources",
            {
                "title": "A report",
                "url": "https://example.org/r",
                "published": "2019",
                "language": "ar",
                "accessed": "2020-01-02",
            },
            Source,
        ),
        (
            "events",
            {
                "slug": "new-event",
                "title": "Shelling",
                "date": "2019-05-04/2019-05-06",
                "confidence": "low",
                "lon": "",
                "lat": "",
            },
            Event,
        ),
    ],
)
def test_create_other_kinds(seeded, editor_client, kind, data, model):
    with seeded.app_context():
        count = len(db.session.scalars(select(model)).all())
    resp = editor_client.post(f"/editor/{kind}/new", data=data)
    assert resp.status_code == 302, errors(resp)
    with seeded.app_context():
        assert len(db.session.scalars(select(model)).all()) == count + 1


def test_a_new_source_without_a_ref_gets_one_from_its_title(seeded, editor_client):
    """Every download cites sources by ref; a typed ref is kept, and checked as before."""

    def create(ref: str, title: str):
        data = {"ref": ref, "title": title, "language": "en"}
        return editor_client.post("/editor/sources/new", data=data)

    for ref, title in (
        ("", "Crossing handed over"),
        ("", "Crossing handed over"),
        ("", "معبر البوكمال"),
        ("S-typed", "Crossing handed over"),
    ):
        assert create(ref, title).status_code == 302
    with seeded.app_context():
        made = db.session.scalars(select(Source.ref).order_by(Source.id.desc()).limit(4)).all()
    assert made[::-1] == ["crossing-handed-over", "crossing-handed-over-2", "source-1", "S-typed"]
    refused = create("S-typed", "Again")
    assert refused.status_code == 422
    assert "'S-typed' is already used by another source" in errors(refused)
    # Cleared on an edit: the source gets a ref again, its own kept if the title gives it.
    with seeded.app_context():
        row_id = db.session.scalar(select(Source.id).where(Source.ref == "crossing-handed-over"))
    edit = f"/editor/sources/{row_id}/edit"
    data = {name: "" for name in ("ref", "publisher", "url", "published", "accessed", "note")}
    data |= {"title": "Crossing handed over", "language": "en", "archived_url": ""}
    data["version"] = open_token(editor_client, edit)
    assert editor_client.post(edit, data=data).status_code == 302
    with seeded.app_context():
        assert db.session.get(Source, row_id).ref == "crossing-handed-over"


def test_create_a_status_period_in_a_gap(seeded, editor_client):
    data = {
        "site_id": site_id(seeded, "al-qaim"),
        "status": "open",
        "start": "",
        "end": "2012-08-01",
        "confidence": "low",
        "source_title": "Old timetable",
    }
    resp = editor_client.post("/editor/status-periods/new", data=data)
    assert resp.status_code == 302, errors(resp)
    with seeded.app_context():
        first = db.session.get(Site, site_id(seeded, "al-qaim")).status_periods[0]
        assert (first.start, first.end.text, first.status) == (None, "2012-08-01", "open")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"colour": "red"}, "must be a colour written #rrggbb"),
        ({"colour": "#12345g"}, "must be a colour written #rrggbb"),
        ({"short": "s" * 41}, "must be at most 40 characters long"),
        ({"short_ar": "س" * 41}, "must be at most 40 characters long"),
        ({"parent_id": "self"}, "would make the actor its own ancestor"),
    ],
)
def test_bad_actor_edits_are_refused(seeded, editor_client, fingerprint, change, message):
    aid = actor_id(seeded, "isis")
    if change.get("parent_id") == "self":
        change = {"parent_id": aid}
    data = {
        "slug": "isis",
        "name": "ISIS",
        "short": "ISIS",
        "kind": "non_state",
        "colour": "#000000",
        "parent_id": "",
        "version": "1",
        **change,
    }
    before = fingerprint(seeded)
    resp = editor_client.post(f"/editor/actors/{aid}/edit", data=data)
    assert resp.status_code == 422 and any(message in e for e in errors(resp)), errors(resp)
    assert fingerprint(seeded) == before


@pytest.mark.parametrize(
    "change, message",
    [
        ({"date": "2019-05-04", "end": "2019-05-01"}, "must not be before Date (4 May 2019)"),
        ({"lon": "40.1", "lat": ""}, "give both Longitude and Latitude, or neither"),
        ({"date": "../2019-05"}, "give a first and a last possible day"),
        ({"date": "May 2019"}, "is not a date EDTF allows"),
    ],
)
def test_bad_events_are_refused(seeded, editor_client, fingerprint, change, message):
    data = {
        "slug": "ev",
        "title": "E",
        "date": "2019-05-04",
        "confidence": "low",
        **change,
    }
    before = fingerprint(seeded)
    resp = editor_client.post("/editor/events/new", data=data)
    assert resp.status_code == 422 and any(message in e for e in errors(resp)), errors(resp)
    assert fingerprint(seeded) == before


def test_an_event_keeps_its_date_window(seeded, editor_client):
    data = {"slug": "w", "title": "Shelling", "date": "2019-05-04/2019-05-06", "confidence": "low"}
    assert editor_client.post("/editor/events/new", data=data).status_code == 302
    with seeded.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "w"))
        assert (event.date_edtf, event.date, event.date_latest, event.precision) == (
            "2019-05-04/2019-05-06",
            dt.date(2019, 5, 4),
            dt.date(2019, 5, 6),
            "window",
        )
        page = editor_client.get(f"/editor/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2019-05-04/2019-05-06"' in page


def test_lists_and_filter_by_site(seeded, editor_client):
    page = editor_client.get("/editor/control-periods/?site=al-qaim").get_data(as_text=True)
    assert "Islamic State" in page and "Albukamal" not in page
    assert editor_client.get("/editor/control-periods/?site=nowhere").status_code == 400
    for kind in ("sites", "actors", "sources", "events", "status-periods"):
        assert editor_client.get(f"/editor/{kind}/").status_code == 200


def test_unknown_row_is_404(editor_client):
    assert editor_client.get("/editor/sites/999999/edit").status_code == 404


# --- delete ---------------------------------------------------------------------------


def test_editors_cannot_delete(seeded, editor_client, fingerprint):
    pid = _qaim_period(seeded, "isis")
    before = fingerprint(seeded)
    assert editor_client.get(f"/editor/control-periods/{pid}/delete").status_code == 403
    resp = editor_client.post(f"/editor/control-periods/{pid}/delete", data={"version": "1"})
    assert resp.status_code == 403
    assert fingerprint(seeded) == before


def test_admin_deletes_with_a_revision(seeded, admin_client):
    pid = _qaim_period(seeded, "isis")
    resp = admin_client.post(
        f"/editor/control-periods/{pid}/delete", data={"version": "1", "comment": "duplicate"}
    )
    assert resp.status_code == 302
    with seeded.app_context():
        assert db.session.get(ControlPeriod, pid) is None
        rev = db.session.scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
        assert (rev.action, rev.after, rev.before["actor_id"], rev.comment) == (
            "delete",
            None,
            actor_id(seeded, "isis"),
            "duplicate",
        )
        assert rev.before["source_ids"]


def test_delete_is_refused_while_the_row_is_used(seeded, admin_client, fingerprint):
    before = fingerprint(seeded)
    aid = actor_id(seeded, "isis")
    resp = admin_client.post(f"/editor/actors/{aid}/delete", data={"version": "1"})
    assert resp.status_code == 409
    assert "control periods" in resp.get_data(as_text=True)
    assert fingerprint(seeded) == before


def test_delete_with_a_stale_version_is_refused(seeded, admin_client, fingerprint):
    pid = _qaim_period(seeded, "isis")
    before = fingerprint(seeded)
    resp = admin_client.post(
        f"/editor/control-periods/{pid}/delete", data={"version": "0", "comment": "my reason"}
    )
    assert resp.status_code == 409  # the page again, with the comment kept
    assert fingerprint(seeded) == before
    page = resp.get_data(as_text=True)
    assert "someone changed it" in page and "my reason" in page


def test_actor_form_edits_the_arabic_short_label_and_the_transliteration_mark(
    seeded, editor_client
):
    aid = actor_id(seeded, "isis")
    page = editor_client.get(f"/editor/actors/{aid}/edit?lang=ar").get_data(as_text=True)
    assert "التسمية المختصرة بالعربية" in page and "الاسم العربي منقول حرفيًا" in page
    with seeded.app_context():
        version = db.session.get(Actor, aid).version
    data = {
        "slug": "isis",
        "name": "ISIS",
        "name_ar": "داعش",
        "name_ar_transliterated": "y",
        "short": "ISIS",
        "short_ar": "الدولة",
        "kind": "non_state",
        "colour": "#000000",
        "parent_id": "",
        "note": "",
        "version": str(version),
    }
    resp = editor_client.post(f"/editor/actors/{aid}/edit?lang=en", data=data)
    assert resp.status_code == 302, errors(resp)
    with seeded.app_context():
        actor = db.session.get(Actor, aid)
        assert (actor.short_ar, actor.name_ar_transliterated) == ("الدولة", True)
        rev = db.session.scalars(select(Revision).order_by(Revision.id.desc())).first()
        assert rev.after["short_ar"] == "الدولة" and rev.after["name_ar_transliterated"] is True
    history = editor_client.get(f"/history/{rev.id}").get_data(as_text=True)
    assert "Arabic short label" in history and "Arabic name is a transliteration" in history


def test_source_dates_in_the_editor_follow_the_interface_language(seeded, editor_client):
    with seeded.app_context():
        source = db.session.scalars(select(Source).where(Source.ref == "S83")).one()
        assert (source.published_precision, source.published.year) == ("month", 2025)
    listing = editor_client.get("/editor/sources/?lang=ar").get_data(as_text=True)
    form = editor_client.get("/editor/sites/al-qaim/log-control").get_data(as_text=True)
    assert "حزيران 2025" in listing and "Jun 2025" not in listing
    assert "[S83] " in form and "The Oasis Report, حزيران 2025" in form
    english = editor_client.get("/editor/sources/?lang=en").get_data(as_text=True)
    assert "Jun 2025" in english


def test_the_editor_index_names_each_site_in_both_scripts(editor_client):
    page = editor_client.get("/editor/").get_data(as_text=True)
    assert (
        'al-Qa&#39;im</a> <span lang="ar" dir="rtl" class="ar">معبر القائم الحدودي</span>' in page
    )


def test_period_lists_and_refusals_write_dates_in_the_interface_language(seeded, editor_client):
    listing = editor_client.get("/editor/control-periods/?lang=ar").get_data(as_text=True)
    assert "قبل بدء السجلات" in listing and "مستمرة" in listing and "حزيران 2014" in listing
    assert not re.search(r"\b(Jan|Jun|Nov) 20\d\d\b", listing)
    pid = _qaim_period(seeded, "isis")
    resp = editor_client.post(
        f"/editor/control-periods/{pid}/edit?lang=ar",
        data=_period_data(seeded, pid, end="2017-12-01"),
    )
    assert resp.status_code == 422
    assert any("3 تشرين الثاني 2017 – مستمرة" in e for e in errors(resp)), errors(resp)


def test_date_readings_and_refusals_speak_the_interface_language(seeded, editor_client):
    read = editor_client.get("/editor/date-reading?lang=ar&text=2024-12-07/2024-12-31").json
    assert read["reading"] == "في وقت ما بين 7 و31 كانون الأول 2024"
    bad = editor_client.get("/editor/date-reading?lang=ar&text=2024-13").json
    assert bad["error"].startswith("'2024-13' ليس تاريخًا يقبله معيار EDTF")
    pid = _qaim_period(seeded, "isis")
    resp = editor_client.post(
        f"/editor/control-periods/{pid}/edit?lang=ar",
        data=_period_data(seeded, pid, end="2024-12-31/2024-12-07"),
    )
    assert resp.status_code == 422
    assert any("'2024-12-31/2024-12-07': تنتهي النافذة قبل أن تبدأ" in e for e in errors(resp))


@pytest.mark.parametrize("text", ["0000", "-0001", "0000-01", "../0000", "0201"])
def test_a_year_no_record_can_hold_is_refused_beside_the_field(editor_client, text):
    """Year 0 was a 500 from the live reading; 0201 (for 2011) was saved without a word."""
    resp = editor_client.get("/editor/date-reading", query_string={"text": text, "lang": "ar"})
    assert resp.status_code == 200 and resp.json["error"].startswith(f"'{text}'")
    assert not any(c in resp.json["error"] for c in "abcdefghijklmnopqrstuvwxyz")  # Arabic


def test_actor_and_site_pickers_name_them_in_the_interface_language(editor_client):
    arabic = editor_client.get("/editor/control-periods/new?lang=ar").get_data(as_text=True)
    assert ">الحكومة العراقية الاتحادية</option>" in arabic
    assert ">معبر القائم الحدودي — al-Qa&#39;im (IQ)</option>" in arabic
    english = editor_client.get("/editor/control-periods/new?lang=en").get_data(as_text=True)
    assert (
        ">Iraqi federal government</option>" in english and ">al-Qa&#39;im (IQ)</option>" in english
    )
    listing = editor_client.get("/editor/control-periods/?lang=ar").get_data(as_text=True)
    assert 'dir="auto">الحكومة العراقية الاتحادية</td>' in listing


# --- dates typed in Arabic digits, refusals in Arabic, the field an overlap is about ----


def field_error(resp, name: str) -> str:
    """The error shown under one field ("" when there is none)."""
    found = re.search(
        rf'<small class="error" id="{name}-error">(.*?)</small>', resp.get_data(as_text=True), re.S
    )
    return html.unescape(found[1]) if found else ""


def test_every_form_of_a_date_takes_arabic_indic_digits(seeded, editor_client):
    """A day and a window in ٠–٩ or ۰–۹ save as 0–9, like a year and a month do."""
    with seeded.app_context():
        pid = db.session.scalar(
            select(ControlPeriod.id).where(
                ControlPeriod.site.has(slug="al-qaim"), ControlPeriod.end_edtf == "2014-09-01"
            )
        )
    data = _period_data(seeded, pid, start="٢٠١٤-٠٦-٢٠/٢٠١٤-٠٦-٢١", end="۲۰۱۴-۰۹-۰۱")
    resp = editor_client.post(f"/editor/control-periods/{pid}/edit?lang=ar", data=data)
    assert resp.status_code == 302, errors(resp)
    with seeded.app_context():
        row = db.session.get(ControlPeriod, pid)
        assert (row.start.text, row.end.text) == ("2014-06-20/2014-06-21", "2014-09-01")
    read = editor_client.get("/editor/date-reading?lang=en&text=٢٠٢٥-٠٣-١٥").json
    assert (read["text"], read["reading"]) == ("2025-03-15", "15 March 2025")
    window = editor_client.get("/editor/date-reading?text=٢٠١٨-٠٢-١٧/٢٠١٨-٠٤-٢٠").json
    assert window["text"] == "2018-02-17/2018-04-20" and "error" not in window


@pytest.mark.parametrize(
    ("typed", "arabic"),
    [
        ("2020-02-30", "'2020-02-30' ليس تاريخًا موجودًا في التقويم"),
        ("March 2020", "'March 2020' ليس تاريخًا بالصيغة YYYY أو YYYY-MM أو YYYY-MM-DD"),
    ],
)
def test_a_bad_source_date_is_refused_in_arabic(seeded, editor_client, typed, arabic):
    pid = _qaim_period(seeded, "isis")
    data = _period_data(seeded, pid, source_title="A report", source_date=typed)
    resp = editor_client.post(f"/editor/control-periods/{pid}/edit?lang=ar", data=data)
    assert resp.status_code == 422
    assert field_error(resp, "source_date") == arabic


def test_an_overlap_names_the_other_holder_in_arabic(seeded, editor_client):
    pid = _qaim_period(seeded, "isis")
    data = _period_data(seeded, pid, end="2017-12-01")
    resp = editor_client.post(f"/editor/control-periods/{pid}/edit?lang=ar", data=data)
    message = field_error(resp, "end")
    assert "(الحكومة العراقية الاتحادية)" in message and "Iraqi" not in message


def _lone_period(app, client) -> int:
    """A new site whose only control period is Feb 2023 – Mar 2024; its id."""
    with app.app_context():
        site = Site(
            slug="test-post", name="Test post", country="SY", kind="town", lon=41.0, lat=34.4
        )
        db.session.add(site)
        db.session.commit()
        site_id, actor, source = (
            site.id,
            db.session.scalar(select(Actor.id)),
            db.session.scalar(select(Source.id)),
        )
    data = {
        "site_id": site_id,
        "actor_id": actor,
        "start": "2023-02",
        "end": "2024-03",
        "confidence": "high",
        "source_ids": [source],
    }
    assert client.post("/editor/control-periods/new", data=data).status_code == 302
    return site_id


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2022-06", "2023-06", "end"),  # only the end reaches into it
        ("2023-06", "2025-01", "start"),  # the start falls inside it
        ("2022-01", "2025-01", "end"),  # it would swallow it: the end reaches past its start
        ("2023-06", "2023-09", "start"),  # inside it
    ],
)
def test_an_overlap_is_told_beside_the_bound_that_causes_it(
    seeded, editor_client, start, end, field
):
    site_id = _lone_period(seeded, editor_client)
    with seeded.app_context():
        actor, source = db.session.scalar(select(Actor.id)), db.session.scalar(select(Source.id))
    data = {
        "site_id": site_id,
        "actor_id": actor,
        "start": start,
        "end": end,
        "confidence": "high",
        "source_ids": [source],
    }
    resp = editor_client.post("/editor/control-periods/new", data=data)
    assert resp.status_code == 422
    other = "start" if field == "end" else "end"
    assert "overlaps the period Feb 2023 – Mar 2024" in field_error(resp, field)
    assert field_error(resp, other) == ""


def test_editing_only_the_end_is_told_beside_the_end(seeded, editor_client):
    pid = _qaim_period(seeded, "isis")
    resp = editor_client.post(
        f"/editor/control-periods/{pid}/edit", data=_period_data(seeded, pid, end="2017-12-01")
    )
    assert "overlaps the period 3 Nov 2017 – ongoing" in field_error(resp, "end")
    assert field_error(resp, "start") == ""


class _FormReader(HTMLParser):
    """The fields of a page's editor form as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "radio"):
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "input" and name and "checked" in a:
            self.data.setdefault(name, []).append(a.get("value") or "y")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _edit_form(client, url) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(client.get(url).get_data(as_text=True))
    return {k: v for k, v in reader.data.items() if v}


_OPTIONAL_TEXT = {
    "sites": ("name_ar", "location_note", "note", "aliases", "comment"),
    "actors": ("name_ar", "short_ar", "note", "comment"),
    "sources": ("ref", "publisher", "url", "archived_url", "language", "note", "comment"),
    "events": ("description", "note", "comment"),
    "control-periods": ("note", "comment", "source_title", "source_url", "source_publisher"),
    "status-periods": ("note", "comment", "source_title", "source_url", "source_publisher"),
}


@pytest.mark.parametrize("kind", sorted(_OPTIONAL_TEXT))
def test_an_edit_without_its_optional_text_fields_saves_them_empty(seeded, editor_client, kind):
    """A form sent without an optional text field (a script, an old page) saves it empty,
    as a new record does: never a misleading 409 from the NOT NULL column."""
    from app.web.editor.entities import KINDS

    model = KINDS[kind].model
    with seeded.app_context():
        record_id = db.session.scalars(select(model.id).order_by(model.id)).first()
    url = f"/editor/{kind}/{record_id}/edit"
    data = _edit_form(editor_client, url)
    absent = [name for name in _OPTIONAL_TEXT[kind] if name in data]
    assert "version" in data and absent
    for name in absent:
        del data[name]
    resp = editor_client.post(url, data=data)
    assert resp.status_code == 302, (resp.status_code, errors(resp))
    with seeded.app_context():
        row = db.session.get(model, record_id)
        for name in absent:  # a source's ref and language are filled in when left empty
            if hasattr(row, name) and name not in ("ref", "language"):
                assert getattr(row, name) in ("", []), name


@pytest.mark.parametrize("field", ["name", "name_ar", "aliases", "location_note", "note"])
@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_direction_controls_in_a_site_are_refused_naming_the_rule(
    seeded, editor_client, fingerprint, field, control
):
    """A site named "\\u202eRTL" would turn its map label around: refused beside the field,
    in English and in Arabic; LRM/RLM stay allowed."""
    before = fingerprint(seeded)
    data = _site_data(**{field: f"{control}RTL"})
    resp = editor_client.post("/editor/sites/new", data=data)
    assert resp.status_code == 422
    code = f"U+{ord(control):04X}"
    assert any("direction controls" in e and code in e for e in errors(resp)), errors(resp)
    arabic = errors(editor_client.post("/editor/sites/new?lang=ar", data=data))
    assert any("اتجاه" in e and code in e for e in arabic), arabic
    assert fingerprint(seeded) == before


def test_lrm_and_rlm_in_a_site_name_are_kept(seeded, editor_client):
    data = _site_data(name="New\u200e post", name_ar="\u200fمخفر")
    assert editor_client.post("/editor/sites/new", data=data).status_code == 302
