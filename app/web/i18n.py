"""Interface language: Arabic or English, chosen by `?lang=`, a cookie, or Accept-Language.

URLs, slugs, API field names and data are the same in both languages; only the words
around them change. `?lang=xx` on any page switches and is remembered in the `lang`
cookie for a year, so a shared link can open the other interface.
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_babel import Babel, get_locale

#: Languages of the interface, in the switch's order; the first is the fallback.
LANGUAGES = ("en", "ar")
#: Right-to-left languages among them.
RTL = frozenset({"ar"})
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: Digits of numbers and dates in Arabic: Latin (0–9, the default: the sources, URLs and
#: data use them) or Arabic-Indic (٠–٩), chosen by `?digits=` and kept in this cookie.
DIGITS = ("latn", "arab")
DIGITS_COOKIE = "digits"

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
    """ "arab" when Arabic-Indic digits were chosen and the interface is Arabic, else "latn"."""
    if language() != "ar":
        return "latn"
    asked = request.args.get("digits")
    if asked in DIGITS:
        g.digits_asked = asked
        return asked
    cookie = request.cookies.get(DIGITS_COOKIE)
    return cookie if cookie in DIGITS else DIGITS[0]


def _remember(response: Response) -> Response:
    """Keep `?lang=` and `?digits=` choices in cookies (readable by the page: no secret)."""
    for name, asked in ((COOKIE, g.get("lang_asked")), (DIGITS_COOKIE, g.get("digits_asked"))):
        if asked and request.cookies.get(name) != asked:
            response.set_cookie(
                name, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure
            )
    return response


def init_app(app: Flask) -> None:
    """Flask-Babel with the project's catalogues, the locale rule and the template globals."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        language=language, direction=direction, digits=digits, LANGUAGES=LANGUAGES
    )
    app.after_request(_remember)
