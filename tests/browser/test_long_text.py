"""Text as editors write it: one unbroken string of 3,000 characters in a period's note
widened the site page to about 24,000 px; it now wraps inside its cell."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import ControlPeriod, Site
from app.extensions import db
from tests.browser.mapview import DESKTOP, PHONE

LONG = "x" * 3000


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_unbroken_note_wraps_inside_the_page(page, guard, live_app, live_server, viewport, lang):
    with live_app.app_context():
        period = db.session.scalars(
            select(ControlPeriod).join(Site).where(Site.slug == "akashat")
        ).first()
        kept, period.note = period.note, LONG
        db.session.commit()
        pid = period.id
    try:
        page.set_viewport_size(viewport)
        page.goto(f"{live_server}/sites/akashat?lang={lang}")
        assert page.locator("td p", has_text=LONG[:50]).count() == 1
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= viewport["width"], wide
        guard.assert_clean()
    finally:
        with live_app.app_context():
            db.session.get(ControlPeriod, pid).note = kept
            db.session.commit()
