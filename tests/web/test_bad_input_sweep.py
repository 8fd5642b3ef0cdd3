"""Bad input on every route of app.url_map: garbage, huge, unicode, NUL and repeated
query parameters and form fields, and bad path segments, anonymous and signed in.

Never a 500; a 400 about one query parameter names it. The sweep walks the live URL
map, so a route added later is swept too.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from flask import Request
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from app.db.models import Actor, ControlPeriod, Event, Site, Source, StatusPeriod
from app.extensions import db

# Every query parameter some route reads, and one that none does.
PARAMS = (
    "date",
    "site",
    "actor",
    "from",
    "to",
    "download",
    "rows",
    "q",
    "f",
    "limit",
    "offset",
    "bbox",
    "datetime",
    "page",
    "next",
    "text",
    "lang",
    "w",
    "scale",
    "step",
    "what",
    "known",
    "rev",
    "token",
    "proposal",
    "bogus",
)
GARBAGE = (
    "2015-01-01\x00",
    "x" * 20_000,
    "9" * 400,
    "-1",
    "1e999",
    "البوكمال\u202e\U0001f4a3",
    "' OR 1=1 --<script>",
    "%ff%fe",
    " \r\n\t\x0b\x7f",
)
# One parameter at a time: values that break some rule of every parameter (date, slug,
# number, switch, format), and the edges of the calendar.
ALONE = (
    "x" * 300,
    "-1",
    "1e999",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:00:00-12:00",
    "0001-01-01T00:00:00+14:00/..",
)
SEGMENTS = (
    "%00",
    "a%00b",
    "x" * 3000,
    "%D8%A7%D9%84%D8%A8",
    "%ff",
    "..",
    "-1",
    "99999999999999999999999",
    "0",
    "%3Cscript%3E",
    "a%2Fb",
)
FIELD_GARBAGE = ("a\x00b", "x" * 20_000, "a\x0bb\x1fc", "99999999999999999999999")
# Values no field may store (a number is a fine title, so it is not among them).
REFUSED = FIELD_GARBAGE[:3]
# Bodies that are not forms at all.
BODIES = (b"\x00\xff" * 500, b"a=%00&a=%ff&" * 200, b"=&==&")
ENTITIES = {
    "control-periods": ControlPeriod,
    "status-periods": StatusPeriod,
    "sites": Site,
    "actors": Actor,
    "sources": Source,
    "events": Event,
}
COLLECTION_ITEM = {"sites": "al-qaim", "periods": "1", "events": "1", "boundaries": "border"}
_READ: set[str] = set()


class _Reads(ImmutableMultiDict):
    """Request arguments that note the names a view asks for ("*": all of them)."""

    def get(self, key, default=None, type=None):
        _READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _READ.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _READ.add(key)
        return super().__getitem__(key)

    def to_dict(self, flat=True):
        _READ.add("*")
        return super().to_dict(flat)


class _Request(Request):
    @property
    def args(self):
        return _Reads(super().args)


def parameters_read(client, url: str) -> set[str]:
    """The query parameters the route at `url` looks at (asked once a session: what a view
    reads does not depend on the data, and a plain GET of an animation renders it)."""
    if url not in _PARAMETERS_READ:
        _READ.clear()
        client.get(url).close()
        _PARAMETERS_READ[url] = set(PARAMS) if "*" in _READ else set(_READ)
    return _PARAMETERS_READ[url]


_PARAMETERS_READ: dict[str, set[str]] = {}


@pytest.fixture
def world(seeded, sign_in):
    """The seeded app, an admin client, and one revision (so history pages have rows)."""
    seeded.request_class = _Request
    admin = sign_in(seeded, "ada", "admin")
    with seeded.app_context():
        ids = {
            kind: db.session.scalar(select(model.id).order_by(model.id))
            for kind, model in ENTITIES.items()
        }
    page = admin.get(f"/editor/actors/{ids['actors']}/edit").get_data(as_text=True)
    form = _FormFields.parse(page)
    resp = admin.post(
        f"/editor/actors/{ids['actors']}/edit", data={**form, "note": "swept", "comment": "sweep"}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return seeded, admin, ids


# -- URLs from the URL map ------------------------------------------------------------
def concrete_urls(app, ids) -> list[tuple[str, object]]:
    """(url, rule) for every rule, with each `any` converter item and real ids."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            out.append(("/static/css/app.css", rule))
            continue
        for values in _rule_values(rule, ids):
            out.append((rule.build(values, append_unknown=False)[1], rule))
    return out


