"""English text on Arabic pages is marked English (WCAG 3.1.2), Arabic text on English
pages Arabic: a source's title and publisher by the language its record gives, the
editors' free text (notes, event titles, which have no language on record) by its script."""

from __future__ import annotations

import lxml.html
from sqlalchemy import select

from app.db.models import ControlPeriod, Event, Site
from app.extensions import db


def _tree(client, path: str):
    resp = client.get(path)
    assert resp.status_code == 200, path
    return lxml.html.fromstring(resp.get_data(as_text=True))


def _source_parts(tree):
    """(text, lang) of each source's title and publisher on the page."""
    items = tree.xpath("//ul[@class='sources']/li")
    assert items, "the page cites sources"
    parts = []
    for li in items:
        for el in li.xpath("./a[not(contains(@href, 'web.archive.org'))] | ./bdi"):
            if el.text_content().strip():
                parts.append((el.text_content().strip(), el.get("lang")))
    return parts


def test_english_sources_notes_and_event_titles_are_marked_english_on_arabic_pages(
    seeded_client,
):
    tree = _tree(seeded_client, "/sites/al-qaim?lang=ar")
    parts = _source_parts(tree)
    assert all(lang == "en" for _text, lang in parts), [p for p in parts if p[1] != "en"]
    assert any("The Oasis Report on" in text for text, _lang in parts)
    notes = tree.xpath("//table[@class='periods']//td/p[@dir='auto']")
    assert notes and all(p.get("lang") == "en" for p in notes)
    titles = tree.xpath("//ul[@class='events']/li/bdi")
    assert titles and all(b.get("lang") == "en" for b in titles)
    assert tree.xpath("//p[@class='note']")[0].get("lang") == "en"


def test_english_pages_mark_only_what_is_not_english(seeded_client):
    tree = _tree(seeded_client, "/sites/al-qaim")
    assert {lang for _text, lang in _source_parts(tree)} == {None}
    marked = tree.xpath(
        "//table[@class='periods']//td/p[@lang] | //ul[@class='events']/li/bdi[@lang]"
        " | //p[@class='note'][@lang]"
    )
    assert marked == []


def _rewrite_al_qaim(note: str, title: str) -> ControlPeriod:
    """Give al-Qa'im's first period with a note and its first event other words (not
    committed); return that period."""
    site = db.session.scalar(select(Site).where(Site.slug == "al-qaim"))
    period = db.session.scalar(
        select(ControlPeriod).where(ControlPeriod.site_id == site.id, ControlPeriod.note != "")
    )
    period.note = note
    event = db.session.scalars(select(Event).where(Event.sites.contains(site))).first()
    event.title = title
    return period


def test_the_recorded_language_and_arabic_script_decide(seeded):
    with seeded.app_context():
        period = _rewrite_al_qaim("أغلقت الحكومة العراقية المعبر", "إعادة فتح المعبر")
        source = period.sources[0]
        source.title, source.publisher, source.language = "تقرير", "وكالة الأنباء العراقية", "ar"
        wanted = (source.title, source.publisher)
        db.session.commit()
    client = seeded.test_client()
    english = _tree(client, "/sites/al-qaim")
    arabic = _tree(client, "/sites/al-qaim?lang=ar")
    for tree, lang in ((english, "ar"), (arabic, None)):
        parts = dict(_source_parts(tree))
        assert all(parts[text] == lang for text in wanted), parts
        note = [
            p for p in tree.xpath("//table[@class='periods']//td/p") if "المعبر" in p.text_content()
        ]
        assert note and note[0].get("lang") == lang and note[0].get("dir") == "auto"
        title = [
            b for b in tree.xpath("//ul[@class='events']/li/bdi") if "المعبر" in b.text_content()
        ]
        assert title and title[0].get("lang") == lang


def test_a_language_field_that_is_no_code_marks_nothing(seeded):
    with seeded.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "al-qaim"))
        period = db.session.scalars(
            select(ControlPeriod).where(ControlPeriod.site_id == site.id)
        ).first()
        source = period.sources[0]
        source.language, wanted = "English!", source.title
        db.session.commit()
    tree = _tree(seeded.test_client(), "/sites/al-qaim?lang=ar")
    assert dict(_source_parts(tree))[wanted] is None


def test_free_text_with_both_scripts_or_no_letters_is_left_to_the_page(seeded):
    with seeded.app_context():
        _rewrite_al_qaim("قسد (SDF) تسيطر على المعبر", "2017–2018")
        db.session.commit()
    client = seeded.test_client()
    for path in ("/sites/al-qaim", "/sites/al-qaim?lang=ar"):
        tree = _tree(client, path)
        (note,) = [p for p in tree.xpath("//table[@class='periods']//td/p") if "SDF" in p.text]
        (title,) = [b for b in tree.xpath("//ul[@class='events']/li/bdi") if b.text == "2017–2018"]
        assert (note.get("lang"), title.get("lang")) == (None, None), path
