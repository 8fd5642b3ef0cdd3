""" "Cite this view" in Chromium: the map's link follows the slider, the cite page gives a
permalink, and after a later correction the permalink still opens the answer as cited
while the plain map shows the correction."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.db.models import Actor
from app.extensions import db
from tests.browser.axe import assert_no_axe_violations
from tests.browser.live import seeded_app, serving
from tests.browser.mapview import PHONE, js, open_map

DAY = "2025-06-01"
EDITOR = ("cite-editor", "cite tests password")


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """A seeded app of this module's own: the correction must not reach other tests."""
    return seeded_app(tmp_path_factory.mktemp("cite"), (*EDITOR, "editor"), WTF_CSRF_ENABLED=False)


@pytest.fixture(scope="module")
def own_server(own_app):
    yield from serving(own_app)


def _correct(app) -> None:
    """An editor logs a correction through the editor's form: al-Qa'im passes to the
    Kurdistan Region on 1 Jan 2025."""
    client = app.test_client()
    resp = client.post("/login", data={"username": EDITOR[0], "password": EDITOR[1]})
    assert resp.status_code == 302
    log = "/editor/sites/al-qaim/log-control"
    form = client.get(log).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', form).group(1)
    with app.app_context():
        actor = db.session.scalar(select(Actor.id).where(Actor.slug == "kurdistan-region"))
    resp = client.post(
        log,
        data={
            "actor_id": actor,
            "date": "2025-01-01",
            "confidence": "medium",
            "source_title": "A later report",
            "source_url": "https://example.org/later",
            "version": version,
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]


def test_cite_this_view_reopens_the_answer_after_a_correction(page, guard, own_app, own_server):
    open_map(page, own_server, f"/?date={DAY}")
    row = page.locator("#row-al-qaim")
    expect(row).to_contain_text("Iraqi gov.")

    link = page.locator("#cite-link")
    expect(link).to_have_attribute("href", re.compile(rf"^/cite\?date={DAY}$"))
    link.click()
    page.wait_for_url(re.compile(r"/cite\?"))
    expect(page.locator("h1")).to_have_text("Cite this view")
    permalink = page.locator("#cite-permalink")
    expect(permalink).to_have_value(
        re.compile(rf"^{re.escape(own_server)}/\?date={DAY}&known=\d{{4}}-\d\d-\d\d&rev=\d+$")
    )
    cited = permalink.input_value()
    expect(page.locator("#cite-apa")).to_have_value(re.compile(re.escape(cited) + "$"))
    expect(page.locator("#cite-row-al-qaim")).to_contain_text("Iraqi federal government")

    _correct(own_app)

    # The plain map shows the correction ...
    open_map(page, own_server, f"/?date={DAY}")
    expect(page.locator("#row-al-qaim")).to_contain_text("KRG")
    # ... the permalink still the answer as it was cited, and says it is an older state.
    open_map(page, own_server, cited.removeprefix(own_server))
    expect(page.locator("#row-al-qaim")).to_contain_text("Iraqi gov.")
    expect(page.locator("#row-al-qaim")).not_to_contain_text("KRG")
    # Citing the pinned map again keeps the pin: the same permalink.
    page.locator("#cite-link").click()
    page.wait_for_url(re.compile(r"/cite\?"))
    expect(page.locator("#cite-permalink")).to_have_value(cited)
    guard.assert_clean()


def test_the_cite_link_follows_the_slider_and_copies(page, guard, own_server):
    open_map(page, own_server, f"/?date={DAY}")
    # One step of the slider moves the map in place, without a page load: the link's
    # date must follow it.
    page.locator("#day-slider").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#cite-link")).to_have_attribute("href", "/cite?date=2025-06-02")
    page.locator("#cite-link").click()
    page.wait_for_url(re.compile(r"/cite\?date=2025-06-02$"))
    copy = page.locator('button[data-copy="cite-bibtex"]')
    expect(copy).to_be_visible()  # the script shows the buttons
    copy.click()
    done = page.locator("section:has(#cite-bibtex) .copy-done")
    expect(done).to_have_text(re.compile(r"^(Copied\.|Selected: press Ctrl\+C)"))
    assert_no_axe_violations(page, "the cite page")
    # On a phone the page fits the screen: the long permalink and texts wrap or scroll
    # inside their own fields.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#cite-permalink")).to_be_visible()
    assert js(page, "() => document.documentElement.scrollWidth") <= PHONE["width"]
    guard.assert_clean()
