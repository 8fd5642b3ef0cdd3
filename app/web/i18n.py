"""Interface language: Arabic or English, chosen by `?lang=`, a cookie, or Accept-Language.

URLs, slugs, API field names and data are the same in both languages; only the words
around them change. `?lang=xx` on any page switches and is remembered in the `lang`
cookie for a year, so a shared link can open the other interface.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context

from app.core import bounds, geo
from app.core.text_rules import Counted, Named, Phrase, Refusal, Word

#: Languages of the interface, in the switch's order; the first is the fallback.
LANGUAGES = ("en", "ar")
#: Each language's name in itself: the text of the link that switches to it.
NAMES = {"en": "English", "ar": "العربية"}
#: Right-to-left languages among them.
RTL = frozenset({"ar"})
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Digits of numbers and dates in Arabic: Latin (0–9, the default: the sources, URLs and
#: data use them) or Arabic-Indic (٠–٩), chosen by `?digits=` and kept in this cookie.
DIGITS = ("latn", "arab")
DIGITS_COOKIE = "digits"

#: Vocabulary values (statuses, confidence levels, kinds, roles, revision actions) in words;
#: the values themselves stay English in URLs, the API and the database.
WORDS = {
    "open": _l("open"),
    "closed": _l("closed"),
    "restricted": _l("restricted"),
    "unknown": _l("unknown"),
    "high": _l("high"),
    "medium": _l("medium"),
    "low": _l("low"),
    "crossing_side": _l("crossing side"),
    "town": _l("town"),
    "garrison": _l("garrison"),
    "zone": _l("zone"),
    # The precision of a date (an event's, a source's): how much of it is known.
    "day": _l("to the day"),
    "month": _l("to the month"),
    "year": _l("to the year"),
    "window": _l("a window of days"),
    "exact": _l("exact"),
    "approximate": _l("approximate"),
    "state": _l("state"),
    "non_state": _l("non-state"),
    "coalition": _l("coalition"),
    "contributor": _l("contributor"),
    "editor": _l("editor"),
    "admin": _l("admin"),
    "pending": _l("pending"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "changes_requested": _l("changes requested"),
    "withdrawn": _l("withdrawn"),
    "log-control": _l("log a control change"),
    "log-status": _l("log a status change"),
    "create": _l("create"),
    "update": _l("update"),
    "unchanged": _l("unchanged"),
    "delete": _l("delete"),
    "revert": _l("revert"),
    "change": _l("change"),
    "SY": _l("Syria"),
    "IQ": _l("Iraq"),
    "JO": _l("Jordan"),
    "TR": _l("Turkey"),
}

babel = Babel()


def select_locale() -> str:
    """`?lang=`, then the cookie, then the browser's Accept-Language, then English."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.lang_asked = asked
        return asked
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def language() -> str:
    """The language of this request's interface ("en" or "ar")."""
    return str(get_locale() or LANGUAGES[0])


def direction() -> str:
    """ "rtl" for Arabic, "ltr" otherwise: the page's `dir`."""
    return "rtl" if language() in RTL else "ltr"


def digits() -> str:
    """ "arab" when Arabic-Indic digits were chosen and the interface is Arabic, else "latn"
    (also outside a request: the command line)."""
    if not has_request_context() or language() != "ar":
        return "latn"
    asked = request.args.get("digits")
    if asked in DIGITS:
        g.digits_asked = asked
        return asked
    cookie = request.cookies.get(DIGITS_COOKIE)
    return cookie if cookie in DIGITS else DIGITS[0]


def number(value: float, style: str = "%s") -> str:
    """Jinja filter: a number written with `style` in the chosen digits ("1.9", "١٫٩").

    Coordinates are not passed through it: readers copy them into other tools.
    """
    return bounds.in_digits(style % value, digits())


