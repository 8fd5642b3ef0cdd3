"""Citation texts of one view of the atlas: APA 7, Chicago and BibTeX, plus its sources.

A view is "who held the crossings (or one site) on day D"; a citation pins it to the
record as it stood on a known day, at a revision, so the cited answer can be reopened
after later corrections. Pure: the caller gives the permalink, the access date and the
sources, and may translate WORDS (marked N_) and word the dates in its own language.

>>> c = Cited(dt.date(2015, 6, 1), "al-Qa'im", "al-qaim", dt.date(2026, 11, 30), 1234,
...           "https://atlas.example.org/sites/al-qaim?date=2015-06-01", dt.date(2026, 11, 30))
>>> key(c)
'bca-al-qaim-2015-06-01-r1234'
>>> print(apa(c))  # doctest: +NORMALIZE_WHITESPACE
Border Control Atlas. (2026). Control of al-Qa'im on 1 June 2015 (Revision 1234, as the
record stood on 30 November 2026) [Data set]. Retrieved November 30, 2026, from
https://atlas.example.org/sites/al-qaim?date=2015-06-01
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.core import bounds
from app.core.text_rules import N_

__all__ = [
    "Source",
    "Cited",
    "Texts",
    "WORDS",
    "cite",
    "apa",
    "chicago",
    "bibtex",
    "key",
    "title",
    "source_line",
    "bibtex_escape",
    "english_day",
    "us_day",
    "unique",
]

AUTHOR = N_("Border Control Atlas")
_TITLE_MAP = N_("Control of the Syria–Iraq border crossings on %(date)s")
_TITLE_SITE = N_("Control of %(site)s on %(date)s")
_VERSION = N_("Revision %(revision)s, as the record stood on %(date)s")
_DATA_SET = N_("Data set")
_RETRIEVED = N_("Retrieved %(date)s, from %(url)s")
_ACCESSED = N_("Accessed %(date)s.")
_NOTE = N_("Record as it stood on %(date)s (revision %(revision)s)")
#: Every phrase of the citations, for the caller to translate (i18n.translated).
WORDS = (AUTHOR, _TITLE_MAP, _TITLE_SITE, _VERSION, _DATA_SET, _RETRIEVED, _ACCESSED, _NOTE)


@dataclass(frozen=True)
class Source:
    """One source of the cited answer; `published` is its date as text ("3 Nov 2017")."""

    title: str
    publisher: str = ""
    url: str = ""
    published: str = ""


@dataclass(frozen=True)
class Cited:
    """What is cited: day D of the whole map (`site` None) or of one site, as known."""

    day: dt.date
    site: str | None
    site_slug: str | None
    known: dt.date
    revision: int
    url: str
    accessed: dt.date
    sources: tuple[Source, ...] = field(default=())


@dataclass(frozen=True)
class Texts:
    """The citation in each format, and one plain line per source."""

    apa: str
    chicago: str
    bibtex: str
    sources: tuple[str, ...]


def english_day(day: dt.date) -> str:
    """ "1 June 2015": the day in titles and notes."""
    return f"{day.day} {bounds.MONTHS[day.month - 1]} {day.year}"


def us_day(day: dt.date) -> str:
    """ "November 30, 2026": retrieval and access dates as APA and Chicago write them."""
    return f"{bounds.MONTHS[day.month - 1]} {day.day}, {day.year}"


@dataclass(frozen=True)
class _Words:
    """Translated phrases and date wording; English by default."""

    words: Mapping[str, str]
    long_day: Callable[[dt.date], str]
    access_day: Callable[[dt.date], str]

    def __call__(self, message: str, **values: object) -> str:
        text = self.words.get(message) or message
        return text % values if values else text


def _words(words: Mapping[str, str] | None, long_day: Callable[[dt.date], str] | None) -> _Words:
    # A caller's own date wording (another language) serves for the access dates too.
    return _Words(words or {}, long_day or english_day, long_day or us_day)


def title(c: Cited, words: Mapping[str, str] | None = None, long_day=None) -> str:
    """ "Control of al-Qa'im on 1 June 2015", or of every crossing without a site."""
    w = _words(words, long_day)
    if c.site:
        return w(_TITLE_SITE, site=c.site, date=w.long_day(c.day))
    return w(_TITLE_MAP, date=w.long_day(c.day))


def _version(c: Cited, w: _Words) -> str:
    return w(_VERSION, revision=c.revision, date=w.long_day(c.known))


def apa(c: Cited, words: Mapping[str, str] | None = None, long_day=None) -> str:
    """APA 7, data set with a version and a retrieval date (the record keeps changing)."""
    w = _words(words, long_day)
    return (
        f"{w(AUTHOR)}. ({c.known.year}). {title(c, words, long_day)} ({_version(c, w)}) "
        f"[{w(_DATA_SET)}]. {w(_RETRIEVED, date=w.access_day(c.accessed), url=c.url)}"
    )


def chicago(c: Cited, words: Mapping[str, str] | None = None, long_day=None) -> str:
    """Chicago notes-bibliography, bibliography entry of a web page."""
    w = _words(words, long_day)
    return (
        f"{w(AUTHOR)}. “{_sentence(title(c, words, long_day))}” {_version(c, w)}. "
        f"{w(_ACCESSED, date=w.access_day(c.accessed))} {c.url}."
    )


def key(c: Cited) -> str:
    """A stable BibTeX key: the same view of the same revision always gets the same key."""
    parts = ["bca", c.site_slug or "", c.day.isoformat(), f"r{c.revision}"]
    return "-".join(p for p in parts if p)


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "#": r"\#",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(ch) for ch in _BIBTEX_SPECIAL))


def bibtex_escape(text: str) -> str:
    r"""Text safe inside a BibTeX field: LaTeX's specials escaped, braces balanced.

    >>> print(bibtex_escape("R&D_1 {50%} #2 ~x^y $ a\\b"))
    R\&D\_1 \{50\%\} \#2 \textasciitilde{}x\textasciicircum{}y \$ a\textbackslash{}b
    """
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], text)


def _bibtex_url(url: str) -> str:
    """A URL for url = {…}: read verbatim, so only what would end the field is encoded."""
    return "".join(f"%{ord(ch):02X}" if ch in "{}\\ \n\r\t" else ch for ch in url)


def bibtex(c: Cited, words: Mapping[str, str] | None = None, long_day=None) -> str:
    """A @misc entry; the double braces keep the corporate author and the title's case."""
    w = _words(words, long_day)
    url = _bibtex_url(c.url)
    # \url{} inside a field is an argument, where % and # must be escaped for LaTeX.
    shown = url.replace("%", r"\%").replace("#", r"\#")
    fields = [
        ("author", "{" + bibtex_escape(w(AUTHOR)) + "}"),
        ("title", "{" + bibtex_escape(title(c, words, long_day)) + "}"),
        ("year", str(c.known.year)),
        ("howpublished", r"\url{" + shown + "}"),
        ("url", url),
        ("urldate", c.accessed.isoformat()),
        ("note", bibtex_escape(w(_NOTE, date=w.long_day(c.known), revision=c.revision))),
    ]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@misc{{{key(c)},\n{body}}}\n"


def _sentence(text: str) -> str:
    """`text` ended by a full stop unless it ends with one, "?" or "!" already."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def source_line(s: Source) -> str:
    """ "Reuters. “Iraq retakes al-Qa'im.” 3 Nov 2017. https://…": one source, plainly."""
    parts = [_sentence(s.publisher), f"“{_sentence(s.title)}”", _sentence(s.published), s.url]
    return " ".join(p for p in parts if p)


def cite(
    c: Cited,
    words: Mapping[str, str] | None = None,
    long_day: Callable[[dt.date], str] | None = None,
) -> Texts:
    """Every citation text of `c`; `words` translates WORDS, `long_day` words a date."""
    return Texts(
        apa=apa(c, words, long_day),
        chicago=chicago(c, words, long_day),
        bibtex=bibtex(c, words, long_day),
        sources=tuple(source_line(s) for s in c.sources),
    )


def unique(sources: Iterable[Source]) -> tuple[Source, ...]:
    """`sources` without repeats, in their first order (two periods may cite one source)."""
    return tuple(dict.fromkeys(sources))
