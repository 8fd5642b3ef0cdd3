"""What a link to a page shows where it is shared (Open Graph and Twitter cards: a title,
a sentence and the map of its date) and where search engines find it in each language."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from urllib.parse import urlencode

from flask import request, url_for

from app.web import i18n
from app.web.httpcache import public_url
from app.web.js_strings import bound_reading


class Card(NamedTuple):
    """A shared link's preview; every address is absolute, as the readers of cards need."""

    title: str
    description: str
    url: str  # the page, in its language and with its date
    image: str  # the map of that date, in that language
    image_alt: str


def card(title: str, description: str, day: dt.date, endpoint: str, **values: str) -> Card:
    """The preview of a link to `endpoint` with `values`, showing the map of `day`."""
    lang = i18n.language()
    image = url_for("pictures.static_map_image", day=day.isoformat(), fmt="png", lang=lang)
    return Card(
        title,
        description,
        public_url(url_for(endpoint, **values, lang=lang)),
        public_url(image),
        i18n.gettext("Map of the Syria–Iraq border crossings on %(date)s", date=bound_reading(day)),
    )


def alternates() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of this page in every language, and `x-default`: the page
    without `lang=`, which answers in the reader's remembered or browser language."""
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
    bare = public_url(f"{request.script_root}{request.path}") + (f"?{query}" if query else "")
    own = [(code, public_url(i18n.switch_url(lang=code))) for code in i18n.LANGUAGES]
    return [*own, ("x-default", bare)]