def _in_digits(values: dict) -> dict:
    """A message's values with its numbers (not True or False) in the chosen digits."""
    if not values or digits() == "latn":
        return values
    return {
        k: number(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
        for k, v in values.items()
    }


def gettext(message: str, /, **values: object) -> str:
    """flask_babel.gettext with the values' numbers in the chosen digits."""
    text = get_translations().ugettext(message)
    return text % _in_digits(values) if values else text


def ngettext(singular: str, plural: str, num: int, /, **values: object) -> str:
    """flask_babel.ngettext with `num` (a message's %(num)s) and the values' numbers in the
    chosen digits."""
    text = get_translations().ungettext(singular, plural, num)
    return text % _in_digits({"num": num, **values})


def word(value: str) -> str:
    """A vocabulary value in the interface's language ("closed" -> "مغلق"); others as given."""
    return str(WORDS.get(value, value))


def actor_label(name: str | None, name_ar: str | None = "") -> str | None:
    """An actor's (or a site's) name or short label in the interface's language: the
    Arabic one in the Arabic interface when there is one, else the English one."""
    return name_ar if name_ar and language() == "ar" else name


def country_name(code: str) -> str:
    """A country's name in the interface's language by its ISO code, the code for one the
    maps do not name ("SY" -> "Syria", "سوريا")."""
    names = geo.COUNTRY_NAMES.get(code)
    return names[language() == "ar"] if names else code


def said(text: object) -> str:
    """`text` in the interface's language when it can be said in it (a text_rules.Phrase,
    a Refusal: dates, bounds, imports; a Word of the vocabulary), its values too; else as
    str() gives it."""
    if isinstance(text, Counted):
        values = {k: _said(v) for k, v in text.values.items() if k != "num"}
        return ngettext(text.message, text.plural, int(text.values["num"]), **values)
    if isinstance(text, Phrase | Refusal):
        return gettext(text.message, **{k: _said(v) for k, v in text.values.items()})
    if isinstance(text, Word):
        return word(text)
    if isinstance(text, Named):
        return actor_label(text, text.ar) or str(text)
    return str(text)


def _said(value: object) -> object:
    """A Phrase's value for the reader: phrases said, bounds in their words, the rest as is
    (a value a message quotes with %r must stay what it was)."""
    if isinstance(value, Phrase | Refusal | Word | Named):
        return said(value)
    if isinstance(value, bounds.Short):
        from app.web.js_strings import bound_short  # js_strings builds on this module

        return bound_short(value.bound)
    return value


def translated(messages) -> dict[str, str]:
    """Each of `messages` (marked N_ in a module without Flask) in this request's language,
    for the pure modules' `words=` (base_map.WORDS, ogc.html.WORDS)."""
    return {message: gettext(message) for message in messages}


def switch_url(**choice: str) -> str:
    """This page's path and query with `lang=` (or `digits=`) replaced by `choice`."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in choice]
    query = urlencode([*args, *choice.items()])
    return f"{request.script_root}{request.path}?{query}"


def other_languages() -> list[tuple[str, str, str]]:
    """(code, own name, URL of this page in it) of every language but this one."""
    return [(code, NAMES[code], switch_url(lang=code)) for code in LANGUAGES if code != language()]


def _remember(response: Response) -> Response:
    """Keep `?lang=` and `?digits=` choices in cookies (readable by the page: no secret)."""
    # A refused request (a mistyped link, an unknown parameter) is answered in the language
    # it asks for, but must not switch the reader's whole site to it.
    if response.status_code >= 400:
        return response
    for name, asked in ((COOKIE, g.get("lang_asked")), (DIGITS_COOKIE, g.get("digits_asked"))):
        if asked and request.cookies.get(name) != asked:
            response.set_cookie(
                name, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure
            )
    return response


#: What an answer worded in the reader's language varies with (select_locale reads them).
VARY = ("Accept-Language", "Cookie")


def _vary(response: Response) -> Response:
    """Pages, feeds and JSON refusals are worded in the reader's language, chosen by cookie
    or Accept-Language: a shared cache must keep one copy per language.

    A 304 is left as made: its type is not that of the answer it stands for, so
    httpcache.respond gives it the answer's own Vary (its callers pass VARY). Data in JSON
    is the same in every language; only a refusal's description is worded.
    """
    worded = response.mimetype in ("text/html", "application/atom+xml") or (
        response.status_code >= 400 and response.mimetype == "application/json"
    )
    if response.status_code != 304 and worded:
        for name in VARY:
            response.vary.add(name)
    return response


def init_app(app: Flask) -> None:
    """Flask-Babel with the project's catalogues, the locale rule and the template globals."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    env = app.jinja_env
    gettext_, ngettext_ = env.globals["gettext"], env.globals["ngettext"]

    # Jinja's own callables (escaping), with the values' numbers in the chosen digits.
    @pass_context
    def template_gettext(context, message: str, /, **values):
        return gettext_(context, message, **_in_digits(values))

    @pass_context
    def template_ngettext(context, singular: str, plural: str, num: int, /, **values):
        return ngettext_(context, singular, plural, num, **_in_digits({"num": num, **values}))

    env.globals.update(gettext=template_gettext, _=template_gettext, ngettext=template_ngettext)
    app.jinja_env.globals.update(
        language=language,
        direction=direction,
        digits=digits,
        LANGUAGES=LANGUAGES,
        switch_url=switch_url,
        other_languages=other_languages,
        actor_label=actor_label,
    )
    app.jinja_env.filters["word"] = word
    app.jinja_env.filters["actor_label"] = actor_label
    app.jinja_env.filters["said"] = said
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["number"] = number
    app.after_request(_remember)
    app.after_request(_vary)
    from app.web import js_strings  # imports this module

    js_strings.init_app(app)
