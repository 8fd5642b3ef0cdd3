"""The lazily opened cookie session."""


def test_requests_without_a_cookie_get_no_cookie_back(client):
    resp = client.get("/api/sites.geojson?date=2015-08-01")
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers


def test_a_session_set_in_one_request_is_read_in_the_next(app):
    from flask import session

    @app.get("/_remember/<value>")
    def remember(value):
        session["value"] = value
        return ""

    @app.get("/_recall")
    def recall():
        return session.get("value", "nothing")

    client = app.test_client()
    assert client.get("/_recall").text == "nothing"
    assert "Set-Cookie" in client.get("/_remember/al-qaim").headers
    assert client.get("/_recall").text == "al-qaim"
