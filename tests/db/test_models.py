"""Model hooks: a site's stored search names follow its names, whoever edits them."""

from app.core import search
from app.db.models import Site
from app.extensions import db


def test_search_text_follows_name_changes(app):
    with app.app_context():
        site = Site(
            slug="x-post",
            name="Tall Safa",
            name_ar="تل صفا",
            aliases=["Tel Safa"],
            country="SY",
            kind="town",
            lon=40.0,
            lat=35.0,
        )
        db.session.add(site)
        db.session.commit()
        assert search.matches("tel safa", site.search_text)
        site.aliases = ["Tell es-Safa"]
        site.name = "Tall as-Safa"
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Site, site.id).search_text
        assert stored.split("\n") == ["tall assafa", "تل صفا", "x post", "tell essafa"]
