"""Atom feeds of control and status changes on the seed data."""

import datetime as dt
import re
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.db import known
from app.db.models import ControlPeriod, Revision, StatusPeriod
from app.extensions import db
from tests.web.headers import vary_names

NS = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


def _feed(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.mimetype == "application/atom+xml"
    return resp, ET.fromstring(resp.data)


def _count(model, **where):
    stmt = select(func.count()).select_from(model).where(model.start_edtf.is_not(None))
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    return db.session.scalar(stmt)


def _changes(model, value):
    """Periods with a start that do not go on with a hold of the same value (a period of
    the same site and value ending on the very bound they start on)."""
    periods = db.session.scalars(select(model)).all()
    ends = {(p.site_id, getattr(p, value), p.end_edtf) for p in periods if p.end_edtf}
    return sum(
        1
        for p in periods
        if p.start_edtf and (p.site_id, getattr(p, value), p.start_edtf) not in ends
    )


def test_one_entry_per_change_newest_first(seeded):
    client = seeded.test_client()
    _, root = _feed(client, "/feeds/changes.atom")
    entries = root.findall("a:entry", NS)
    with seeded.app_context():
        assert len(entries) == _changes(ControlPeriod, "actor_id") + _changes(
            StatusPeriod, "status"
        )
        assert len(entries) < _count(ControlPeriod) + _count(StatusPeriod)
    found = [e.find("a:published", NS) for e in entries]
    published = [p.text for p in found if p is not None]
    assert published == sorted(published, reverse=True)
    # Only a change known to the day has a publication day: "Jun 2014" is no 1 June.
    for entry, when in zip(entries, found, strict=True):
        title = entry.find("a:title", NS).text
        to_the_day = re.match(r"\d{1,2} \w+ \d{4}:", title) is not None
        assert (when is not None) == to_the_day, title
    assert 0 < len(published) < len(entries)
    ids = [e.find("a:id", NS).text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:") for i in ids)
    for e in entries:
        assert RFC3339.match(e.find("a:updated", NS).text)


def test_control_change_names_actor_site_and_sources(seeded_client):
    _, root = _feed(seeded_client, "/feeds/sites/al-tanf.atom")
    titles = {e.find("a:title", NS).text: e for e in root.findall("a:entry", NS)}
    entry = titles["21 May 2015: Islamic State (ISIS / ISIL) took control of al-Tanf"]
    assert (
        entry.find("a:link[@rel='alternate']", NS).get("href") == "http://localhost/sites/al-tanf"
    )
    assert entry.findall("a:link[@rel='related']", NS)
    assert "Confidence: " in entry.find("a:content", NS).text


def test_status_changes_are_entries_too(seeded_client):
    _, root = _feed(seeded_client, "/feeds/sites/al-yarubiyah.atom")
    titles = [e.find("a:title", NS).text for e in root.findall("a:entry", NS)]
    assert "3 Mar 2013: al-Yarubiyah closed" in titles


def test_a_hold_split_by_the_record_is_one_change(seeded_client):
    # al-Qa'im: ISIS's hold is split where the contest of summer 2014 ends (1 Sep 2014);
    # ISIS took it once, on 20 or 21 June. Semalka's "open" is split in June 2016.
    _, root = _feed(seeded_client, "/feeds/sites/al-qaim.atom")
    titles = [e.find("a:title", NS).text for e in root.findall("a:entry", NS)]
    assert [t for t in titles if "Islamic State" in t] == [
        "20–21 Jun 2014: Islamic State (ISIS / ISIL) took control of al-Qa'im (contested)"
    ]
    _, root = _feed(seeded_client, "/feeds/sites/semalka.atom")
    titles = [e.find("a:title", NS).text for e in root.findall("a:entry", NS)]
    assert not [t for t in titles if t.startswith("Jun 2016")], titles


def test_site_feed_only_covers_that_site(seeded_client):
    _, root = _feed(seeded_client, "/feeds/sites/al-qaim.atom")
    assert root.find("a:id", NS).text.endswith(":sites/al-qaim")
    for e in root.findall("a:entry", NS):
        assert e.find("a:link[@rel='alternate']", NS).get("href").endswith("/sites/al-qaim")


def test_feed_is_conditional(seeded_client):
    resp, _ = _feed(seeded_client, "/feeds/changes.atom")
    again = seeded_client.get(
        "/feeds/changes.atom", headers={"If-None-Match": resp.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "url, status", [("/feeds/sites/nowhere.atom", 404), ("/feeds/changes.atom?x=1", 400)]
)
def test_bad_requests_get_json_errors(seeded_client, url, status):
    resp = seeded_client.get(url)
    assert resp.status_code == status and resp.is_json


class _Tags(HTMLParser):
    """Element names and link targets of an HTML fragment."""

    def __init__(self):
        super().__init__()
        self.tags, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]


FEEDS = ["/feeds/changes.atom", "/feeds/sites/al-tanf.atom"]


@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize(
    "accept", ["application/json", "text/html", "text/plain, application/atom+xml;q=0"]
)
def test_an_accept_that_allows_no_feed_type_is_406_naming_them(seeded_client, url, accept):
    """As the downloads: a client that can read none of a feed's types gets none of them."""
    resp = seeded_client.get(url, headers={"Accept": accept})
    assert (resp.status_code, resp.mimetype) == (406, "application/json")
    description = resp.get_json()["description"]
    for media in ("application/atom+xml", "application/xml", "text/xml"):
        assert media in description
    assert "Accept" in vary_names(resp)


@pytest.mark.parametrize("url", FEEDS)
@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "application/rss+xml, application/atom+xml;q=0.9",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # a browser
        "text/html, */*;q=0.1",
    ],
)
def test_feed_readers_and_browsers_get_the_feed_which_says_it_follows_accept(
    seeded_client, url, accept
):
    resp = seeded_client.get(url, headers={} if accept is None else {"Accept": accept})
    assert (resp.status_code, resp.mimetype) == (200, "application/atom+xml")
    named = {"Accept-Encoding", "Accept", "Accept-Language", "Cookie"}
    assert vary_names(resp) == named
    again = seeded_client.get(url, headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and vary_names(again) == named


def test_stored_hostile_text_stays_text_and_links_stay_web_links(planted):
    """Control characters are dropped (the feed stays XML) and only http(s) is linked."""
    _, root = _feed(planted.test_client(), "/feeds/sites/al-qaim.atom")
    entry = next(
        e
        for e in root.findall("a:entry", NS)
        if "Iraqi federal government" in e.find("a:title", NS).text
    )
    content = entry.find("a:content", NS).text
    assert "<script>" not in content and "&lt;script&gt;" in content
    parsed = _Tags()
    parsed.feed(content)
    assert set(parsed.tags) <= {"p", "ul", "li", "a"}
    links = parsed.hrefs + [link.get("href") for link in entry.findall("a:link", NS)]
    assert links and all(h.startswith(("http://", "https://")) for h in links)


def test_entry_ids_are_record_keys_not_row_ids(seeded_client):
    _, root = _feed(seeded_client, "/feeds/sites/al-tanf.atom")
    ids = {e.find("a:id", NS).text for e in root.findall("a:entry", NS)}
    assert "tag:border-control-atlas.invalid,2026:al-tanf.control.2015-05-21" in ids
    assert all(re.fullmatch(r"tag:[^:]+:al-tanf\.(control|status)\.[0-9.-]+", i) for i in ids)


def test_the_arabic_feed_words_its_entries_in_arabic(seeded_client):
    """Names, dates and words in the reader's language; notes and titles of sources as
    written (marked to take their own direction)."""
    _, root = _feed(seeded_client, "/feeds/sites/al-tanf.atom?lang=ar")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    titles = {e.find("a:title", NS).text: e for e in root.findall("a:entry", NS)}
    entry = titles["21 أيار 2015: انتقلت السيطرة على التنف إلى تنظيم الدولة الإسلامية (داعش)"]
    content = entry.find("a:content", NS).text
    assert content.startswith("<p>21 أيار 2015 – ") and "درجة الثقة: " in content
    facts, note = content.split("</p>")[:2]
    assert (
        not re.search(r"[A-Za-z]", facts.removeprefix("<p>"))
        and "Rudaw, 5 آذار 2016</a>" in content
    )
    assert note.startswith('<p dir="auto">ISIS took the crossing on 21 May 2015')  # as written
    assert root.find("a:author/a:name", NS).text == "أطلس السيطرة على المنافذ الحدودية"


def test_arabic_pages_link_the_arabic_feeds(seeded_client):
    """A feed reader sends no cookie: the links of an Arabic page name the language."""
    page = seeded_client.get("/?lang=ar").get_data(as_text=True)
    assert 'href="/feeds/changes.atom?lang=ar" type="application/atom+xml"' in page
    site = seeded_client.get("/sites/al-tanf?lang=ar").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/feeds/sites/al-tanf.atom?lang=ar"'
        in site
    )
    assert (
        'href="/feeds/sites/al-tanf.atom?lang=ar" type="application/atom+xml">تابع تغييراته' in site
    )
    english = seeded_client.get("/sites/al-tanf?lang=en").get_data(as_text=True)
    assert (
        'href="/feeds/sites/al-tanf.atom" type="application/atom+xml">Follow its changes' in english
    )
    english = _feed(seeded_client, "/feeds/sites/al-tanf.atom?lang=en")[1]
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert "21 May 2015: Islamic State (ISIS / ISIL) took control of al-Tanf" in {
        e.find("a:title", NS).text for e in english.findall("a:entry", NS)
    }


