"""Control changing hands within a date window, and sites not tracked for control, on the map.

A server of its own runs the contract data set (tests/data/contract.yaml) plus two rows
added here: ISIS takes al-Waleed "sometime in June 2014" (its start shares the window of
the Iraqi government's end, "2014-06"; the Iraqi government contests it, low confidence),
and a zone, whose control is not tracked. On a day inside that window the marker is split
between both actors' colours, the legend names the entry, and the table row reads as the
server writes it (map_encoding.when_label), contested and at the least sure confidence of
the two periods — before and after the page's JavaScript repaints it — at desktop and
phone sizes.
"""

from __future__ import annotations

import re
import threading

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from app.core import bounds
from app.db.models import Actor, ControlPeriod, Site, Source
from app.extensions import db
from app.io import seed
from tests.conftest import CONTRACT_DATA

pytestmark = pytest.mark.browser

IN_WINDOW = "2014-06-15"
HANDOVER = "Iraqi federal government → Islamic State, in June 2014"
IRAQ, ISIS = "#88CCEE", "#000000"
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def transition_server(tmp_path_factory):
    """The contract data with a handover in a window and a zone, served on 127.0.0.1."""
    db_file = tmp_path_factory.mktemp("transitions") / "atlas.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "SECRET_KEY": "browser-tests",
            "TESTING": False,
        }
    )
    with app.app_context():
        upgrade()
        seed.load(CONTRACT_DATA)
        waleed = db.session.scalar(db.select(Site).where(Site.slug == "al-waleed"))
        isis = db.session.scalar(db.select(Actor).where(Actor.slug == "isis"))
        iraq = db.session.scalar(db.select(Actor).where(Actor.slug == "iraqi-government"))
        source = db.session.scalar(db.select(Source).where(Source.ref == "C2"))
        db.session.add(
            ControlPeriod(
                site=waleed,
                actor=isis,
                start=bounds.parse("2014-06"),
                end=None,
                confidence="low",
                contested=True,
                challenger=iraq,
                sources=[source],
            )
        )
        db.session.add(
            Site(
                slug="tanf-zone",
                name="al-Tanf 55 km zone",
                name_ar="منطقة الـ55 كم",
                country="SY",
                kind="zone",
                lon=38.55,
                lat=33.55,
                location_precision="approximate",
            )
        )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(params=sorted(VIEWPORTS))
def sized_page(request, browser, guard):
    """A guarded page at desktop (1440×900) or phone (390×844) size."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.route("**/*", guard.route)
    page.on("console", lambda m: m.type == "error" and guard.console_errors.append(m.text))
    page.on("pageerror", lambda e: guard.console_errors.append(str(e)))
    page.request_size = request.param
    yield page
    context.close()


def _open(page, base, date=IN_WINDOW):
    page.goto(f"{base}/?date={date}")
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")


def _cells(page, slug):
    """The visible text of each cell of a site's row, whitespace collapsed."""
    return page.evaluate(
        """(slug) => Array.from(document.getElementById('row-' + slug).cells,
            (c) => c.innerText.replace(/\\s+/g, ' ').trim())""",
        slug,
    )


