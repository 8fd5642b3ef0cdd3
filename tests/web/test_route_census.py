"""A census of app.url_map: every write route and every editor page refuses anonymous
users, every POST needs a CSRF token, deleting or reverting needs the admin role, and a
contributor can only propose (every route that publishes, approves, reverts or imports
refuses them).

The census walks the live URL map, so a route added later without protection fails here.
"""

import re

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes anyone may POST to (still with a CSRF token): signing in.
PUBLIC_WRITES = {"auth.login"}
# URL prefixes (and the per-site history) whose pages, even GET, are for signed-in users
# only, whatever blueprint serves them.
PRIVATE_PATHS = re.compile(r"^/(editor|history|review)(/|$)|^/sites/[^/]+/history$")
ADMIN_WORDS = ("delete", "revert")
# Write routes a contributor may use: the editor's forms (their saves become proposals),
# withdrawing their own proposal, and signing in and out. Every other write refuses them.
CONTRIBUTOR_WRITES = {
    "editor.create",
    "editor.edit",
    "editor.delete",
    "editor.log_control",
    "editor.log_status",
    "review.withdraw",
    "auth.login",
    "auth.logout",
    "auth.logout_everywhere",
}
# Pages (GET) for those who publish only: the review queue and the import.
PUBLISHER_PAGES = {"review.index", "data_import.upload", "data_import.review"}


def _url(rule) -> str:
    """A concrete URL for a rule, with plausible values for its variables."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "al-qaim"
    return rule.build(values, append_unknown=False)[1]


def _refused_anonymously(resp) -> bool:
    if resp.status_code in (401, 403):
        return True
    return resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def census_anonymous(app) -> list[str]:
    """Routes that let an anonymous user write, or read a private page."""
    client, offenders = app.test_client(), []
    for rule in app.url_map.iter_rules():
        private = bool(PRIVATE_PATHS.match(rule.rule))
        methods = (rule.methods & WRITE_METHODS) - (
            set() if rule.endpoint not in PUBLIC_WRITES else WRITE_METHODS
        )
        if private:
            methods |= rule.methods & {"GET"}
        for method in methods:
            resp = client.open(_url(rule), method=method)
            if not _refused_anonymously(resp):
                offenders.append(f"{method} {rule.rule} -> {resp.status_code}")
    return offenders


def census_csrf(app, client) -> list[str]:
    """Write routes that accept a request without a CSRF token from a signed-in user."""
    offenders = []
    for rule in app.url_map.iter_rules():
        for method in rule.methods & WRITE_METHODS:
            resp = client.open(_url(rule), method=method, data={"comment": "x"})
            text = resp.get_data(as_text=True)
            if resp.status_code != 400 or "CSRF token is missing" not in text:
                offenders.append(f"{method} {rule.rule} -> {resp.status_code}")
    return offenders


def census_admin(app, editor) -> list[str]:
    """Delete and revert routes that an editor (not admin) can use."""
    offenders = []
    for rule in app.url_map.iter_rules():
        if not any(word in rule.endpoint for word in ADMIN_WORDS):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            resp = editor.open(_url(rule), method=method)
            if resp.status_code != 403:
                offenders.append(f"{method} {rule.rule} -> {resp.status_code}")
    return offenders


def census_contributor(app, contributor) -> list[str]:
    """Routes that let a contributor publish, approve, revert or import."""
    offenders = []
    for rule in app.url_map.iter_rules():
        methods = set()
        if rule.endpoint not in CONTRIBUTOR_WRITES:
            methods |= rule.methods & WRITE_METHODS
        if rule.endpoint in PUBLISHER_PAGES:
            methods.add("GET")
        for method in methods:
            resp = contributor.open(_url(rule), method=method, data={"comment": "x"})
            if resp.status_code != 403:
                offenders.append(f"{method} {rule.rule} -> {resp.status_code}")
    return offenders


@pytest.fixture
def csrf_app(app_variant):
    """The same database, with CSRF protection on as in production."""
    return app_variant(WTF_CSRF_ENABLED=True)


def _sign_in_with_csrf(app, make_user, password, name="carl", role="editor"):
    make_user(app, name, role)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": name, "password": password, "csrf_token": token})
    assert resp.status_code == 302
    return client


def test_private_paths_cover_every_editor_and_history_route(app):
    private = {r.endpoint for r in app.url_map.iter_rules() if PRIVATE_PATHS.match(r.rule)}
    assert {
        "editor.index",
        "data_import.upload",
        "data_import.confirm",
        "history.index",
        "history.site_history",
        "history.show",
        "review.index",
        "review.show",
        "review.mine",
        "review.feed",
    } <= private
    assert not private & {"main.site", "main.index", "api.sites_geojson", "auth.login"}


def test_census_covers_the_write_and_editor_routes(app):
    rules = {r.endpoint for r in app.url_map.iter_rules()}
    assert {
        "auth.logout",
        "editor.create",
        "editor.edit",
        "editor.delete",
        "editor.log_control",
        "editor.log_status",
        "history.revert_view",
        "review.approve",
        "review.reject",
        "review.ask_changes",
        "review.withdraw",
    } <= rules


def test_anonymous_users_are_refused_everywhere_it_matters(app):
    assert census_anonymous(app) == []


def test_every_post_needs_a_csrf_token(csrf_app, make_user, password):
    client = _sign_in_with_csrf(csrf_app, make_user, password)
    assert census_csrf(csrf_app, client) == []


def test_login_itself_needs_a_csrf_token(csrf_app, make_user, password):
    make_user(csrf_app, "dora")
    resp = csrf_app.test_client().post("/login", data={"username": "dora", "password": password})
    assert resp.status_code == 400


def test_deleting_and_reverting_need_the_admin_role(app, sign_in):
    assert census_admin(app, sign_in(app, "eve", "editor")) == []


def test_contributors_only_propose(seeded, sign_in):
    # Seeded, so that a route looking its site up first still reaches its role check.
    assert census_contributor(seeded, sign_in(seeded, "cora", "contributor")) == []


def test_the_contributor_census_catches_a_publishing_route(seeded, sign_in):
    from flask_login import login_required

    @login_required
    def publish():
        return "published"

    seeded.add_url_rule("/editor/publish", "publish", publish, methods=["POST"])
    found = census_contributor(seeded, sign_in(seeded, "cora", "contributor"))
    assert found == ["POST /editor/publish -> 200"]


def test_a_csrf_token_from_the_page_is_accepted(csrf_app, make_user, password):
    client = _sign_in_with_csrf(csrf_app, make_user, password)
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_the_census_catches_unprotected_routes(app, app_variant):
    from app.extensions import csrf

    @csrf.exempt
    def open_door():
        return "written"

    app.add_url_rule("/open-door", "open_door", open_door, methods=["POST"])
    assert census_anonymous(app) == ["POST /open-door -> 200"]
    strict = app_variant(WTF_CSRF_ENABLED=True)
    strict.add_url_rule("/open-door", "open_door", open_door, methods=["POST"])
    assert census_csrf(strict, strict.test_client()) == ["POST /open-door -> 200"]
