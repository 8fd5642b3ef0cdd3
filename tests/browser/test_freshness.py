"""Last verified on the map: a site not confirmed for long is faded and says how long ago;
confirming it from its popup brings it back to full strength."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.core import clock
from tests.browser.axe import assert_no_axe_violations
from tests.browser.live import seeded_app, serving
from tests.browser.mapview import DESKTOP, PHONE, js, wait_until_still

ACCOUNT = ("fresh-editor", "browser tests password")


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """A seeded app of this module's own: confirming sites must not change other tests' map."""
    return seeded_app(tmp_path_factory.mktemp("fresh"), (*ACCOUNT, "editor"))


@pytest.fixture(scope="module")
def live_server(live_app):
    yield from serving(live_app)


def _sign_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(ACCOUNT[0])
    page.get_by_label("Password").fill(ACCOUNT[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/editor/")


def _open_popup(page, live_server, name, viewport):
    """The map today with `name`'s popup open."""
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/")
    expect(page.locator("#timebar")).to_be_visible()
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    page.get_by_role("button", name=f"Show {name} on the map").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(name)
    wait_until_still(page)
    return popup


def _stale(page, slug):
    """(stale in the explorer, the marker's look faded, the table row greyed)."""
    return js(
        page,
        """(slug) => {
            const x = AtlasMap.instance, i = x.bySlug.get(slug);
            return [x.stale[i], Boolean(x.look(i).stale),
                    document.getElementById("row-" + slug).classList.contains("stale")];
        }""",
        slug,
    )


@pytest.mark.parametrize(
    ("viewport", "slug", "name"),
    [(DESKTOP, "al-qaim", "al-Qa'im"), (PHONE, "albukamal", "Albukamal")],
    ids=["desktop", "phone"],
)
def test_a_stale_site_is_faded_until_confirmed_from_its_popup(
    page, guard, live_server, viewport, slug, name
):
    _sign_in(page, live_server)
    popup = _open_popup(page, live_server, name, viewport)
    # Seeded: its latest sourced period began in mid-2025, far beyond STALE_AFTER_DAYS.
    expect(popup.locator(".fresh.stale")).to_have_text(
        re.compile(r"^last verified \d+ months ago$")
    )
    assert _stale(page, slug) == [True, True, True]
    expect(page.locator(f"#row-{slug} .fresh")).to_have_text(re.compile(r"last verified .+ ago"))
    # On a date long past, freshness is not judged.
    page.goto(f"{live_server}/?date=2015-08-01")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    assert _stale(page, slug) == [False, False, False]

    popup = _open_popup(page, live_server, name, viewport)
    popup.get_by_role("link", name="Confirm still holds").click()
    page.wait_for_url(re.compile(rf"/editor/sites/{slug}/verify\?date="))
    expect(page.get_by_label("Date", exact=True)).to_have_value(clock.today().isoformat())
    page.get_by_label("Source title").fill(f"Seen open at {name}")
    page.get_by_label("Source URL", exact=True).fill("https://example.org/seen")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server}/sites/{slug}?date={clock.today().isoformat()}")
    expect(page.locator("#last-verified")).to_contain_text("(today)")
    expect(page.locator("#last-verified")).to_contain_text(f"Seen open at {name}")

    popup = _open_popup(page, live_server, name, viewport)
    expect(popup.locator(".fresh")).to_have_text("last verified today")
    expect(popup.locator(".fresh.stale")).to_have_count(0)
    assert _stale(page, slug) == [False, False, False]
    guard.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_faded_map_of_today_passes_axe(page, guard, live_server, viewport):
    """Greyed rows keep their text contrast (the seed's sites are all stale today)."""
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    expect(page.locator("table.state tr.stale").first).to_be_visible()
    assert_no_axe_violations(page, f"map today, stale sites, {viewport['width']}px")
    guard.assert_clean()
