"""Issue 14, point 1: a map that reads at a glance (labels, crossings, badges, palette)."""

import pytest
from playwright.sync_api import expect

from app.core.map_marks import NO_CHALLENGER
from tests.browser.mapview import DESKTOP, VIEWPORTS, open_map

LABEL_BOXES = """() => [...document.querySelectorAll('.atlas-label:not([hidden])')].map((el) => {
    const r = el.getBoundingClientRect();
    return {text: el.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
})"""


def _overlap(a, b):
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


@VIEWPORTS
def test_labels_name_site_and_holder_and_never_overlap(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    labels = page.evaluate(LABEL_BOXES)
    texts = "\n".join(lab["text"] for lab in labels)
    assert "Albukamal · ISIS" in texts
    assert "al-Tanf · ISIS" in texts
    for n, a in enumerate(labels):
        for b in labels[n + 1 :]:
            assert not _overlap(a, b), (a, b)
    legend = page.locator(".leaflet-control-container .atlas-legend").bounding_box()
    for lab in labels:
        box = {
            "x0": legend["x"],
            "y0": legend["y"],
            "x1": legend["x"] + legend["width"],
            "y1": legend["y"] + legend["height"],
        }
        assert not _overlap(lab, box), lab
    # Labels stay placed at every zoom.
    for zoom in (6, 9, 13):
        page.evaluate(
            """(z) => { const a = AtlasMap.instance;
            const m = a.markers[a.bySlug.get('albukamal')];
            a.map.setView(m.getLatLng(), z, {animate: false}); }""",
            zoom,
        )
        page.wait_for_timeout(200)
        expect(page.locator(".atlas-label:not([hidden])", has_text="Albukamal")).to_have_count(1)
    guard.assert_clean()


@VIEWPORTS
def test_two_sides_of_a_crossing_meet_as_one_split_symbol_until_zoomed_in(
    page, guard, live_server, viewport
):
    open_map(page, live_server, viewport=viewport)
    halves = """() => { const a = AtlasMap.instance;
        return ['al-tanf', 'al-waleed', 'albukamal', 'al-qaim'].map(
            (s) => a.markers[a.bySlug.get(s)].half); }"""
    assert page.evaluate(halves) == [-1, 1, -1, 1]
    page.evaluate("""() => { const a = AtlasMap.instance;
        a.map.setView(a.markers[a.bySlug.get('al-tanf')].getLatLng(), 12, {animate: false}); }""")
    page.wait_for_timeout(200)
    assert page.evaluate(halves)[:2] == [0, 0]
    guard.assert_clean()


@VIEWPORTS
def test_markers_carry_letter_codes_status_badges_and_hatching(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    look = page.evaluate("""() => { const a = AtlasMap.instance;
        return a.look(a.bySlug.get('rabia')); }""")
    assert look["codes"] == ["KR"] and look["status"] == 1  # closed, as a badge
    legend = page.locator("#atlas-legend")
    expect(legend.locator("li[data-actor=isis] .mk")).to_have_text("IS")
    expect(legend.locator(".badge-closed")).to_have_count(1)
    expect(legend.locator(".mk-hatched").first).to_be_attached()
    # Closed is a neutral grey, never an actor's colour.
    colours = page.evaluate("AtlasMap.instance.data.actors.map((a) => a[2].toLowerCase())")
    assert page.evaluate("AtlasCore.CLOSED_BADGE").lower() not in colours
    guard.assert_clean()


def test_a_handover_window_with_contested_candidates_keeps_its_ring(page, guard, live_server):
    # Rabia, July–August 2014: Kurdistan Region → ISIS, both periods contested.
    open_map(page, live_server, "/?date=2014-07-15", viewport=DESKTOP)
    look = page.evaluate("""() => { const a = AtlasMap.instance;
        return a.look(a.bySlug.get('rabia')); }""")
    assert look["hatched"] and len(look["fills"]) == 2
    # A window names no challenger: the neutral ring, as the static map draws it.
    assert look["ring"].lower() == NO_CHALLENGER.lower()
    guard.assert_clean()


def _pixel(page, slug, dx):
    """The canvas pixel dx px right of a site's marker centre, as [r, g, b]."""
    return page.evaluate(
        """([slug, dx]) => { const a = AtlasMap.instance, m = a.markers[a.bySlug.get(slug)];
        const canvas = m._renderer._container, ratio = window.devicePixelRatio || 1;
        const box = canvas.getBoundingClientRect();
        const map = a.map.getContainer().getBoundingClientRect();
        const p = a.map.layerPointToContainerPoint(m._point);
        const x = (p.x + map.left - box.left + dx) * ratio, y = (p.y + map.top - box.top) * ratio;
        return [...canvas.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data]
            .slice(0, 3); }""",
        [slug, dx],
    )


def test_the_selection_halo_is_neutral(page, guard, live_server):
    open_map(page, live_server, "/?date=2015-08-01&site=akashat", viewport=DESKTOP)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Akashat")
    page.evaluate("AtlasMap.instance.map.closePopup()")
    page.evaluate("AtlasMap.instance.setFocus(AtlasMap.instance.bySlug.get('akashat'))")
    page.wait_for_timeout(150)
    radius = page.evaluate("AtlasCore.RADIUS")
    r, g, b = _pixel(page, "akashat", radius + 8)
    assert max(r, g, b) - min(r, g, b) < 30 and max(r, g, b) < 90, (r, g, b)
    guard.assert_clean()


@VIEWPORTS
def test_attribution_has_no_flag(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("Leaflet")
    expect(attribution.locator("svg")).to_have_count(0)
    guard.assert_clean()


@pytest.mark.parametrize("date", ["2013-06-01", "2015-08-01", "2025-06-01"])
def test_every_actor_on_the_map_has_a_code_in_the_legend(page, guard, live_server, date):
    open_map(page, live_server, f"/?date={date}", viewport=DESKTOP)
    for li in page.locator("#atlas-legend li[data-actor]:not(.absent)").all():
        if li.get_attribute("data-actor"):
            assert 1 <= len(li.locator(".mk").inner_text().strip()) <= 3
    guard.assert_clean()


BADGE_X = """([label, badges]) => {
    const el = [...document.querySelectorAll('.atlas-label:not([hidden])')]
        .find((e) => e.textContent.includes(label));
    const text = el.firstChild, where = {};
    for (const badge of badges) {
        const at = text.textContent.indexOf(badge), range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + badge.length);
        where[badge] = range.getBoundingClientRect().left;
    }
    return where;
}"""


@pytest.mark.parametrize("lang, reading", [("en", "left to right"), ("ar", "right to left")])
def test_a_handover_label_points_from_the_old_holder_to_the_new(
    page, guard, live_server, lang, reading
):
    """Rabia passed from Iraq (IQ) to the Kurdistan Region (KR) in June 2014: in Arabic the
    badges read right to left, "KR←IQ" on screen (it was "IQ←KR", pointing backwards)."""
    open_map(page, live_server, f"/?date=2014-06-15&lang={lang}")
    label = "Rabia" if lang == "en" else "ربيعة"
    x = page.evaluate(BADGE_X, [label, ["IQ", "KR"]])
    assert (x["IQ"] < x["KR"]) == (reading == "left to right"), x
    guard.assert_clean()


@VIEWPORTS
def test_country_names_lie_under_the_sites_and_their_labels(page, guard, live_server, viewport):
    open_map(page, live_server, viewport=viewport)
    layers = page.evaluate("""() => {
        const z = (sel) => [...document.querySelectorAll(sel)].map(
            (el) => +getComputedStyle(el.closest('.leaflet-pane')).zIndex);
        return {names: z('.country-label'), sites: z('.atlas-label:not([hidden])')
            .concat(z('.leaflet-marker-icon:not(.country-label)'))};
    }""")
    assert layers["names"] and layers["sites"]
    assert max(layers["names"]) < min(layers["sites"]), layers
    guard.assert_clean()
