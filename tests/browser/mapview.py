"""Shared helpers of the map page's browser tests: viewports and opening the map."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


def open_map(page, live_server, path="/?date=2015-08-01", viewport=DESKTOP):
    """Load the map page at `viewport` and wait until the explorer has drawn."""
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}{path}")
    expect(page.locator("#timebar")).to_be_visible()
    page.wait_for_function("() => window.AtlasMap && AtlasMap.instance")
    # A site named in the URL opens its popup, which may glide into view.
    wait_until_still(page)
    # Labels are placed on the next animation frame.
    page.wait_for_timeout(150)


def js(page, expression, arg=None):
    """Evaluate an arrow function taking one argument (a plain expression needs none)."""
    return page.evaluate(expression, arg)


def wait_until_still(page):
    """Wait for the map to stop moving (a popup's auto-pan is animated, a zoom may be): a
    click sent while the popup glides would land where its link was a frame before, and a
    view set during a zoom's glide is replaced by the glide's own when it lands."""
    page.wait_for_function(
        """() => {
            const map = AtlasMap.instance.map, pan = map._panAnim;
            return !(pan && pan._inProgress) && !map._animatingZoom;
        }"""
    )
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
