"""Confirming that a site's record still holds: the form, its refusals, its revision, and the
new "last verified" day on the map, the site page and the API."""

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from app.core import clock, map_encoding
from app.db import freshness
from app.db.models import Revision, Site, Source, Verification
from app.extensions import db

URL = "/editor/sites/al-qaim/verify"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _source_id(app) -> int:
    """An existing source (ids differ between databases)."""
    with app.app_context():
        return db.session.scalar(select(Source.id).order_by(Source.id).limit(1))


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Verification))


def _day_in_past(days: int) -> str:
    return (clock.today() - dt.timedelta(days=days)).isoformat()


def test_the_form_prefills_the_date_and_says_what_holds(seeded, editor_client):
    page = editor_client.get(f"{URL}?date=2015-06-01").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="date"[^>]*value="2015-06-01"', page)
    assert re.search(r"id=\"currently\"[^>]*>Currently: Islamic State [^<]* since", page)
    assert 'id="source_ids"' in page and re.search(r"source-picker(\.min)?\.js", page)
    today = editor_client.get(URL).get_data(as_text=True)
    assert re.search(rf'<input[^>]*id="date"[^>]*value="{clock.today().isoformat()}"', today)
    # A date after today is capped at today.
    future = editor_client.get(f"{URL}?date=2999-01-01").get_data(as_text=True)
    assert re.search(rf'<input[^>]*id="date"[^>]*value="{clock.today().isoformat()}"', future)
    assert editor_client.get("/editor/sites/nowhere/verify").status_code == 404


def test_the_popup_link_opens_the_sites_form_with_its_date(editor_client):
    resp = editor_client.get("/editor/verify?site=al-qaim&date=2015-06-01")
    assert resp.status_code == 302 and resp.headers["Location"] == f"{URL}?date=2015-06-01"
    assert editor_client.get("/editor/verify?site=nowhere").status_code == 400