def test_a_feed_links_itself_in_its_language(seeded_client):
    """A feed reader sends no cookie: the Arabic feed's self and alternate links say lang=ar."""
    _, root = _feed(seeded_client, "/feeds/sites/al-qaim.atom?lang=ar")
    links = {li.get("rel"): li.get("href") for li in root.findall("a:link", NS)}
    assert links["self"].endswith("/feeds/sites/al-qaim.atom?lang=ar")
    assert links["alternate"].endswith("/sites/al-qaim?lang=ar")
    # Each entry's link too: the reader opens the change's page in the feed's language.
    entries = [e.find("a:link", NS).get("href") for e in root.findall("a:entry", NS)]
    assert entries and all(href.endswith("/sites/al-qaim?lang=ar") for href in entries)
    _, english = _feed(seeded_client, "/feeds/sites/al-qaim.atom?lang=en")
    links = {li.get("rel"): li.get("href") for li in english.findall("a:link", NS)}
    assert links["self"].endswith("/feeds/sites/al-qaim.atom")
    entries = [e.find("a:link", NS).get("href") for e in english.findall("a:entry", NS)]
    assert entries and all(href.endswith("/sites/al-qaim") for href in entries)


def test_a_window_in_a_span_is_not_followed_by_another_dash(seeded, seed_data):
    """ "17 Feb – 20 Apr 2026 – ongoing" read as three parts: now "since 17 Feb – 20 Apr 2026"."""
    open_window = next(
        p for p in seed_data["periods"] + seed_data["status"]
        if "/" in str(p["start"]) and p["end"] is None
    )  # fmt: skip
    client = seeded.test_client()
    text = client.get(f"/feeds/sites/{open_window['site']}.atom?lang=en").get_data(as_text=True)
    with seeded.test_request_context("/?lang=en"):
        from app.core import bounds
        from app.web.js_strings import bound_short

        short = bound_short(bounds.parse(open_window["start"]))
    assert f"since {short}." in text and f"{short} – ongoing" not in text


def test_an_empty_past_feed_is_no_newer_than_the_state_it_shows(seeded):
    """RFC 4287: a feed's `updated` is its last significant change. A past state with no
    entry says when that state was made (before any revision: never, the epoch), not when
    it was asked for, which a cache or ETag could never keep."""
    known.forget()
    client = seeded.test_client()
    with seeded.app_context():
        first = db.session.scalar(select(func.min(Revision.at)))
        periods = db.session.scalar(
            select(func.min(Revision.id)).where(
                Revision.entity.in_(("control_period", "status_period"))
            )
        )
        before_periods = db.session.get(Revision, periods - 1)
    day = (clock.aware(first) - dt.timedelta(days=2)).date()
    for url, updated in [
        (f"/feeds/changes.atom?known={day}", "1970-01-01T00:00:00Z"),
        (f"/feeds/changes.atom?known={day - dt.timedelta(days=1)}", "1970-01-01T00:00:00Z"),
        (f"/feeds/changes.atom?rev={before_periods.id}", clock.stamp(before_periods.at)),
    ]:
        _, root = _feed(client, url)
        assert root.findall("a:entry", NS) == [], url
        assert root.find("a:updated", NS).text == updated, url
        assert _feed(client, url)[1].find("a:updated", NS).text == updated
