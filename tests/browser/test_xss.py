"""XSS corpus: hostile text typed into every text field through the editor forms shows as
text on every page that displays it, and nothing runs (checked with the CSP switched off,
so only escaping protects the page).

PAGES is data: each page (the map page and its popups included) with the fields it shows.
"""

import pytest
from sqlalchemy import select

from app.core.record_keys import period_key
from app.db.models import Actor, ControlPeriod, Event, Revision, Site
from app.extensions import db
from tests.browser.live import own_live_app

# Script tags, event attributes, javascript: URLs and quotes that break attributes.
CORPUS = (
    "<script>window.__xss=1</script>"
    '"><img src=x onerror="window.__xss=1">'
    "'><svg onload=window.__xss=1>"
    "javascript:window.__xss=1"
    '" autofocus onfocus="window.__xss=1" x="'
)
SHORT = '"><img src=x onerror=window.__xss=1>'  # fits the 40-character short label
# A well-formed URL whose quote would break an unescaped href attribute.
URL = "https://example.org/x'onmouseover='window.__xss=1'"


def hostile(field: str) -> str:
    """The corpus, tagged with the field it was typed into."""
    return f"{CORPUS} [{field}]"


ACTOR = {
    "Name": hostile("actor name"),
    "Arabic name": hostile("actor arabic"),
    "Short label": SHORT,
    "Note": hostile("actor note"),
    "Comment for the history": hostile("actor comment"),
}
SITE = {
    "Name": hostile("site name"),
    "Arabic name": hostile("site arabic"),
    "Other spellings": f"{hostile('alias one')}\n{hostile('alias two')}",
    "About the location": hostile("location note"),
    "Note": hostile("site note"),
    "Comment for the history": hostile("site comment"),
}
CHANGE = {
    "Source URL": URL,
    "Source title": hostile("source title"),
    "Source publisher": hostile("source publisher"),
    "Note": hostile("period note"),
    "Comment for the history": hostile("change comment"),
}
EVENT = {
    "Title": hostile("event title"),
    "Description": hostile("event description"),
    "Comment for the history": hostile("event comment"),
}

# (path, texts the page must show). {site} etc. are filled from the rows created.
PAGES = [
    ("/", ["site name", "site arabic"]),
    ("/?date=2021-06-01", ["site name"]),
    # ?site= opens the site's map popup.
    (
        "/?date=2021-06-01&site=xss-site",
        ["site name", "site arabic", "actor name", "source title", "source publisher"],
    ),
    (
        "/sites/xss-site",
        [
            "site name",
            "site arabic",
            "alias one",
            "alias two",
            "location note",
            "site note",
            "actor name",
            "period note",
            "source title",
            "source publisher",
            "event title",
            "event description",
        ],
    ),
    (
        "/sites/xss-site/history",
        ["site name", "site comment", "change comment", "period note", "location note"],
    ),
    (
        "/history",
        ["actor comment", "actor note", "source title", "event comment", "event description"],
    ),
    ("/history?site=xss-site", ["site note", "change comment"]),
    ("/editor/", ["site name", "change comment"]),
    ("/editor/sites/", ["site name", "site arabic"]),
    ("/editor/actors/", ["actor name", "actor arabic"]),
    ("/editor/sources/", ["source title", "source publisher"]),
    ("/editor/events/", ["event title"]),
    ("/editor/control-periods/?site=xss-site", ["site name", "actor name"]),
    ("/editor/sites/xss-site/log-control", ["actor name", "source title"]),
    ("/editor/events/{event}/edit", ["event description", "site name"]),
    ("/editor/control-periods/{period}/edit", ["period note", "source title"]),
    ("/editor/actors/{actor}/delete", ["actor name"]),
    ("/history/{revision}", ["period note"]),
    # The OGC API's HTML pages are built without Jinja (app/ogc_html.py).
    (
        "/ogc/collections/sites/items?f=html&datetime=2021-06-01",
        ["site name", "site arabic", "actor name", "source title"],
    ),
    (
        "/ogc/collections/periods/items/{period_key}?f=html",
        ["site name", "actor name", "period note", "source title"],
    ),
    ("/ogc/collections/events/items?f=html", ["event title", "event description"]),
]
# Edit forms put the text back into input values: (path, label, expected value).
FORM_VALUES = [
    ("/editor/actors/{actor}/edit", "Name", ACTOR["Name"]),
    ("/editor/actors/{actor}/edit", "Short label", SHORT),
    ("/editor/sites/{site}/edit", "Name", SITE["Name"]),
    ("/editor/sites/{site}/edit", "Other spellings", SITE["Other spellings"]),
    ("/editor/sources/{source}/edit", "Title", CHANGE["Source title"]),
    ("/editor/sources/{source}/edit", "URL", URL),
    ("/editor/events/{event}/edit", "Title", EVENT["Title"]),
]

FIND_INJECTED = """() => ({
    flag: window.__xss === 1,
    handlers: document.querySelectorAll(
        '[onerror],[onload],[onfocus],[onmouseover],[autofocus]').length,
    images: document.querySelectorAll('img[src="x"], svg[onload]').length,
    scripts: [...document.scripts].filter(s => !s.src && !s.nonce).length,
    jsLinks: [...document.querySelectorAll('a[href]')]
        .filter(a => a.href.trim().toLowerCase().startsWith('javascript:')).length,
})"""


def _fill(page, values: dict) -> None:
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)


def _save(page) -> None:
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    errors = page.locator(".errors")
    assert errors.count() == 0, errors.inner_text()


# An app of this module's own: the hostile rows (a site with no Arabic name among them)
# must reach no other module's pages.
live_app, live_server, admin_account = own_live_app("xss")


