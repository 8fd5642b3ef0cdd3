"""The page's own scripts and style sheets: their minified copies where set-up made them.

`make setup` (scripts/minify_assets.py) writes `x.min.js` beside each `static/js/x.js` and
`x.min.css` beside each `static/css/x.css`. A page links the copy while it is at least as
new as its source, so an edited source is served as it is until set-up runs again.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app, url_for


def minified_name(name: str) -> str:
    """The minified copy's name of a static file: "js/map.js" → "js/map.min.js".

    >>> minified_name("js/atlas-map.js"), minified_name("css/app.css")
    ('js/atlas-map.min.js', 'css/app.min.css')
    """
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.min{dot}{ext}"


def chosen(static: Path, name: str) -> str:
    """`name`, or its minified copy when that exists and is not older than `name`."""
    copy = minified_name(name)
    try:
        fresh = os.stat(static / copy).st_mtime_ns >= os.stat(static / name).st_mtime_ns
    except FileNotFoundError:
        return name
    return copy if fresh else name


def asset_url(name: str) -> str:
    """The URL of the static script or style sheet `name` as the page should link it."""
    return url_for("static", filename=chosen(Path(current_app.static_folder or ""), name))