def _server_cells(browser, base, slug, date=IN_WINDOW):
    """The same cells as the server renders them (no JavaScript)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/?date={date}")
    cells = _cells(page, slug)
    swatches = page.evaluate(
        """(slug) => Array.from(document.getElementById('row-' + slug).cells[1]
            .querySelectorAll('.swatch'), (s) => s.getAttribute('class') + ' ' +
            getComputedStyle(s).backgroundColor)""",
        slug,
    )
    context.close()
    return cells, swatches


def _marker(page, slug):
    """The look of a site's marker and its fill left and right of its centre (the most
    common colour around each point: the hatching's white stripes are the minority)."""
    page.evaluate(
        """(slug) => { const a = AtlasMap.instance, m = a.markers[a.bySlug.get(slug)];
            a.map.setView(m.getLatLng(), 12, {animate: false}); }""",
        slug,
    )
    page.wait_for_timeout(400)  # the canvas redraws on the next frame
    return page.evaluate(
        """(slug) => {
        const a = AtlasMap.instance, i = a.bySlug.get(slug), m = a.markers[i], r = m._renderer;
        const ratio = window.devicePixelRatio || 1;
        const x = m._point.x - r._bounds.min.x, y = m._point.y - r._bounds.min.y;
        const px = (dx) => {
            const counts = new Map();
            for (let ox = -2; ox <= 2; ox++) for (let oy = -2; oy <= 2; oy++) {
                const c = Array.from(r._ctx.getImageData(Math.round((x + dx + ox) * ratio),
                    Math.round((y + oy) * ratio), 1, 1).data.slice(0, 3));
                const key = c.join();
                counts.set(key, (counts.get(key) || 0) + 1);
            }
            const best = [...counts.entries()].sort((p, q) => q[1] - p[1])[0][0];
            return best.split(',').map(Number);
        };
        return {look: m.look, left: px(-4.5), right: px(4.5)};
    }""",
        slug,
    )


def _rgb(hex_colour):
    return [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]


def _near(pixel, hex_colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, _rgb(hex_colour), strict=True))


def test_a_day_inside_a_window_shows_the_handover(sized_page, guard, transition_server, browser):
    page = sized_page
    _open(page, transition_server)
    row = page.locator("#row-al-waleed")
    expect(row).to_contain_text(HANDOVER)
    expect(row.locator(".tag-changing")).to_have_text("changing hands")
    expect(row.locator(".tag-changing")).to_be_visible()
    # The window keeps the contested mark of ISIS's period and the least sure confidence.
    expect(row.locator(".tag:not(.tag-changing)", has_text="contested")).to_be_visible()
    colours = row.locator("td .swatch").evaluate_all(
        "(els) => els.map((e) => getComputedStyle(e).backgroundColor)"
    )
    assert colours == ["rgb(136, 204, 238)", "rgb(0, 0, 0)"]
    assert "Unknown" not in row.inner_text()

    # The page's repaint writes what the server wrote.
    server_cells, server_swatches = _server_cells(browser, transition_server, "al-waleed")
    assert _cells(page, "al-waleed") == server_cells
    assert server_cells[2] == HANDOVER
    assert "contested" in server_cells[1] and server_cells[4] == "low"
    assert [s.split(" ", 1)[1] for s in server_swatches] == [
        "rgb(136, 204, 238)",
        "rgb(0, 0, 0)",
    ]

    # The marker: split, outgoing colour on the left, incoming on the right.
    marker = _marker(page, "al-waleed")
    assert marker["look"]["fills"] == [IRAQ, ISIS] and marker["look"]["hatched"]
    assert not marker["look"]["gap"]
    assert _near(marker["left"], IRAQ), marker
    assert _near(marker["right"], ISIS), marker

    # The legend names the entry (on a phone it starts closed).
    legend = page.locator("#atlas-legend")
    if not legend.evaluate("(el) => el.open"):
        legend.locator("summary").click()
    entry = legend.locator("li[data-state=transition]")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("Changing hands (date window)")
    expect(entry.locator(".legend-count")).to_have_text("(1)")
    page.screenshot(path=str(_screenshot_path(f"transition-{page.request_size}")), full_page=False)
    guard.assert_clean()


def test_the_popup_names_both_sides_and_the_window(sized_page, guard, transition_server):
    page = sized_page
    _open(page, transition_server)
    page.evaluate("AtlasMap.instance.focusSite(AtlasMap.instance.bySlug.get('al-waleed'))")
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".who")).to_contain_text("Iraqi federal government → Islamic State")
    expect(popup.locator(".who .tag-changing")).to_have_text("changing hands")
    # Contested as ISIS's period is; no challenger named: the candidates are the two sides.
    expect(popup.locator(".who .tag:not(.tag-changing)")).to_have_text("contested")
    expect(popup.locator(".confidence")).to_have_text("low confidence · contested")
    expect(popup.locator(".when")).to_have_text(HANDOVER)
    expect(popup).to_contain_text(
        "Control changed hands sometime in June 2014; the record does not say on which day."
    )
    # Sources of both periods that may hold; no status is recorded, so none of a status.
    expect(popup.locator(".sources li")).to_have_count(2)
    expect(popup.locator(".status-sources")).to_have_count(0)
    guard.assert_clean()


