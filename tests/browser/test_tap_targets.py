"""Tap targets on a touch phone (a user audit at 390×844 of /?date=2015-08-01): every control
of the map page one uses with a finger is at least 24×24 CSS px (WCAG 2.5.8), and the small
ones the audit named (the date slider, the table's "show on map" buttons, its filter and
selects, the "Changes of" select, the language and digit toggles) reach 44 px (WCAG 2.5.5,
Apple HIG) in the dimension that was short. Coarse pointers only (map.css, app.css): a
desktop with a mouse keeps its compact layout, its download links and "show on map"
buttons at 24×24. The editor's and the review's pages, and a site's page as anyone sees it,
hold every link, button and select one taps on its own to 24×24 too, with a mouse and on a
phone (links inside a sentence are exempt, as WCAG 2.5.8 has it)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.mapview import PHONE, open_map

MINIMUM = 24  # WCAG 2.5.8 (AA): every target
COMFORTABLE = 44  # WCAG 2.5.5 (AAA) / Apple HIG: the key targets, in the dimension named

# What one taps, by name: (selector, the dimension that must reach 44 px, or None).
# "height": fields and toggles were too short (their width is the text's); "either": a
# button beside a link, 44 px wide or high.
TOP_BAR_CLOSED = {
    "brand": (".topbar .brand", None),
    "menu button": (".topbar .menu-toggle", None),
}
TOP_BAR_OPEN = {
    "menu links": ("#topnav a:not(.digits):not([hreflang])", None),
    "menu buttons": ("#topnav button", None),  # Sign out, once signed in
    "language toggle": (".topbar .lang-switch a[hreflang]", "height"),
    "digit toggle": (".topbar .lang-switch a.digits", "both"),
}
PANEL = {
    "date slider": ("#day-slider", "height"),
    "slider buttons": (".time-buttons button", None),
    "'Changes of' select": ("#change-scope", "height"),
    "date field": ("#date", None),
    "date button": ("#date-form button", None),
    "search field": ("#q", None),
    "search button": ("#search-form button", None),
    "table filter": ("#filter-text", "height"),
    "table filter selects": ("#table-filter select", "height"),
    "show on map buttons": ("#state-table button.show-on-map", "either"),
    "site links": ("#state-table tbody th a", None),
    "download links": (".downloads a, .map-downloads a", None),
}
OPTIONAL = {"menu buttons"}

# Each visible element a selector finds (in a row not filtered out): its box and a name.
_BOXES = """(selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
                    && !el.closest('[hidden]'))
    .map((el) => {
        const r = el.getBoundingClientRect();
        return {w: r.width, h: r.height, what: (el.getAttribute('aria-label')
                || el.textContent || el.id || el.tagName).trim().slice(0, 40)};
    })"""

# Per visible site row: the boxes of its targets and of the row itself.
_ROW_TARGETS = """() => [...document.querySelectorAll('#state-table tbody tr:not(.group-row)')]
    .filter((tr) => !tr.hidden)
    .map((tr) => ({
        row: tr.id,
        box: tr.getBoundingClientRect().toJSON(),
        targets: [...tr.querySelectorAll('a, button, input, select')].map((el) => ({
            what: (el.getAttribute('aria-label') || el.textContent).trim().slice(0, 40),
            box: el.getBoundingClientRect().toJSON(),
        })),
    }))"""


@pytest.fixture
def touch_phone(browser, guard):
    """A 390×844 phone with a touch screen (pointer: coarse), guarded like `page`."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route("**/*", guard.route)
    page.on("console", lambda m: m.type == "error" and guard.console_errors.append(m.text))
    page.on("pageerror", lambda e: guard.console_errors.append(str(e)))
    yield page
    context.close()


def _measure(page, targets: dict, failures: list[str], sizes: dict):
    for name, (selector, key) in targets.items():
        boxes = page.evaluate(_BOXES, selector)
        if not boxes and name not in OPTIONAL:
            failures.append(f"{name}: nothing visible at {selector}")
            continue
        sizes[name] = sorted({f"{b['w']:.1f}×{b['h']:.1f}" for b in boxes})
        for b in boxes:
            label = f"{name} {b['what']!r} {b['w']:.1f}×{b['h']:.1f}"
            if b["w"] < MINIMUM - 0.01 or b["h"] < MINIMUM - 0.01:
                failures.append(f"{label}: under {MINIMUM}×{MINIMUM}")
            short = {
                None: False,
                "height": b["h"] < COMFORTABLE - 0.01,
                "both": min(b["w"], b["h"]) < COMFORTABLE - 0.01,
                "either": max(b["w"], b["h"]) < COMFORTABLE - 0.01,
            }[key]
            if short:
                failures.append(f"{label}: {key} under {COMFORTABLE}")


def _overlaps(a, b) -> bool:
    """Whether two boxes share more than a hairline."""
    return (min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5
            and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5)  # fmt: skip


def _inside(a, b) -> bool:
    """Whether box `a` lies within box `b` (to a hairline)."""
    return (a["left"] >= b["left"] - 0.5 and a["right"] <= b["right"] + 0.5
            and a["top"] >= b["top"] - 0.5 and a["bottom"] <= b["bottom"] + 0.5)  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_control_is_big_enough_to_tap(touch_phone, guard, live_server, lang):
    page = touch_phone
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}", viewport=PHONE)
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")
    failures: list[str] = []
    sizes: dict[str, list[str]] = {}
    _measure(page, TOP_BAR_CLOSED, failures, sizes)
    page.locator(".topbar .menu-toggle").click()
    expect(page.locator(".topbar")).to_have_class(re.compile(r"\bmenu-open\b"))
    targets = dict(TOP_BAR_OPEN)
    if lang != "ar":  # the choice of digits is offered in Arabic only
        del targets["digit toggle"]
    _measure(page, targets, failures, sizes)
    page.locator(".topbar .menu-toggle").click()
    _measure(page, PANEL, failures, sizes)
    print(f"\n[{lang}] " + "\n".join(f"{k}: {', '.join(v)}" for k, v in sizes.items()))
    assert not failures, "targets too small to tap:\n" + "\n".join(failures)
    guard.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_targets_in_a_table_row_neither_overlap_nor_leave_it(touch_phone, guard, live_server, lang):
    """A site's link and its "show on map" button sit side by side: a finger meant for one
    must not land on the other, nor on the row above or below (a tap there shows that row's
    site)."""
    page = touch_phone
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}", viewport=PHONE)
    rows = page.evaluate(_ROW_TARGETS)
    assert len(rows) >= 5
    failures: list[str] = []
    for row in rows:
        targets, box = row["targets"], row["box"]
        assert len(targets) >= 2, row  # the site's link and its button
        for n, a in enumerate(targets):
            if not _inside(a["box"], box):
                failures.append(f"{row['row']}: {a['what']!r} reaches out of its row")
            for b in targets[n + 1 :]:
                if _overlaps(a["box"], b["box"]):
                    failures.append(f"{row['row']}: {a['what']!r} overlaps {b['what']!r}")
    assert not failures, "\n".join(failures)
    guard.assert_clean()


def test_a_desktop_with_a_mouse_keeps_its_compact_controls(page, guard, live_server):
    """The larger targets are for coarse pointers only: with a mouse the top bar stays
    compact and the table's buttons and the download links are 24×24 (WCAG 2.5.8, which
    holds for a mouse too: they were 18×20 and 19 px tall), not the 44 px of a touch screen."""
    open_map(page, live_server)
    assert not page.evaluate("matchMedia('(pointer: coarse)').matches")
    bar = page.locator(".topbar").bounding_box()
    button = page.locator("#state-table button.show-on-map").first.bounding_box()
    assert bar["height"] < 44, bar
    for side in ("width", "height"):
        assert MINIMUM - 0.01 <= button[side] < 32, button
    failures: list[str] = []
    sizes: dict[str, list[str]] = {}
    _measure(page, {"download links": PANEL["download links"]}, failures, sizes)
    assert not failures, "\n".join(failures)
    guard.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_top_bar_with_a_mouse_is_big_enough_to_click(page, guard, live_server, lang):
    """WCAG 2.5.8 holds for a mouse too: the top bar's links were 23.2 px tall and the
    Arabic page's digit toggle 17.5 × 19.7 (they passed only by its spacing exception)."""
    open_map(page, live_server, f"/?date=2015-08-01&lang={lang}")
    assert not page.evaluate("matchMedia('(pointer: coarse)').matches")
    targets = {"brand": TOP_BAR_CLOSED["brand"]}
    targets |= {k: (selector, None) for k, (selector, _) in TOP_BAR_OPEN.items()}
    if lang != "ar":  # the choice of digits is offered in Arabic only
        del targets["digit toggle"]
    failures: list[str] = []
    sizes: dict[str, list[str]] = {}
    _measure(page, targets, failures, sizes)
    print(f"\n[{lang}] " + "\n".join(f"{k}: {', '.join(v)}" for k, v in sizes.items()))
    assert not failures, "targets too small to click:\n" + "\n".join(failures)
    assert page.locator(".topbar").bounding_box()["height"] < 44  # still the compact bar
    guard.assert_clean()


# --- Editor, review and site pages -------------------------------------------------------

EDITOR_PASSWORD = "tap targets password"
# The pages an editor works in, as the admin sees them ({edit}, {delete}, {proposal}: a
# control period's forms and a contributor's proposal, filled in by the fixture).
EDITOR_PAGES = [
    "/editor/",
    "/editor/sites/",
    "/editor/sources/",
    "/editor/control-periods/?site=al-qaim",
    "/editor/sites/new",
    "{edit}",
    "{delete}",
    "/editor/sites/al-qaim/log-control",
    "/editor/sites/al-qaim/log-status",
    "/editor/sites/al-qaim/verify",
    "/editor/import",  # its button only: its links are in its text
    "/sites/al-qaim",  # with its editor links
    "/review",
    "{proposal}",
]
CONTRIBUTOR_PAGES = ["/review/mine", "{proposal}"]
# A site's page as a visitor sees it, today and on a day (its links name the day).
SITE_PAGES = ["/sites/al-qaim", "/sites/al-qaim?date=2015-08-01"]

# Every link, button (a submit field too), select and summary of the page's content that
# one taps on its own, with its box. A link inside a sentence is left out: WCAG 2.5.8
# exempts a target "in a sentence or ... constrained by the line-height of non-target
# text"; a link is taken to be in one when the block it sits in has words outside its links
# and controls ("· " and "›" between links are no sentence). Checkboxes, radio buttons and
# file fields keep the size the browser gives them (the exception for user-agent controls)
# and are not measured; text fields are wide and tall.
_EDITOR_TARGETS = """() => {
    const TARGETS = 'a[href], button, select, summary, input, textarea';
    const inSentence = (el) => {
        let block = el.parentElement;
        while (block && getComputedStyle(block).display.startsWith('inline')) {
            block = block.parentElement;
        }
        const copy = block.cloneNode(true);
        copy.querySelectorAll(TARGETS + ', .visually-hidden').forEach((n) => n.remove());
        return /\\p{L}{2,}/u.test(copy.textContent);
    };
    const tapped = 'a[href], button, select, summary, input[type=submit], input[type=button]';
    return [...document.querySelectorAll(`main :is(${tapped}, input[type=reset])`)]
        .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
                        && !el.closest('[hidden]'))
        .filter((el) => !(el.tagName === 'A' && inSentence(el)))
        .map((el) => {
            const r = el.getBoundingClientRect();
            return {w: r.width, h: r.height, what: (el.getAttribute('aria-label') || el.textContent
                    || el.value || el.tagName).trim().replace(/\\s+/g, ' ').slice(0, 40)};
        });
}"""


def _sign_in_as(page, base: str, name: str) -> None:
    """Sign in through the form, as tests/browser/test_editor.py's sign_in_page does."""
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/editor/")


@pytest.fixture(scope="module")
def editor_server(browser, tmp_path_factory):
    """A seeded app of its own with an admin ("tap-admin") and a contributor ("tap-cora")
    whose proposal waits for review, served; yields (base URL, page paths by name). Its
    own, so the waiting proposal never reaches the other browser tests."""
    import threading

    from flask_migrate import upgrade
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from app import create_app
    from app.db.models import ControlPeriod, Site, User
    from app.extensions import db
    from app.io import seed

    db_file = tmp_path_factory.mktemp("tap-editor") / "atlas.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "SECRET_KEY": "tap",
            "TESTING": False,
            # The file the import's report is measured with waits here, not in instance/.
            "IMPORT_DIR": str(tmp_path_factory.mktemp("tap-imports")),
        }
    )
    with app.app_context():
        upgrade()
        seed.load(app.config["SEED_FILE"])
        for name, role in (("tap-admin", "admin"), ("tap-cora", "contributor")):
            user = User(username=name, role=role)
            user.set_password(EDITOR_PASSWORD)
            db.session.add(user)
        db.session.commit()
        qaim = db.session.scalar(select(Site.id).where(Site.slug == "al-qaim"))
        period = db.session.scalar(
            select(ControlPeriod.id).where(ControlPeriod.site_id == qaim).order_by(ControlPeriod.id)
        )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context()
    try:
        page = context.new_page()
        _sign_in_as(page, base, "tap-cora")
        page.goto(f"{base}/editor/sites/al-waleed/log-control")
        page.get_by_label("New controller").select_option(
            label="Hashd al-Ashaeri (Sunni tribal militias)"
        )
        page.get_by_label("Date", exact=True).fill("2026-10-01")
        page.get_by_label("Source title", exact=True).fill("Tribal forces take the crossing")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(rf"{re.escape(base)}/review/\d+$"))
        proposal = page.url.removeprefix(base)
    finally:
        context.close()
    paths = {
        "edit": f"/editor/control-periods/{period}/edit",
        "delete": f"/editor/control-periods/{period}/delete",
        "proposal": proposal,
    }
    yield base, paths
    server.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _measure_pages(page, base: str, paths: list[str], filled: dict, lang: str) -> list[str]:
    """Each small target of each page, named with the page."""
    failures: list[str] = []
    for path in paths:
        path = path.format(**filled)
        url = f"{base}{path}{'&' if '?' in path else '?'}lang={lang}"
        response = page.goto(url)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        page.wait_for_load_state("load")  # measured as styled
        boxes = page.evaluate(_EDITOR_TARGETS)
        failures += [
            f"{path}: {b['what']!r} {b['w']:.1f}×{b['h']:.1f}"
            for b in boxes
            if b["w"] < MINIMUM - 0.01 or b["h"] < MINIMUM - 0.01
        ]
    return failures


def _measure_import_report(page, base: str, lang: str) -> list[str]:
    """The small targets of the import page once a file is checked (its report, the file's
    Import button, the list of waiting files); the file is discarded after."""
    sites = page.request.get(f"{base}/api/sites.csv")
    assert sites.ok
    page.goto(f"{base}/editor/import?lang={lang}")
    page.locator("main input[type=file]").set_input_files(
        files=[{"name": "sites.csv", "mimeType": "text/csv", "buffer": sites.body()}]
    )
    page.locator("main form[enctype] input[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".import-waiting button")).to_have_count(1)
    expect(page.locator("main input[type=submit]")).to_have_count(2)  # Import, Check file
    boxes = page.evaluate(_EDITOR_TARGETS)
    page.locator(".import-waiting button").click()
    expect(page.locator(".import-waiting")).to_have_count(0)
    return [
        f"/editor/import (checked): {b['what']!r} {b['w']:.1f}×{b['h']:.1f}"
        for b in boxes
        if b["w"] < MINIMUM - 0.01 or b["h"] < MINIMUM - 0.01
    ]


def _screen(browser, screen: str):
    """A new browser context: a desktop with a mouse at 1280×860 or a 390×844 touch phone."""
    options = (
        {"viewport": {"width": 1280, "height": 860}}
        if screen == "desktop"
        else {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    )
    return browser.new_context(**options)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_editor_and_review_pages_have_no_target_under_24px(
    browser, guard, editor_server, screen, lang
):
    """WCAG 2.5.8 on the editor's pages, with a mouse at 1280×860 and on a 390×844 touch
    phone: the crumbs, the record kinds, a row's "Edit" and "Log a change", "#7" of a
    proposal, "Back to the form", a site's editor links were 19–22 px tall (the proposal's
    number 17 px wide), the import's "Check file" button 21 px tall."""
    base, filled = editor_server
    context = _screen(browser, screen)
    try:
        page = context.new_page()
        page.route("**/*", guard.route)
        page.on("pageerror", lambda e: guard.console_errors.append(str(e)))
        failures: list[str] = []
        _sign_in_as(page, base, "tap-admin")
        failures += _measure_pages(page, base, EDITOR_PAGES, filled, lang)
        failures += _measure_import_report(page, base, lang)
        page.context.clear_cookies()
        _sign_in_as(page, base, "tap-cora")
        failures += _measure_pages(page, base, CONTRIBUTOR_PAGES, filled, lang)
    finally:
        context.close()
    assert not failures, f"targets under {MINIMUM}×{MINIMUM} ({screen}, {lang}):\n" + "\n".join(
        failures
    )
    guard.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_site_page_has_no_target_under_24px(browser, guard, live_server, screen, lang):
    """WCAG 2.5.8 on a site's page as a visitor sees it, with a mouse and on a touch phone:
    "Show on the map", "Cite this view" and the Atom feed under its name were 22 px tall."""
    context = _screen(browser, screen)
    try:
        page = context.new_page()
        page.route("**/*", guard.route)
        page.on("pageerror", lambda e: guard.console_errors.append(str(e)))
        failures = _measure_pages(page, live_server, SITE_PAGES, {}, lang)
    finally:
        context.close()
    assert not failures, f"targets under {MINIMUM}×{MINIMUM} ({screen}, {lang}):\n" + "\n".join(
        failures
    )
    guard.assert_clean()
