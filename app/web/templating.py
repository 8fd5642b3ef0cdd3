"""Every template filter and global, registered in one place."""

from __future__ import annotations

from flask import Flask

from app.core import clock, vocabulary
from app.core.map_encoding import safe_colour
from app.core.text_rules import language_of, safe_url
from app.web import ages, share
from app.web.assets import asset_url
from app.web.security import csp_nonce


def init_app(app: Flask) -> None:
    """Register the filters and globals on the app's Jinja environment."""
    app.jinja_env.globals.update(
        csp_nonce=csp_nonce,
        vocabulary=vocabulary,
        asset_url=asset_url,
        page_alternates=share.alternates,
    )
    app.jinja_env.filters.update(
        # Every href built from stored data goes through safe_url.
        safe_url=safe_url,
        # An actor colour that is safe inside a style attribute.
        colour=safe_colour,
        utc=clock.label,
        ago=ages.ago,
        # text_lang marks free text by the rule the SVG timeline uses: one definition.
        language_of=language_of,
    )