def test_the_popup_lists_the_sources_of_the_status_shown(page, guard, transition_server):
    """al-Qa'im on 1 August 2015: held by ISIS (source C1), closed (its own source, C1)."""
    _open(page, transition_server, "2015-08-01")
    page.evaluate("AtlasMap.instance.focusSite(AtlasMap.instance.bySlug.get('al-qaim'))")
    popup = page.locator(".leaflet-popup-content")
    status = popup.locator(".status-sources")
    expect(status.locator("h4")).to_have_text("Sources of the status")
    expect(status.locator("li")).to_have_text(["Contract source one — Test wire, Jun 2014"])
    # Open from 30 September 2019, on the source of that period (C2).
    page.evaluate("AtlasMap.instance.show(AtlasCore.offsetOf('2020-01-01'))")
    page.evaluate("AtlasMap.instance.focusSite(AtlasMap.instance.bySlug.get('al-qaim'))")
    expect(status.locator("li")).to_have_text([re.compile("^Contract source two")])
    guard.assert_clean()


def test_before_and_after_the_window_one_actor_holds(page, guard, transition_server, browser):
    for date, name, when in (
        ("2014-05-31", "Iraqi gov.", "until Jun 2014"),
        ("2014-07-01", "ISIS contested", "since Jun 2014"),
    ):
        _open(page, transition_server, date)
        row = page.locator("#row-al-waleed")
        expect(row.locator(".tag-changing")).to_be_hidden()
        cells = _cells(page, "al-waleed")
        assert cells[1] == name and cells[2] == when
        assert cells == _server_cells(browser, transition_server, "al-waleed", date)[0]
        assert len(_marker(page, "al-waleed")["look"]["fills"]) == 1
    # Moving the slider into the window repaints the row and the marker.
    page.evaluate(f"AtlasMap.instance.show(AtlasCore.offsetOf('{IN_WINDOW}'))")
    expect(page.locator("#row-al-waleed")).to_contain_text(HANDOVER)
    assert _marker(page, "al-waleed")["look"]["fills"] == [IRAQ, ISIS]
    guard.assert_clean()


def test_a_zone_is_not_tracked_for_control(sized_page, guard, transition_server, browser):
    page = sized_page
    _open(page, transition_server)
    row = page.locator("#row-tanf-zone")
    expect(row).to_contain_text("not tracked for control")
    assert not re.search(r"unknown", row.inner_text(), re.IGNORECASE)
    assert _cells(page, "tanf-zone") == _server_cells(browser, transition_server, "tanf-zone")[0]
    look = _marker(page, "tanf-zone")["look"]
    assert look["untracked"] and not look["gap"] and not look["hatched"]
    legend = page.locator("#atlas-legend")
    if not legend.evaluate("(el) => el.open"):
        legend.locator("summary").click()
    expect(legend.locator("li[data-state=untracked]")).to_contain_text("Not tracked for control")
    expect(legend.locator("li[data-state=untracked]")).to_be_visible()
    # Unknown counts tracked sites only: al-Qa'im (ISIS from 21 June), not the zone.
    expect(legend.locator("li[data-actor=''] .legend-count")).to_have_text("(1)")
    expect(row.locator(".swatch-untracked")).to_have_count(1)
    page.evaluate("AtlasMap.instance.focusSite(AtlasMap.instance.bySlug.get('tanf-zone'))")
    expect(page.locator(".leaflet-popup-content .who")).to_have_text("Not tracked for control")
    guard.assert_clean()


def _screenshot_path(name):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
