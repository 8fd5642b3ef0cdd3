"""Rules for text that people bring in — forms, imports, restores, the seed file — and
the last check before a stored address becomes a link. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from typing import Self
from urllib.parse import urlsplit

__all__ = [
    "ALIASES_MAX",
    "ARABIC_LETTER",
    "NOTE_MAX",
    "N_",
    "REF_MAX",
    "Counted",
    "Named",
    "Phrase",
    "Refusal",
    "Word",
    "control_problem",
    "is_slug",
    "language_of",
    "listed",
    "safe_url",
    "source_refs",
    "url_problem",
]


def N_(message: str) -> str:
    """Mark a message for the translators' catalogue (pybabel -k N_); the caller translates."""
    return message


def worded(words: Mapping[str, str], message: str, **values: object) -> str:
    """An N_ message as `words` (message → translation) give it, else in English, with its
    {placeholders} filled: how the pure modules that draw speak the reader's language.

    >>> worded({"{n} km": "{n} كم"}, "{n} km", n=5), worded({}, "Legend")
    ('5 كم', 'Legend')
    """
    return (words.get(message) or message).format(**values)


class Phrase(str):
    """Text for a reader that is its English and knows how to be said in another language:
    `message` is a catalogue msgid (marked N_) and `values` fill its placeholders (a value
    may be a Phrase or a Refusal). Being a str, it goes wherever the English went: logs,
    the command line, comparisons, sorting; the web layer says it (i18n.said).

    >>> place = Phrase(N_("line %(line)s"), line=3)
    >>> place, Phrase(N_("%(file)s %(place)s"), file="sites.csv", place=place)
    ('line 3', 'sites.csv line 3')
    """

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, **values: object) -> Self:
        self = super().__new__(cls, message % values if values else message)
        self.message, self.values = message, values
        return self


class Counted(Phrase):
    """A Phrase about a number `num`: its singular or plural message, said with each
    language's plural forms (the catalogue's entries: pybabel -k Counted:1,2).

    >>> Counted(N_("%(num)s event"), N_("%(num)s events"), 1), Counted("%(num)s x", "%(num)s xs", 3)
    ('1 event', '3 xs')
    """

    plural: str

    def __new__(cls, singular: str, plural: str, num: int) -> Self:
        self = super().__new__(cls, singular if num == 1 else plural, num=num)
        self.message, self.plural = singular, plural
        return self


class Word(str):
    """A value of the vocabulary in a Phrase ("create", "closed"): the web layer says it as
    the interface says that value."""


class Named(str):
    """A name in a Phrase that the record also holds in Arabic (an actor's, a site's): its
    English, and `ar` for the web layer to say in the Arabic interface.

    >>> Named("ISIS", "داعش"), Named("ISIS", "داعش").ar
    ('ISIS', 'داعش')
    """

    ar: str

    def __new__(cls, name: str, ar: str | None = "") -> Named:
        self = super().__new__(cls, name)
        self.ar = ar or ""
        return self


def listed(items: Sequence[str], joint: str = N_("%(first)s, %(then)s")) -> str:
    """Items in one text joined by `joint` (commas unless told), a Phrase when there are
    several.

    >>> listed(["2 events", "1 verification"]), listed(["a"])
    ('2 events, 1 verification', 'a')
    >>> listed(["must be text", "is required"], N_("%(first)s; %(then)s"))
    'must be text; is required'
    """
    out = items[0]
    for item in items[1:]:
        out = Phrase(joint, first=out, then=item)
    return out


class Refusal(ValueError):
    """Input refused, and why: `message` is a catalogue msgid (marked N_) and `values` fill
    its placeholders, so the web layer can say it in the reader's language; str() is the
    English."""

    def __init__(self, message: str, **values: object):
        super().__init__(message % values)
        self.message, self.values = message, values


#: Longest note or description, in characters.
NOTE_MAX = 5000
#: Most spellings a site may have.
ALIASES_MAX = 50

# C0 controls other than tab, newline and carriage return, and DEL: PostgreSQL refuses
# NUL and XML 1.0 (the Atom feeds) refuses the others.
# C0 and C1 controls but tab and line breaks (C1, U+0080–U+009F, is what mis-decoded
# Windows-1252 text leaves: invisible on screen, and XML discourages it).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Unicode's directional embeddings, overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI,
# RLI, FSI, PDI): one in a name turns the text after it around wherever the name is shown
# (a map label "\u202eRTL" reads "LTR"), the app's own words included.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Lower-case letters and digits joined by single hyphens: "al-qaim", "s28".
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: Longest source ref (the width of its column).
REF_MAX = 40
# Latin letters that Unicode does not split into a base letter and a mark.
_LATIN_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Apostrophes and transliteration marks vanish inside a word: "Qa'im" is "qaim", not "qa-im".
_APOSTROPHES = re.compile(r"['’‘ʼʻʾʿ`´]")
# Characters that RFC 3986 never allows unencoded; quotes and brackets break markup.
_URL_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')
#: The letters that tell the editors' free text in Arabic from text in English.
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_LATIN_LETTER = re.compile("[a-zA-Z]")