@pytest.fixture(scope="module")
def hostile_rows(browser, live_server, live_app, admin_account):
    """Create an actor, a site, a control change with a new source and an event, all
    through the forms, with the corpus in every text field; return their ids."""
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"dialog opened while saving: {d.message}"))
    page.goto(f"{live_server}/login")
    _fill(page, {"Username": admin_account[0], "Password": admin_account[1]})
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server}/editor/actors/new")
    _fill(page, {"Slug": "xss-actor", **ACTOR})
    page.get_by_label("Colour").fill("#123456")
    _save(page)

    page.goto(f"{live_server}/editor/sites/new")
    _fill(page, {"Slug": "xss-site", "Longitude": "40.95", "Latitude": "34.42", **SITE})
    _save(page)

    page.goto(f"{live_server}/editor/sites/xss-site/log-control")
    actor_id = _id(live_app, Actor, Actor.slug == "xss-actor")
    page.get_by_label("New controller").select_option(str(actor_id))
    _fill(page, {"Date": "2020-01-01", **CHANGE})
    _save(page)

    page.goto(f"{live_server}/editor/events/new")
    site_id = _id(live_app, Site, Site.slug == "xss-site")
    _fill(page, {"Slug": "xss-event", "Date": "2020-02-01", **EVENT})
    page.get_by_label("Sites").select_option(str(site_id))
    _save(page)
    context.close()
    with live_app.app_context():
        period = db.session.scalar(select(ControlPeriod).where(ControlPeriod.site_id == site_id))
        revision = db.session.scalar(
            select(Revision.id).where(
                Revision.entity == "control_period", Revision.entity_id == period.id
            )
        )
        return {
            "actor": actor_id,
            "site": site_id,
            "period": period.id,
            # OGC API features name a period by its record key, not its row id.
            "period_key": period_key("xss-site", "control", period.start_edtf),
            "revision": revision,
            "source": period.sources[0].id,
            "event": _id(live_app, Event, Event.slug == "xss-event"),
        }


def _id(app, model, condition) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).where(condition))


def _visit(page, live_server, path: str, ids: dict) -> dict:
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server + path.format(**ids))
    # The map page builds its explorer (popups, table) in turns after the load event.
    page.wait_for_function("() => !window.AtlasMap || AtlasMap.instance")
    page.mouse.move(5, 5)
    page.keyboard.press("Tab")
    found = page.evaluate(FIND_INJECTED)
    found["dialogs"] = dialogs
    return found


@pytest.mark.parametrize("path, fields", PAGES, ids=[p for p, _ in PAGES])
def test_hostile_text_shows_as_text_and_nothing_runs(
    page_without_csp, guard, live_server, sign_in_page, hostile_rows, path, fields
):
    page = page_without_csp
    sign_in_page(page)
    found = _visit(page, live_server, path, hostile_rows)
    assert found == {
        "flag": False,
        "handlers": 0,
        "images": 0,
        "scripts": 0,
        "jsLinks": 0,
        "dialogs": [],
    }
    text = page.evaluate("() => document.body.textContent")
    for field in fields:
        assert hostile(field) in text, f"{field!r} not shown as text on {path}"
    guard.assert_clean()


@pytest.mark.parametrize("path, label, value", FORM_VALUES)
def test_edit_forms_give_the_text_back_unchanged(
    page_without_csp, live_server, sign_in_page, hostile_rows, path, label, value
):
    page = page_without_csp
    sign_in_page(page)
    found = _visit(page, live_server, path, hostile_rows)
    assert not found["flag"] and found["handlers"] == 0 and found["dialogs"] == []
    assert page.get_by_label(label, exact=True).input_value() == value


def test_source_link_keeps_the_quote_inside_the_href(page_without_csp, live_server, hostile_rows):
    page = page_without_csp
    page.goto(f"{live_server}/sites/xss-site")
    # The source is cited by a period and shown again as the site's "last verified" evidence.
    links = page.get_by_role("link", name=hostile("source title")).all()
    assert links
    for link in links:
        assert link.get_attribute("href") == URL
        assert link.get_attribute("onmouseover") is None
        link.hover()
    assert page.evaluate("() => window.__xss") is None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:window.__xss=1",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        'https://example.org/"><script>',
    ],
)
def test_dangerous_urls_are_refused_in_the_browser(page, live_server, sign_in_page, url):
    sign_in_page(page)
    page.goto(f"{live_server}/editor/sources/new")
    _fill(page, {"Title": "Dangerous link", "URL": url})
    page.get_by_role("button", name="Save").click()
    assert "URL" in page.locator(".errors").inner_text()
    assert page.get_by_label("URL", exact=True).input_value() == url
    page.goto(f"{live_server}/editor/sources/")
    assert "Dangerous link" not in page.locator("table.rows").inner_text()


def test_marker_tooltip_shows_the_name_as_text(page_without_csp, live_server, hostile_rows):
    """Hovering a site's marker shows its name (Leaflet would parse a string as HTML)."""
    page = page_without_csp
    page.goto(f"{live_server}/?date=2021-06-01")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    x, y = page.evaluate("""() => {
        const a = AtlasMap.instance, m = a.markers[a.bySlug.get('xss-site')];
        a.map.setView(m.getLatLng(), 10, { animate: false });
        const p = a.map.latLngToContainerPoint(m.getLatLng());
        const box = a.map.getContainer().getBoundingClientRect();
        return [box.left + p.x + m.options.dx, box.top + p.y];
    }""")
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert tooltip.inner_text() == hostile("site name")
    found = page.evaluate(FIND_INJECTED)
    assert found["flag"] is False and found["handlers"] == 0 and found["images"] == 0
