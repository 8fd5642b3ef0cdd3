"""Sign-in and sign-out: the form, generic failures, throttling, safe redirects, cookies."""

import html as html_lib
import re
import time

import pytest

from app.core.passwords import MAX_LENGTH
from app.db.models import Actor, UserSession
from app.extensions import db
from app.web.auth import BAD_CREDENTIALS, safe_next

PASSWORD = "correct horse battery"  # the password conftest's make_user gives accounts


def _login(client, username, password=PASSWORD, address="10.0.0.1", **extra):
    return client.post(
        "/login",
        data={"username": username, "password": password, **extra},
        environ_base={"REMOTE_ADDR": address},
    )


def test_login_form_has_the_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert ">Username</label>" in html and ">Password</label>" in html
    assert 'value="Sign in"' in html
    assert 'type="password"' in html


def test_sign_in_and_out(app, client, make_user):
    make_user(app, "ann")
    resp = _login(client, "ann")
    assert resp.status_code == 302 and resp.headers["Location"] == "/editor/"
    page = client.get("/editor/").get_data(as_text=True)
    assert "ann" in page and "Sign out" in page
    resp = client.post("/logout")
    assert resp.status_code == 302
    assert client.get("/editor/").status_code == 302


@pytest.mark.parametrize("again_as", ["ann", "bob"])
def test_signing_in_again_ends_the_session_it_replaces(app, client, make_user, again_as):
    """A browser that signs in anew (as itself or another account) without signing out
    leaves its old session behind: a copy of the old cookie must not keep it alive."""
    make_user(app, "ann")
    make_user(app, "bob")
    _login(client, "ann")
    old_cookie = client.get_cookie("session").value
    assert _login(client, again_as, "not the password").status_code == 401
    assert client.get("/editor/").status_code == 200  # a failed attempt ends nothing
    assert _login(client, again_as).status_code == 302
    assert client.get("/editor/").status_code == 200  # the new session works
    copy = app.test_client()
    copy.set_cookie("session", old_cookie)
    assert copy.get("/editor/").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 1


def test_wrong_password_and_unknown_user_get_the_same_answer(app, client, make_user):
    make_user(app, "ann")
    wrong = _login(client, "ann", "not the password")
    unknown = _login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    flashes = [
        re.findall(r'<p class="flash[^"]*">(.*?)</p>', r.get_data(as_text=True))
        for r in (wrong, unknown)
    ]
    assert flashes[0] == flashes[1] == [BAD_CREDENTIALS]


def test_deactivated_user_cannot_sign_in(app, client, make_user):
    make_user(app, "gone", active=False)
    assert _login(client, "gone").status_code == 401


def test_missing_fields_are_a_400(client):
    resp = client.post("/login", data={"username": "ann"})
    assert resp.status_code == 400
    assert "This field is required" in resp.get_data(as_text=True)


def test_failures_per_username_are_throttled_across_addresses(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=3)
    make_user(app, "ann")
    for i in range(3):
        assert _login(client, "ann", "bad", address=f"10.0.0.{i}").status_code == 401
    resp = _login(client, "ANN ", PASSWORD, address="10.0.0.99")
    assert resp.status_code == 429
    assert "Too many failed sign-ins" in resp.get_data(as_text=True)
    assert _login(client, "ann", PASSWORD, address="10.0.0.99").status_code == 429


def test_failures_per_address_are_throttled_across_usernames(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=3)
    make_user(app, "ann")
    for name in ("a", "b", "c"):
        _login(client, name, "bad", address="10.9.9.9")
    assert _login(client, "ann", address="10.9.9.9").status_code == 429
    assert _login(client, "ann", address="10.9.9.8").status_code == 302


def test_throttle_message_does_not_reveal_whether_the_user_exists(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=1)
    make_user(app, "ann")
    _login(client, "ann", "bad")
    _login(client, "nobody", "bad", address="10.0.0.2")
    known = _login(client, "ann", "bad").get_data(as_text=True)
    unknown = _login(client, "nobody", "bad", address="10.0.0.2").get_data(as_text=True)
    assert "Too many failed sign-ins" in known and "Too many failed sign-ins" in unknown