def test_confirming_records_a_revision_and_moves_last_verified(seeded, editor_client):
    day = _day_in_past(3)
    source = _source_id(seeded)
    resp = editor_client.post(
        URL,
        data={"date": day, "source_ids": [str(source)], "note": "Seen open", "comment": "checked"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    # Back on the site page at the confirmed day.
    assert resp.headers["Location"] == f"/sites/al-qaim?date={day}"
    with seeded.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "al-qaim"))
        check = db.session.scalar(select(Verification).where(Verification.site_id == site.id))
        assert (check.day.isoformat(), check.source_id, check.note) == (day, source, "Seen open")
        rev = db.session.scalar(
            select(Revision).where(
                Revision.entity == "verification", Revision.entity_id == check.id
            )
        )
        assert rev.action == "create" and rev.comment == "checked" and rev.site_id == site.id
        assert rev.user.username == "edna" and rev.after["day"] == day
        assert freshness.last_verified(site.id).isoformat() == day
    # The API, the map's data block and the site page all carry the new day.
    doc = editor_client.get("/api/sites.geojson").get_json()
    props = next(f["properties"] for f in doc["features"] if f["id"] == "al-qaim")
    assert props["last_verified"] == day
    page = editor_client.get("/").get_data(as_text=True)
    block = map_encoding.unpacked(
        json.loads(re.search(r'id="atlas-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    )
    i = [s[0] for s in block["sites"]].index("al-qaim")
    assert block["verified"][i] == (dt.date.fromisoformat(day) - dt.date(2011, 1, 1)).days
    assert block["stale_after"] == seeded.config["STALE_AFTER_DAYS"]
    site_page = editor_client.get("/sites/al-qaim").get_data(as_text=True)
    assert "Last verified:" in site_page and "3 days ago" in site_page


def test_a_new_source_is_created_with_the_confirmation(seeded, editor_client):
    resp = editor_client.post(
        URL,
        data={
            "date": _day_in_past(1),
            "source_title": "Crossing reopened, photo",
            "source_url": "https://example.org/photo",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with seeded.app_context():
        check = db.session.scalar(select(Verification))
        assert check.source.title == "Crossing reopened, photo"
        entities = db.session.scalars(
            select(Revision.entity).where(Revision.action == "create").order_by(Revision.id)
        ).all()
        assert entities[-2:] == ["source", "verification"]


def test_a_date_typed_in_arabic_indic_digits_is_read_as_that_day(seeded, editor_client):
    day = _day_in_past(2)
    arabic = day.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    resp = editor_client.post(
        URL, data={"date": arabic, "source_ids": str(_source_id(seeded)), "note": ""}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.scalar(select(Verification)).day.isoformat() == day


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "2999-01-01"}, "date", "must not be in the future"),
        ({"date": "2005-01-01"}, "date", "must not be before the record begins"),
        ({"date": "2020-02-30"}, "date", ""),
        ({"date": ""}, "date", "is required"),
        ({"date": "2020-01-01", "source_ids": []}, "source_ids", "pick the source"),
        ({"date": "2020-01-01", "source_ids": "two"}, "source_ids", "pick one source"),
        ({"date": "2020-01-01", "source_url": "https://x.example"}, "source_title", "is required"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_kept(seeded, editor_client, data, field, message):
    form = {"source_ids": [str(_source_id(seeded))], "note": "kept note", **data}
    if form["source_ids"] == "two":
        with seeded.app_context():
            ids = db.session.scalars(select(Source.id).order_by(Source.id).limit(2)).all()
        form["source_ids"] = [str(i) for i in ids]
    resp = editor_client.post(URL, data=form)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert "kept note" in html
    assert _count(seeded) == 0


def test_a_contributor_may_not_confirm(seeded, sign_in):
    client = sign_in(seeded, "cora", "contributor")
    assert client.get(URL).status_code == 403
    resp = client.post(URL, data={"date": "2020-01-01", "source_ids": [str(_source_id(seeded))]})
    assert resp.status_code == 403 and _count(seeded) == 0
    # Nor is the link offered to them.
    assert f'href="{URL}' not in client.get("/sites/al-qaim").get_data(as_text=True)
    assert "data-verify" not in client.get("/").get_data(as_text=True)


def test_anonymous_readers_are_sent_to_sign_in(seeded):
    resp = seeded.test_client().get(URL)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=")


def test_the_site_page_and_map_link_to_the_form(seeded, editor_client):
    page = editor_client.get("/sites/al-qaim?date=2015-06-01").get_data(as_text=True)
    assert f'href="{URL}?date=2015-06-01"' in page
    assert 'data-verify="/editor/verify"' in editor_client.get("/").get_data(as_text=True)
    assert "data-verify" not in seeded.test_client().get("/").get_data(as_text=True)


def test_the_form_needs_a_csrf_token(app_variant, seeded, make_user, password):
    app = app_variant(WTF_CSRF_ENABLED=True)
    make_user(app, "carl")
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    login = {"username": "carl", "password": password, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    data = {"date": "2020-01-01", "source_ids": [str(_source_id(app))]}
    assert client.post(URL, data=data).status_code == 400
    assert _count(app) == 0
    data["csrf_token"] = TOKEN.search(client.get(URL).get_data(as_text=True)).group(1)
    assert client.post(URL, data=data).status_code == 302
    assert _count(app) == 1


def test_a_verified_site_cannot_be_deleted_nor_its_source(seeded, editor_client, admin_client):
    source = _source_id(seeded)
    editor_client.post(URL, data={"date": "2020-01-01", "source_ids": [str(source)]})
    with seeded.app_context():
        site_id = db.session.scalar(select(Site.id).where(Site.slug == "al-qaim"))
    page = admin_client.get(f"/editor/sites/{site_id}/delete").get_data(as_text=True)
    assert "1 verification" in page and "1 verifications" not in page
    page = admin_client.get(f"/editor/sources/{source}/delete").get_data(as_text=True)
    assert "1 verification" in page and "1 verifications" not in page


def test_the_history_shows_a_confirmation_and_an_admin_can_revert_it(seeded, admin_client):
    source = _source_id(seeded)
    data = {"date": "2026-01-02", "source_ids": [str(source)], "comment": "seen"}
    assert admin_client.post(URL, data=data).status_code == 302
    with seeded.app_context():
        rev = db.session.scalar(select(Revision.id).where(Revision.entity == "verification"))
        site_id = db.session.scalar(select(Site.id).where(Site.slug == "al-qaim"))
        assert freshness.last_verified(site_id) == dt.date(2026, 1, 2)
    assert admin_client.get(f"/history/{rev}").status_code == 200
    assert admin_client.get("/sites/al-qaim/history").status_code == 200
    assert admin_client.post(f"/history/{rev}/revert", data={"comment": "undo"}).status_code == 302
    assert _count(seeded) == 0
    with seeded.app_context():
        assert freshness.last_verified(site_id) < dt.date(2026, 1, 2)