def _rule_values(rule, ids) -> list[dict]:
    combos = [{}]
    for name, conv in rule._converters.items():
        if isinstance(conv, AnyConverter):
            combos = [{**c, name: item} for c in combos for item in sorted(conv.items)]
        elif isinstance(conv, IntegerConverter):
            combos = [{**c, name: ids.get(c.get("kind"), 1)} for c in combos]
        elif name == "cid":
            combos = [{**c, name: cid} for c in combos for cid in COLLECTION_ITEM]
        elif name == "fid":
            combos = [{**c, name: COLLECTION_ITEM[c["cid"]]} for c in combos]
        else:
            combos = [{**c, name: "al-qaim"} for c in combos]
    return combos


def bad_segment_urls(app) -> list[str]:
    """Each rule with one path variable at a time replaced by a hostile segment."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            out += [f"/static/{s}" for s in SEGMENTS]
            continue
        good = _rule_values(rule, {})[0]
        for target in rule._converters:
            for segment in SEGMENTS:
                url = rule.build(good, append_unknown=False)[1]
                out.append(_swap(url, rule, good, target, segment))
    return out


def _swap(url: str, rule, good: dict, target: str, segment: str) -> str:
    """`url` with the value of path variable `target` replaced by a raw `segment`."""
    index = next(
        i for i, part in enumerate(rule.rule.split("/")) if re.search(rf"[<:]{target}>", part)
    )
    pieces = url.split("/")
    pieces[index] = pieces[index].replace(str(good[target]), segment, 1)
    return "/".join(pieces)


def _gets(app, ids):
    return [(url, rule) for url, rule in concrete_urls(app, ids) if "GET" in rule.methods]


def _posts(app, ids):
    return [(url, rule) for url, rule in concrete_urls(app, ids) if "POST" in rule.methods]


def _problems(resp, what: str) -> list[str]:
    resp.close()
    if resp.status_code >= 500:
        return [f"{what} -> {resp.status_code}"]
    return []


def _text(resp) -> str:
    text = resp.get_data(as_text=True)
    resp.close()
    return text


# -- query parameters -----------------------------------------------------------------
def test_garbage_parameters_never_give_a_500(world):
    app, admin, ids = world
    anonymous, found = app.test_client(), []
    for url, _rule in _gets(app, ids):
        # A route that reads no parameter needs one try, not one per kind of garbage.
        values = GARBAGE if parameters_read(admin, url) else GARBAGE[:1]
        for client in (anonymous, admin):
            for value in values:
                resp = client.get(url, query_string={p: value for p in PARAMS if p != "bogus"})
                found += _problems(resp, f"GET {url} all={value[:20]!r}")
            resp = client.get(url + "?" + "&".join(f"{p}=1&{p}=2" for p in PARAMS))
            found += _problems(resp, f"GET {url} repeated")
    assert not found, "\n".join(found)


def test_a_400_names_the_bad_parameter(world):
    app, admin, ids = world
    found, read = [], set()
    for url, _rule in _gets(app, ids):
        names = parameters_read(admin, url)
        read |= names
        for name in names | {"bogus"}:
            for value in ALONE:
                resp = admin.get(url, query_string={name: value})
                found += _problems(resp, f"GET {url}?{name}={value[:10]!r}")
                if resp.status_code == 400 and name not in _text(resp):
                    found.append(f"GET {url}?{name}: 400 without naming it")
    assert not found, "\n".join(found)
    assert read - {"bogus"} == set(PARAMS) - {"bogus"}  # what the routes read, and no more


def test_bad_path_segments_never_give_a_500(world):
    app, admin, _ids = world
    found = []
    for url in bad_segment_urls(app):
        for client in (app.test_client(), admin):
            for method in ("GET", "POST"):
                resp = client.open(url, method=method, data={"comment": "x"})
                found += _problems(resp, f"{method} {url[:80]}")
    assert not found, "\n".join(found)


# -- forms ----------------------------------------------------------------------------
class _FormFields(HTMLParser):
    """The fields of the page's main form with their current values (what Save sends)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, object] = {}
        self.kinds: dict[str, str] = {}
        self._select = self._textarea = None
        self._posting = False

    @classmethod
    def parse(cls, html: str) -> dict:
        parser = cls()
        parser.feed(html)
        return parser.fields

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "form":  # GET forms (search boxes) send nothing to the POST routes
            self._posting = (a.get("method") or "get").lower() == "post"
        if not self._posting:
            return
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            self.kinds[name] = a.get("type", "text")
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self.kinds[name] = name, "select"
            self.fields.setdefault(name, [] if "multiple" in a else "")
        elif tag == "option" and self._select and "selected" in a:
            current = self.fields[self._select]
            value = a.get("value", "")
            self.fields[self._select] = [*current, value] if isinstance(current, list) else value
        elif tag == "textarea" and name:
            self._textarea, self.kinds[name] = name, "textarea"
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._posting = False
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def _form_of(client, url: str) -> tuple[dict, dict]:
    parser = _FormFields()
    parser.feed(_text(client.get(url)))
    return parser.fields, parser.kinds