def test_good_sign_in_clears_the_failures(app, client, make_user):
    app.config.update(LOGIN_MAX_FAILURES=3)
    make_user(app, "ann")
    for _ in range(2):
        _login(client, "ann", "bad")
    assert _login(client, "ann").status_code == 302
    client.post("/logout")
    for _ in range(2):
        _login(client, "ann", "bad")
    assert _login(client, "ann").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/editor/sites/", "/editor/sites/"),
        ("/sites/al-qaim?x=1", "/sites/al-qaim?x=1"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("/ok\r\nSet-Cookie: x", None),
        ("", None),
        ("/?date=2015-06-01&site=al-qaim", "/?date=2015-06-01&site=al-qaim"),
        ("https:/evil.example", None),
        ("\\evil.example", None),
        ("/ok\\..\\evil", None),
        ("/\tevil.example", None),
        ("evil.example", None),
        ("/login?next=/editor/", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_next_is_followed_only_to_local_paths(app, client, make_user):
    make_user(app, "ann")
    form = client.get("/login?next=/editor/actors/").get_data(as_text=True)
    assert 'value="/editor/actors/"' in form
    resp = _login(client, "ann", next="/editor/actors/")
    assert resp.headers["Location"] == "/editor/actors/"
    client.post("/logout")
    resp = _login(client, "ann", next="https://evil.example/")
    assert resp.headers["Location"] == "/editor/"


def test_anonymous_editor_pages_redirect_to_login_with_next(client):
    resp = client.get("/editor/sites/")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=")


def test_session_cookie_is_httponly_and_samesite_lax(app, client, make_user):
    make_user(app, "ann")
    cookie = _login(client, "ann").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_configured(app_variant, make_user):
    secure = app_variant(SESSION_COOKIE_SECURE=True)
    make_user(secure, "sam")
    cookie = _login(secure.test_client(), "sam").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_nav_shows_sign_in_or_the_user(app, client, make_user):
    assert ">Sign in</a>" in client.get("/").get_data(as_text=True)
    make_user(app, "ann")
    _login(client, "ann")
    html = client.get("/").get_data(as_text=True)
    assert "ann" in html and ">Sign out</button>" in html and ">History</a>" in html
    assert ">Editor</a>" in html and 'action="/logout"' in html


def test_sign_in_ignores_the_case_of_the_username(app, client, make_user):
    make_user(app, "Ann")
    assert _login(client, "aNN").status_code == 302
    assert "Signed in as Ann." in client.get("/").get_data(as_text=True)


def test_the_form_accepts_exactly_the_longest_password_the_cli_does(client):
    html = client.get("/login").get_data(as_text=True)
    assert f'maxlength="{MAX_LENGTH}"' in html
    resp = _login(client, "ann", "x" * (MAX_LENGTH + 1))
    assert resp.status_code == 400


def test_csrf_tokens_live_as_long_as_a_session(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.config["SESSION_MAX_HOURS"] * 3600


# A form left open too long -----------------------------------------------------------------

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ORIGIN = {"Origin": "http://localhost"}
ACTOR = {
    "slug": "kept-actor",
    "name": "Kept & <actor>",
    "name_ar": "",
    "short": "KA",
    "kind": "non_state",
    "colour": "#123abc",
    "parent_id": "",
    "comment": "typed an hour ago",
}


@pytest.fixture
def csrf_client(app_variant, make_user, password):
    """A signed-in editor of an app with CSRF protection on, as in production."""
    csrf_app = app_variant(WTF_CSRF_ENABLED=True)
    make_user(csrf_app, "carl")
    client = csrf_app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    data = {"username": "carl", "password": password, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    return csrf_app, client


def _form_token(client, path="/editor/actors/new") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def test_an_expired_form_comes_back_with_its_input_and_a_fresh_token(csrf_client):
    csrf_app, client = csrf_client
    old = _form_token(client)
    csrf_app.config["WTF_CSRF_TIME_LIMIT"] = 1
    time.sleep(2.1)
    resp = client.post("/editor/actors/new", data={**ACTOR, "csrf_token": old}, headers=ORIGIN)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Send again" in html and "nothing was saved" in html
    assert "Kept &amp; &lt;actor&gt;" in html and "typed an hour ago" in html
    assert "<actor>" not in html  # shown as text, never as markup
    fresh = TOKEN.search(html).group(1)
    assert fresh != old
    assert 'action="/editor/actors/new?"' in html
    csrf_app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    resent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    resent = {k: html_lib.unescape(v) for k, v in resent.items()}
    assert resent["name"] == ACTOR["name"] and resent["csrf_token"] == fresh
    assert client.post("/editor/actors/new", data=resent, headers=ORIGIN).status_code == 302
    with csrf_app.app_context():
        assert (
            db.session.scalar(db.select(Actor).where(Actor.slug == "kept-actor")).name
            == (ACTOR["name"])
        )


def test_a_form_from_before_signing_in_again_comes_back_too(csrf_client, password):
    csrf_app, client = csrf_client
    old = _form_token(client)
    client.post("/logout", data={"csrf_token": old})  # and in again: a new session
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "carl", "password": password, "csrf_token": token})
    resp = client.post("/editor/actors/new", data={**ACTOR, "csrf_token": old}, headers=ORIGIN)
    assert resp.status_code == 400 and "Send again" in resp.get_data(as_text=True)


def test_a_stale_token_from_another_site_gets_the_plain_400(csrf_client):
    _, client = csrf_client
    resp = client.post(
        "/editor/actors/new",
        data={**ACTOR, "csrf_token": "made-up"},
        headers={"Origin": "https://evil.example"},
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Send again" not in text and "typed an hour" not in text


def test_a_missing_token_gets_the_plain_400(csrf_client):
    _, client = csrf_client
    resp = client.post("/editor/actors/new", data=ACTOR, headers=ORIGIN)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "CSRF token is missing" in text and "Send again" not in text


def test_an_expired_sign_in_form_keeps_the_username_but_not_the_password(
    app_variant, make_user, password
):
    csrf_app = app_variant(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    client.get("/login")
    data = {"username": "carl", "password": password, "csrf_token": "stale.token"}
    resp = client.post("/login", data=data, headers={"Referer": "http://localhost/login"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'value="carl"' in html
    assert "Enter your password again" in html and password not in html


def test_sign_in_returns_to_the_map_date_it_came_from(app, client, make_user):
    make_user(app, "ann")
    back = "/?date=2015-06-01&site=al-qaim"
    page = client.get(back).get_data(as_text=True)
    assert 'href="/login?next=/?date%3D2015-06-01%26site%3Dal-qaim"' in page
    resp = _login(client, "ann", next=back)
    assert resp.status_code == 302 and resp.headers["Location"] == back


def test_the_sign_in_link_carries_the_page_it_is_on(client):
    page = client.get("/sites/al-qaim?date=2015-06-01").get_data(as_text=True)
    assert 'href="/login?next=/sites/al-qaim?date%3D2015-06-01"' in page
    login = client.get("/login?next=/sites/al-qaim").get_data(as_text=True)
    assert 'href="/login"' in login  # no next back to the sign-in page itself


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_a_foreign_next_is_dropped_from_the_form(client, target):
    form = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next" type="hidden" value=""' in form


def test_signed_in_visit_to_the_sign_in_page_follows_next(app, client, make_user):
    make_user(app, "ann")
    _login(client, "ann")
    resp = client.get("/login?next=/sites/al-qaim")
    assert resp.headers["Location"] == "/sites/al-qaim"
    assert client.get("/login?next=//evil").headers["Location"] == "/editor/"
