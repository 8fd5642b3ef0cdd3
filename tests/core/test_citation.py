"""Citation texts of a view: exact APA, Chicago and BibTeX, escaping and stable keys."""

from __future__ import annotations

import datetime as dt
import doctest

from app.core import citation
from app.core.citation import Cited, Source

URL = "https://atlas.example.org/?date=2015-06-01&known=2026-11-30&rev=1234"
SOURCES = (
    Source("Iraq retakes al-Qa'im", "Reuters", "https://example.org/a", "3 Nov 2017"),
    Source("Notes & figures: 50% of #2_a {x}", "", "", ""),
)


def _map(**changes) -> Cited:
    values = {
        "day": dt.date(2015, 6, 1),
        "site": None,
        "site_slug": None,
        "known": dt.date(2026, 11, 30),
        "revision": 1234,
        "url": URL,
        "accessed": dt.date(2026, 12, 2),
        "sources": SOURCES,
    }
    return Cited(**{**values, **changes})


def test_doctests():
    assert doctest.testmod(citation).failed == 0


def test_apa_of_the_whole_map():
    assert citation.apa(_map()) == (
        "Border Control Atlas. (2026). Control of the Syria–Iraq border crossings on "
        "1 June 2015 (Revision 1234, as the record stood on 30 November 2026) [Data set]. "
        f"Retrieved December 2, 2026, from {URL}"
    )


def test_chicago_of_one_site():
    c = _map(site="al-Qa'im", site_slug="al-qaim", url="https://x.org/sites/al-qaim")
    assert citation.chicago(c) == (
        "Border Control Atlas. “Control of al-Qa'im on 1 June 2015.” Revision 1234, as the "
        "record stood on 30 November 2026. Accessed December 2, 2026. "
        "https://x.org/sites/al-qaim."
    )


def test_bibtex_entry():
    assert citation.bibtex(_map()) == (
        "@misc{bca-2015-06-01-r1234,\n"
        "  author = {{Border Control Atlas}},\n"
        "  title = {{Control of the Syria–Iraq border crossings on 1 June 2015}},\n"
        "  year = {2026},\n"
        "  howpublished = {\\url{" + URL + "}},\n"
        "  url = {" + URL + "},\n"
        "  urldate = {2026-12-02},\n"
        "  note = {Record as it stood on 30 November 2026 (revision 1234)},\n"
        "}\n"
    )


def test_bibtex_escapes_what_latex_reads_specially():
    c = _map(site="Site_1 & {50%} #3 $x ~y^z a\\b", site_slug="site-1")
    entry = citation.bibtex(c)
    assert "  title = {{Control of Site\\_1 \\& \\{50\\%\\} \\#3 \\$x \\textasciitilde{}y" in entry
    assert "\\textasciicircum{}z a\\textbackslash{}b on 1 June 2015}},\n" in entry
    # Every brace is balanced: the entry is one group and no field ends early.
    depth = 0
    for i, ch in enumerate(entry):
        if ch in "{}" and entry[i - 1] != "\\":
            depth += 1 if ch == "{" else -1
            assert depth >= 0
    assert depth == 0


def test_bibtex_urls_never_end_the_field():
    c = _map(url="https://x.org/a b{c}?q=50%25#top")
    entry = citation.bibtex(c)
    assert "  url = {https://x.org/a%20b%7Bc%7D?q=50%25#top},\n" in entry
    assert "  howpublished = {\\url{https://x.org/a\\%20b\\%7Bc\\%7D?q=50\\%25\\#top}},\n" in entry


def test_keys_are_stable_and_name_the_view():
    assert citation.key(_map()) == "bca-2015-06-01-r1234"
    assert citation.key(_map(site="Semalka", site_slug="semalka", revision=7)) == (
        "bca-semalka-2015-06-01-r7"
    )
    assert citation.key(_map()) == citation.key(_map(accessed=dt.date(2030, 1, 1)))


def test_source_lines():
    texts = citation.cite(_map())
    assert texts.sources == (
        "Reuters. “Iraq retakes al-Qa'im.” 3 Nov 2017. https://example.org/a",
        "“Notes & figures: 50% of #2_a {x}.”",
    )


def test_translated_words_and_dates():
    words = {"Border Control Atlas": "أطلس السيطرة على الحدود", "Data set": "مجموعة بيانات"}
    texts = citation.cite(_map(), words, long_day=lambda d: d.isoformat())
    assert texts.apa.startswith("أطلس السيطرة على الحدود. (2026). Control of the Syria–Iraq")
    assert "[مجموعة بيانات]. Retrieved 2026-12-02, from" in texts.apa
    assert "author = {{أطلس السيطرة على الحدود}}" in texts.bibtex
    assert "note = {Record as it stood on 2026-11-30 (revision 1234)}" in texts.bibtex


def test_every_phrase_is_marked_for_translation():
    texts = citation.cite(_map(site="X", site_slug="x"), {w: "«" + w + "»" for w in citation.WORDS})
    for text in (texts.apa, texts.chicago):
        assert "«Border Control Atlas»" in text
    assert "«Control of X on 1 June 2015»" in texts.apa
    assert "«Record as it stood" in texts.bibtex


def test_no_full_stop_after_a_question_or_a_full_stop():
    c = _map(sources=(Source("Who holds it?", "AFP.", "", "Jun 2014"),))
    assert citation.cite(c).sources == ("AFP. “Who holds it?” Jun 2014.",)


def test_unique_keeps_first_order():
    a, b = SOURCES
    assert citation.unique([b, a, b, a]) == (b, a)
