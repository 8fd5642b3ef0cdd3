"""The editor's upload page: sign-in, CSRF, report first, confirm to import, size limit."""

import io
import json

import pytest
from sqlalchemy import select

from app import create_app
from app.db.models import Revision, Site, User
from app.extensions import db

GOOD = json.dumps(
    {
        "type": "FeatureCollection",
        "sources": [{"ref": "WEB-1", "title": "A <b>web</b> source"}],
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [41, 34]},
                "properties": {
                    "slug": "web-post",
                    "name": "Web <post>",
                    "country": "SY",
                    "kind": "town",
                    "periods": [{"actor": "isis", "start": "2014", "sources": ["WEB-1"]}],
                },
            }
        ],
    }
).encode()


def _signed_in(app):
    with app.app_context():
        user = User(username="editor1", role="editor", password_hash="x")
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = str(user_id)
        s["_fresh"] = True
    return client


def _upload(client, data, name="f.geojson"):
    return client.post(
        "/editor/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_sign_in_is_required(seeded_client):
    assert seeded_client.get("/editor/import").status_code in (302, 401)
    assert _upload(seeded_client, GOOD).status_code in (302, 401)


def test_check_then_confirm_imports_with_revisions(seeded):
    client = _signed_in(seeded)
    resp = _upload(client, GOOD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Report for f.geojson" in html
    with seeded.app_context():
        assert db.session.scalar(select(Site).where(Site.slug == "web-post")) is None
        token = _token(client)
    done = client.post("/editor/import/confirm", data={"token": token}, follow_redirects=True)
    assert "Imported f.geojson: 3 created, 0 updated." in done.get_data(as_text=True)
    with seeded.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "web-post"))
        assert site is not None and len(site.control_periods) == 1
        assert (
            db.session.scalars(
                select(Revision).where(Revision.entity_id == site.id, Revision.entity == "site")
            )
            .one()
            .user_id
        )


def _token(client):
    with client.session_transaction() as s:
        return s["import_upload"]["token"]


def test_a_bad_file_gets_a_report_and_no_confirm_button(seeded):
    client = _signed_in(seeded)
    bad = GOOD.replace(b'"2014"', b'"2014-13"')
    resp = _upload(client, bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "1 error: nothing was imported" in html
    assert "features[0].properties.periods[0] (periods): field &#39;start&#39;" in html
    assert "/editor/import/confirm" not in html


@pytest.mark.parametrize(
    "csv, message",
    [
        (b"ref,title,url\nJS-1,Hostile,javascript:alert(1)\n", "field &#39;url&#39; must be"),
        (b"ref,title,url\nNUL-1,Nul\x00title,\n", "field &#39;title&#39; must not contain"),
    ],
)
def test_unsafe_text_in_a_file_is_refused_whole(seeded, fingerprint, csv, message):
    before, client = fingerprint(seeded), _signed_in(seeded)
    resp = _upload(client, csv, "sources.csv")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html
    assert "/editor/import/confirm" not in html
    assert fingerprint(seeded) == {**before, "user": fingerprint(seeded)["user"]}


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"\xff\xfe\x00", "f.csv", "not UTF-8"),
        (b'{"type": "FeatureCollection", "features": [}', "f.geojson", "malformed JSON"),
        (b"colour,size\nred,1\n", "f.csv", "match no kind"),
    ],
)
def test_unreadable_files_are_refused(seeded, data, name, message):
    resp = _upload(_signed_in(seeded), data, name)
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)


def test_confirm_needs_the_token_of_this_session(seeded):
    client = _signed_in(seeded)
    _upload(client, GOOD)
    resp = client.post("/editor/import/confirm", data={"token": "forged"}, follow_redirects=True)
    assert "no longer waiting" in resp.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.scalar(select(Site).where(Site.slug == "web-post")) is None


def test_files_over_the_limit_get_a_friendly_413(seeded):
    client = _signed_in(seeded)
    limit = seeded.config["MAX_CONTENT_LENGTH"]
    # A ready-made body: the test client would spool a large file to an unclosed temp file.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + b"x" * (limit + 1) + b"\r\n--b--\r\n"
    )
    resp = client.post("/editor/import", data=body, content_type="multipart/form-data; boundary=b")
    assert resp.status_code == 413
    assert "larger than the 20 MB limit" in resp.get_data(as_text=True)


def test_the_form_is_csrf_protected(database_url, seeded):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": True,
        }
    )
    client = _signed_in(app)
    resp = _upload(client, GOOD)
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Site).where(Site.slug == "web-post")) is None
        db.session.remove()
        db.engine.dispose()  # this second app's connections must not outlive the test
