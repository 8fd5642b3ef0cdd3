"""The editor's way through: date and site carried from the map and site pages, the quick
form's "Currently" line, required marks, an empty controller choice, recent sources."""

import re

import pytest
from sqlalchemy import select

from app.db.models import Actor, Source
from app.extensions import db

LOG = "/editor/sites/al-qaim/log-control"


def _actor(app, slug):
    with app.app_context():
        return db.session.scalar(select(Actor.id).where(Actor.slug == slug))


def _token(client, url=LOG):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)


def test_the_log_form_prefills_date_from_the_query(editor_client):
    page = editor_client.get(f"{LOG}?date=2025-01-05").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="date"[^>]*value="2025-01-05"', page)
    assert editor_client.get(f"{LOG}?date=2025-13-01").status_code == 400


def test_log_change_by_site_and_date_opens_that_sites_form(editor_client):
    resp = editor_client.get("/editor/log-change?site=al-qaim&date=2015-06-01")
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"{LOG}?date=2015-06-01"
    assert editor_client.get("/editor/log-change?site=al-qaim").headers["Location"] == LOG
    assert editor_client.get("/editor/log-change").headers["Location"] == "/editor/"
    assert editor_client.get("/editor/log-change?site=nowhere").status_code == 400
    assert editor_client.get("/editor/log-change?site=al-qaim&date=x").status_code == 400


def test_log_change_needs_sign_in_and_comes_back_after_it(seeded):
    resp = seeded.test_client().get("/editor/log-change?site=al-qaim&date=2015-06-01")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=")
    assert "log-change" in resp.headers["Location"]


def test_controller_starts_empty_and_is_required(seeded, editor_client):
    page = editor_client.get(LOG).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="actor_id".*?</select>', page, re.S).group(0)
    assert re.search(r"<select[^>]*required", select_html)
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select_html)
    assert first.group(2) == "— choose —" and 'value=""' in first.group(1)
    assert select_html.count("selected") == first.group(1).count("selected")  # only "choose"
    resp = editor_client.post(
        LOG,
        data={
            "actor_id": "",
            "date": "2025-01-05",
            "confidence": "high",
            "source_title": "A report",
            "version": _token(editor_client),
        },
    )
    assert resp.status_code == 422
    assert "is required" in resp.get_data(as_text=True)


def test_required_fields_are_marked_in_words_and_in_markup(editor_client):
    page = editor_client.get(LOG).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="date"[^>]*required', page)
    assert page.count('<span class="req">required</span>') >= 2
    assert '<span class="req">required for a new source</span>' in page
    assert "Required when adding a new source." in page


def test_currently_line_says_who_holds_the_site_on_the_date(editor_client):
    page = editor_client.get(f"{LOG}?date=2015-06-01").get_data(as_text=True)
    line = re.search(r'<p class="current" id="currently"[^>]*>([^<]*)</p>', page).group(1)
    assert line.startswith("Currently: Islamic State") and "since" in line
    assert 'data-url="/editor/sites/al-qaim/current?what=control"' in page
    body = editor_client.get("/editor/sites/al-qaim/current?date=2015-06-01").get_json()
    assert body["date"] == "2015-06-01" and body["text"] == line
    status = editor_client.get("/editor/sites/al-qaim/current?what=status&date=2015-06")
    assert status.get_json()["text"].startswith("Currently:")
    bad = editor_client.get("/editor/sites/al-qaim/current?date=not-a-date").get_json()
    assert bad["text"].startswith("Currently:")  # a bad date reads as today, never a 500
    assert editor_client.get("/editor/sites/nowhere/current").status_code == 404
    arabic = editor_client.get("/editor/sites/al-qaim/current?date=2015-06-01&lang=ar")
    assert arabic.get_json()["text"].startswith("الآن: ") and "داعش" in arabic.get_json()["text"]


def test_current_needs_sign_in(seeded):
    resp = seeded.test_client().get("/editor/sites/al-qaim/current")
    assert resp.status_code == 302


def test_sources_this_editor_cited_come_first(seeded, editor_client):
    with seeded.app_context():
        cited = db.session.scalars(select(Source).order_by(Source.id.desc())).first()
        cited_id = cited.id
    resp = editor_client.post(
        LOG,
        data={
            "actor_id": _actor(seeded, "kurdistan-region"),
            "date": "2024-12-08",
            "confidence": "medium",
            "source_ids": [cited_id],
            "version": _token(editor_client),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = editor_client.get("/editor/sites/al-tanf/log-status").get_data(as_text=True)
    assert re.search(r'data-recent="([\d ]*)"', page).group(1).split()[0] == str(cited_id)
    select_html = re.search(r'<select[^>]*id="source_ids".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="(\d+)"', select_html).group(1) == str(cited_id)


def test_a_new_source_added_inline_is_created_with_the_change(seeded, editor_client):
    with seeded.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Source))
    resp = editor_client.post(
        LOG,
        data={
            "actor_id": _actor(seeded, "kurdistan-region"),
            "date": "2024-12-08",
            "confidence": "medium",
            "source_title": "Handover at the crossing",
            "source_url": "https://example.org/handover",
            "source_publisher": "Example Wire",
            "version": _token(editor_client),
        },
    )
    assert resp.status_code == 302
    with seeded.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(Source))
        new = db.session.scalar(select(Source).where(Source.title == "Handover at the crossing"))
    assert after == before + 1 and new.publisher == "Example Wire"


@pytest.mark.parametrize("signed_in", [False, True])
def test_site_page_keeps_the_date_in_its_links(seeded, editor_client, signed_in):
    client = editor_client if signed_in else seeded.test_client()
    page = client.get("/sites/al-qaim?date=2015-06-01").get_data(as_text=True)
    assert 'href="/?date=2015-06-01&amp;site=al-qaim">Show on the map on 1 June 2015' in page
    assert (f'href="{LOG}?date=2015-06-01">Log a change here' in page) is signed_in
    plain = client.get("/sites/al-qaim").get_data(as_text=True)
    assert 'href="/?site=al-qaim">Show on the map</a>' in plain
    assert client.get("/sites/al-qaim?date=2015-02-30").status_code == 400
