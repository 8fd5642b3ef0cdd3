"""Spelling-tolerant name matching: case, diacritics, apostrophes and Arabic letter forms.

>>> normalise("Rabia'a") == normalise("Rabiaa")
True
>>> normalise("Ya'rubīyah")
'yarubiyah'
>>> normalise("أبو كمال")
'ابو كمال'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise", "search_text", "matches"]

# Arabic letter variants that people type interchangeably.
_ARABIC = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي",
                         "ؤ": "و", "ئ": "ي", "ـ": None})
# Apostrophes, ayin/hamza marks and hyphens vanish; other punctuation splits words.
_DROP = re.compile(r"[\u0027\u2018\u2019\u02bb\u02bc\u02bf\u02be\u0060\u00b4\-]")
_SPLIT = re.compile(r"[^\w]+")


def normalise(text: str) -> str:
    """Fold a name to a comparable key: lower case, no diacritics, single spaces."""
    text = unicodedata.normalize("NFKD", text or "").translate(_ARABIC)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DROP.sub("", text.casefold())
    return " ".join(t for t in _SPLIT.split(text) if t)


def search_text(site) -> str:
    """Every name of a site, normalised, one per line (stored for searching)."""
    names = [site.name, site.name_ar, site.slug.replace("-", " "), *(site.aliases or [])]
    return "\n".join(dict.fromkeys(normalise(n) for n in names if n))


def matches(query: str, text: str) -> bool:
    """Tell whether every word of the query occurs in one of the stored names.

    >>> matches("abu kamal", search_text_of("Albukamal", ["Abu Kamal"]))
    True
    >>> matches("bukamal", search_text_of("Albukamal", []))
    True
    """
    words = normalise(query).split()
    if not words:
        return False
    lines = text.split("\n")
    flat = [line.replace(" ", "") for line in lines]
    return any(all(w in line for w in words) for line in lines) or \
        "".join(words) in "\n".join(flat)


def search_text_of(name: str, aliases: list[str]) -> str:
    """search_text() for a bare name and aliases (handy in tests and doctests)."""
    return "\n".join(dict.fromkeys(normalise(n) for n in [name, *aliases] if n))
