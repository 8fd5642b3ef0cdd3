"""What browsers and crawlers ask for at the site's root: /favicon.ico and /robots.txt."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

from app.web.params import only_args

bp = Blueprint("site_files", __name__)

# Crawlers may read the pages (the map, the sites, the OGC API's landing pages); they are
# kept from what is costly to make and endless to list: pictures drawn on request,
# whole-database downloads, every date, record state and page of items, searches, and
# every page behind a sign-in (RFC 9309: `*` matches any characters). The apps that show
# a preview of a shared link fetch only that page and the picture it names (app.web.share),
# and may fetch any: a dated map is what people share most.
PREVIEWERS = ("Twitterbot", "facebookexternalhit", "Slackbot", "LinkedInBot", "Discordbot",
              "TelegramBot", "WhatsApp")  # fmt: skip
_PREVIEWS = "".join(f"User-agent: {agent}\n" for agent in PREVIEWERS) + "Disallow:\n"
_CRAWLERS = """\
User-agent: *
Disallow: /api/
Disallow: /maps/
Disallow: /timeline.
Disallow: /ogc/collections/*/items
Disallow: /search
Disallow: /embed
Disallow: /editor/
Disallow: /review
Disallow: /history
Disallow: /sites/*/history
Disallow: /login
Disallow: /*date=
Disallow: /*known=
Disallow: /*rev=
"""
ROBOTS = f"{_PREVIEWS}\n{_CRAWLERS}"


@bp.get("/robots.txt")
def robots():
    """Which paths crawlers may follow."""
    only_args()
    return Response(ROBOTS, mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon():
    """The icon clients ask for by this name (pages link static/img/icon.svg)."""
    only_args()
    folder = Path(current_app.static_folder or "") / "img"
    return send_from_directory(folder, "favicon.ico", mimetype="image/vnd.microsoft.icon")
