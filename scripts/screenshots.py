"""Renew the README's screenshots in docs/: the app on the seed data, in Debian's Chromium.

usage: .venv/bin/python scripts/screenshots.py   (after `make setup`; needs /usr/bin/chromium)
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.io import seed  # noqa: E402

DOCS = ROOT / "docs"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# (file, path, viewport, selector to wait for): a handover window at Albukamal, a site page,
# the same map date on a phone, and the first two in Arabic.
SHOTS = [
    ("map.png", "/?date=2024-12-15&site=albukamal", DESKTOP, ".leaflet-popup"),
    ("site-page.png", "/sites/al-tanf?date=2016-03-05", DESKTOP, "svg"),
    ("map-phone.png", "/?date=2014-07-01", PHONE, ".leaflet-marker-icon, .atlas-mark"),
    ("map-ar.png", "/?lang=ar&date=2024-12-15&site=albukamal", DESKTOP, ".leaflet-popup"),
    ("site-page-ar.png", "/sites/al-tanf?lang=ar&date=2016-03-05", DESKTOP, "svg"),
]


def main() -> int:
    """Seed a throwaway database, serve it, and photograph each view."""
    with tempfile.TemporaryDirectory(prefix="atlas-shots-") as tmp:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/atlas.sqlite", "SECRET_KEY": "shots"}
        )
        with app.app_context():
            upgrade()
            seed.load(app.config["SEED_FILE"])
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                for name, path, size, ready in SHOTS:
                    page = browser.new_page(viewport=size, is_mobile=size is PHONE)
                    page.goto(base + path)
                    page.locator(ready).first.wait_for()
                    page.wait_for_timeout(500)  # labels are placed on the next frame
                    page.screenshot(path=str(DOCS / name))
                    print(f"docs/{name}: {base}{path}")
                    page.close()
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
