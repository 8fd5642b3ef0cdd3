"""Sign-in and sign-out: the form, generic failures, throttling, safe redirects, cookies."""

import re

import pytest

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