def test_garbage_in_each_form_field_never_gives_a_500(world):
    """One field at a time made hostile, the others as the page filled them."""
    app, admin, ids = world
    found = []
    for url, _rule in _posts(app, ids):
        if url.endswith(("/delete", "/revert", "/logout", "/import/confirm")):
            continue
        base, kinds = _form_of(admin, url)
        for name in [*base, "unknown_field"]:
            for value in (*FIELD_GARBAGE, [base.get(name) or "1", "2"]):
                resp = admin.post(url, data={**base, name: value})
                what = f"POST {url} {name}={str(value)[:12]!r}"
                found += _problems(resp, what)
                if resp.status_code == 302:
                    # Saved (a number is a fine title): the next try needs the new version.
                    base, kinds = _form_of(admin, url)
                    text_field = kinds.get(name) not in (None, "checkbox", "hidden")
                    if value in REFUSED and text_field:
                        found.append(f"{what} was saved")
        admin.get("/")  # let the flashed messages go
    assert not found, "\n".join(found)


def test_garbage_bodies_never_give_a_500(world):
    app, admin, ids = world
    found = []
    for url, _rule in _posts(app, ids):
        for client in (app.test_client(), admin):
            for body in BODIES:
                resp = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
                found += _problems(resp, f"POST {url} body={body[:10]!r}")
            for name in ("x.csv", "a\x00.csv", "\u202e.geojson"):
                resp = client.post(
                    url,
                    data={
                        "file": (io.BytesIO(b"\x00" * 99), name),
                        "token": "\x00",
                        "comment": "x" * 20_000,
                    },
                )
                found += _problems(resp, f"POST {url} multipart {name!r}")
    assert not found, "\n".join(found)


def test_sign_in_with_hostile_names_is_refused_not_500(world):
    app, _admin, _ids = world
    client, found = app.test_client(), []
    for value in (*FIELD_GARBAGE, "ada\x00"):
        resp = client.post("/login", data={"username": value, "password": value})
        found += _problems(resp, f"POST /login username={value[:10]!r}")
        if resp.status_code == 302:
            found.append(f"POST /login username={value[:10]!r} signed in")
    assert not found, "\n".join(found)


def test_the_sweep_reaches_every_rule(world):
    app, _admin, ids = world
    swept = {rule.endpoint for _url, rule in concrete_urls(app, ids)}
    assert swept == {rule.endpoint for rule in app.url_map.iter_rules()}