def control_problem(value: str) -> Phrase | None:
    """Why `value` cannot be stored (it holds control characters, or direction controls
    that would reorder the text shown around it), or None. The marks LRM and RLM (U+200E,
    U+200F) and ALM (U+061C), which Arabic text uses, are kept.

    >>> control_problem("Al-Qa'im\\n(Iraqi side)") is None
    True
    >>> control_problem("a\\x00b")
    'must not contain control characters (found U+0000)'
    >>> control_problem("caf\\x82")  # C1, left by mis-decoded Windows-1252
    'must not contain control characters (found U+0082)'
    >>> control_problem("\\u202eRTL")
    'must not contain direction controls (embedding, override or isolate; found U+202E)'
    >>> control_problem("\\u200fالقائم\\u200e") is None
    True
    """
    found = _CONTROL.search(value)
    if found is not None:
        return Phrase(
            N_("must not contain control characters (found %(character)s)"),
            character=f"U+{ord(found.group()):04X}",
        )
    found = _DIRECTION.search(value)
    if found is not None:
        return Phrase(
            N_(
                "must not contain direction controls (embedding, override or isolate;"
                " found %(character)s)"
            ),
            character=f"U+{ord(found.group()):04X}",
        )
    return None


def language_of(text: str, page_language: str) -> str:
    """The language to mark the editors' free text (a note, an event's title) with on a page
    in `page_language`, or "" for the page's own: Latin letters and no Arabic ones on an
    Arabic page are English, Arabic letters and no Latin ones on any other page are Arabic;
    mixed or neither is left to the page.

    >>> [language_of(t, "ar") for t in ("New Syrian Army", "داعش", "قسد (SDF)", "2016")]
    ['en', '', '', '']
    >>> [language_of(t, "en") for t in ("ISIS", "منطقة الـ55 كم", "قسد (SDF)")]
    ['', 'ar', '']
    """
    arabic = ARABIC_LETTER.search(text) is not None
    latin = _LATIN_LETTER.search(text) is not None
    if page_language == "ar":
        return "en" if latin and not arabic else ""
    return "ar" if arabic and not latin else ""


def is_slug(value: str) -> bool:
    """Whether `value` has the form of a slug (sites, actors, events, crossings).

    >>> is_slug("al-qaim"), is_slug("Al-Qaim"), is_slug("al--qaim"), is_slug("-x")
    (True, False, False, False)
    """
    return _SLUG.fullmatch(value) is not None


def source_refs(title: str) -> Iterator[str]:
    """The refs a source titled `title` may take, best first: the title as a slug, then
    with -2, -3 … (each at most REF_MAX characters, cut between words where it can); a
    title with no Latin letter gives source-1, source-2 …

    Refs are record keys that every download cites sources by, so they are ASCII and need
    no quoting in a CSV list or a URL.

    >>> refs = source_refs("Iraqi forces retake al-Qa'im from ISIS — Reuters, 3 Nov 2017")
    >>> next(refs), next(refs)
    ('iraqi-forces-retake-al-qaim-from-isis', 'iraqi-forces-retake-al-qaim-from-isis-2')
    >>> next(source_refs("Şehir: Çağlayan Straße")), next(source_refs("تقرير ٢٠١٥"))
    ('sehir-caglayan-strasse', 'source-1')
    """
    plain = unicodedata.normalize("NFKD", title.lower().translate(_LATIN_EXTRA))
    plain = _APOSTROPHES.sub("", plain).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    if not re.search(r"[a-z]", base):
        base = ""
    n = 1
    while True:
        if not base:
            yield f"source-{n}"
        elif n == 1:
            yield _cut(base, REF_MAX)
        else:
            yield f"{_cut(base, REF_MAX - len(str(n)) - 1)}-{n}"
        n += 1


def _cut(slug: str, limit: int) -> str:
    """`slug` in at most `limit` characters, cut after a whole word unless that loses half."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    if slug[limit] != "-" and cut.rfind("-") > limit // 2:
        cut = cut[: cut.rfind("-")]
    return cut.strip("-")


def url_problem(value: str) -> Phrase | None:
    """Why `value` is not a well-formed http:// or https:// address, or None.

    >>> url_problem("https://example.org/report?id=1") is None
    True
    >>> url_problem("javascript:alert(1)")
    'must be an http:// or https:// address, such as https://example.org/report'
    """
    if _URL_FORBIDDEN.search(value):
        return Phrase(
            N_(
                "must not contain spaces, quotes, angle brackets or control characters "
                "(percent-encode them)"
            )
        )
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return Phrase(N_("is not a well-formed web address"))
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return Phrase(
            N_("must be an http:// or https:// address, such as https://example.org/report")
        )
    return None


def safe_url(value: str | None) -> str:
    """`value` when it may be a link target, else "" (never javascript:, data: …).

    >>> safe_url("https://example.org/a"), safe_url(" javascript:alert(1)"), safe_url(None)
    ('https://example.org/a', '', '')
    """
    return value if value and url_problem(value) is None else ""
