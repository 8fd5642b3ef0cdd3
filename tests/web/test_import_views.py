"""The editor's upload page: sign-in, CSRF, report first, confirm to import (once), size
limit, the far-from-border option, and what is kept on disk (refused: nothing; a quota)."""

import io
import json
import os
import re
import time

import pytest
from sqlalchemy import select

from app import create_app
from app.db.models import Revision, Site, User
from app.extensions import db
from app.io import import_formats, importer

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


@pytest.fixture(autouse=True)
def uploads(app, tmp_path):
    """Checked files wait in a folder of this test's own."""
    folder = tmp_path / "imports"
    app.config["IMPORT_DIR"] = str(folder)
    return folder


PASSWORD = "correct horse battery staple"


def _signed_in(app, username="editor1"):
    """A client signed in through the login form (with its CSRF token) as a new editor."""
    with app.app_context():
        user = User(username=username, role="editor")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    data = {"username": username, "password": PASSWORD}
    if csrf:
        data["csrf_token"] = csrf[1]
    assert client.post("/login", data=data).status_code == 302
    return client


def _record(fingerprint, app) -> dict:
    """Every table but the accounts and their sign-ins (which requests may touch)."""
    return {k: v for k, v in fingerprint(app).items() if k not in ("user", "user_session")}


def _upload(client, data, name="f.geojson", allow_far=False):
    form = {"file": (io.BytesIO(data), name)}
    if allow_far:
        form["allow_far"] = "y"
    return client.post("/editor/import", data=form, content_type="multipart/form-data")


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
        token = _token(resp)
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


def _token(resp) -> str:
    """The token of the Import button on a report page."""
    return re.search(r'name="token" type="hidden" value="([^"]+)"', resp.get_data(as_text=True))[1]


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
    client = _signed_in(seeded)
    before = _record(fingerprint, seeded)
    resp = _upload(client, csv, "sources.csv")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in html
    assert "/editor/import/confirm" not in html
    assert _record(fingerprint, seeded) == before


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


def test_confirm_needs_a_token_that_was_issued(seeded):
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
            "IMPORT_DIR": seeded.config["IMPORT_DIR"],
        }
    )
    client = _signed_in(app)
    resp = _upload(client, GOOD)
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Site).where(Site.slug == "web-post")) is None
        db.session.remove()
        db.engine.dispose()  # this second app's connections must not outlive the test


FAR = b"slug,name,country,kind,lon,lat\nfar-post,Far post,SY,town,36.3,33.5\n"


def _site(app, slug):
    with app.app_context():
        return db.session.scalar(select(Site).where(Site.slug == slug))


def _kept(folder) -> list[str]:
    return sorted(p.suffix for p in folder.iterdir()) if folder.exists() else []


def test_the_import_limit_is_the_site_forms_limit():
    from app.io.importer import FAR_KM
    from app.web.editor.forms import CONFIRM_KM

    assert FAR_KM == CONFIRM_KM


def test_a_far_site_is_refused_unless_the_box_is_ticked(seeded, uploads):
    client = _signed_in(seeded)
    page = client.get("/editor/import").get_data(as_text=True)
    assert 'name="allow_far"' in page and "Sites far from the border are intended" in page
    refused = _upload(client, FAR, "far.csv")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "line 2 (sites): fields &#39;lon&#39;, &#39;lat&#39;: the point is" in html
    assert "/editor/import/confirm" not in html
    assert _kept(uploads) == []  # a refused file is not kept
    resp = _upload(client, FAR, "far.csv", allow_far=True)
    assert resp.status_code == 200 and "ticked" in resp.get_data(as_text=True)
    done = client.post("/editor/import/confirm", data={"token": _token(resp)})
    assert done.status_code == 302 and _site(seeded, "far-post") is not None


def test_malformed_csv_is_refused_naming_the_line(seeded, uploads):
    resp = _upload(_signed_in(seeded), b'ref,title\nQ-1,ok\nQ-2,"open\nQ-3,x\n', "s.csv")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "line 3: a quoted field opened on this line" in html
    assert _kept(uploads) == []


def test_a_second_confirm_is_told_it_was_already_imported(seeded, uploads, fingerprint):
    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))
    first = client.post("/editor/import/confirm", data={"token": token})
    assert first.status_code == 302
    after = _record(fingerprint, seeded)
    second = client.post("/editor/import/confirm", data={"token": token})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "f.geojson was already imported at" in html and "3 created, 0 updated" in html
    assert _record(fingerprint, seeded) == after
    assert _kept(uploads) == [".done"]


def test_a_confirm_while_another_holds_the_claim_gets_409(seeded, uploads):
    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))
    (pending,) = uploads.glob("*.upload")
    os.rename(pending, pending.with_suffix(".claimed"))  # as a first click does
    resp = client.post("/editor/import/confirm", data={"token": token})
    assert resp.status_code == 409 and "is being imported by another request" in resp.get_data(
        as_text=True
    )
    assert _site(seeded, "web-post") is None


def test_another_editor_cannot_confirm_my_upload(seeded):
    token = _token(_upload(_signed_in(seeded), GOOD))
    other = _signed_in(seeded, "editor2")
    resp = other.post("/editor/import/confirm", data={"token": token}, follow_redirects=True)
    assert "no longer waiting" in resp.get_data(as_text=True)
    assert _site(seeded, "web-post") is None


def test_a_file_that_no_longer_fits_the_record_is_refused_and_deleted(seeded, uploads):
    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))
    earlier = json.loads(GOOD)
    earlier["features"][0]["properties"]["periods"][0]["start"] = "2010"
    with seeded.app_context():  # meanwhile someone records the post from 2010, ongoing
        plan = importer.check(
            import_formats.read(json.dumps(earlier).encode(), "e.geojson"),
            geodata_dir=seeded.config["GEODATA_DIR"],
        )
        importer.apply(plan.changes, comment="earlier")
    resp = client.post("/editor/import/confirm", data={"token": token})
    assert resp.status_code == 400 and "overlaps the period" in resp.get_data(as_text=True)
    assert _kept(uploads) == []


def test_each_editor_keeps_at_most_import_max_pending_files(seeded, uploads):
    seeded.config["IMPORT_MAX_PENDING"] = 2
    client = _signed_in(seeded)
    tokens = [_token(_upload(client, GOOD, f"f{i}.geojson")) for i in range(2)]
    refused = _upload(client, GOOD, "f2.geojson")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "IMPORT_MAX_PENDING" in html
    assert "f0.geojson" in html and "f1.geojson" in html  # listed, with Discard buttons
    assert _kept(uploads) == [".upload", ".upload"]
    assert _upload(_signed_in(seeded, "editor2"), GOOD).status_code == 200  # per editor
    client.post("/editor/import/discard", data={"token": tokens[0]})
    assert _upload(client, GOOD, "f2.geojson").status_code == 200


def test_waiting_files_expire(seeded, uploads):
    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))
    (pending,) = uploads.glob("*.upload")
    old = time.time() - 25 * 3600
    os.utime(pending, (old, old))
    resp = client.post("/editor/import/confirm", data={"token": token}, follow_redirects=True)
    assert "no longer waiting" in resp.get_data(as_text=True)
    assert _kept(uploads) == [] and _site(seeded, "web-post") is None


def test_a_waiting_file_can_be_reviewed_and_imported_later(seeded):
    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))
    page = client.get("/editor/import").get_data(as_text=True)
    assert f"/editor/import/{token}" in page
    review = client.get(f"/editor/import/{token}")
    assert review.status_code == 200 and _token(review) == token
    assert client.post("/editor/import/confirm", data={"token": token}).status_code == 302
    assert _site(seeded, "web-post") is not None


def test_a_clash_with_a_concurrent_edit_is_a_409_and_nothing_is_imported(
    seeded, uploads, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))

    def clash(*_args, **_kwargs):
        raise IntegrityError("INSERT …", {}, Exception("conflicting key value violates …"))

    monkeypatch.setattr(importer, "apply", clash)
    resp = client.post("/editor/import/confirm", data={"token": token})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "the record changed while it was being imported" in html
    assert _kept(uploads) == [] and _site(seeded, "web-post") is None


def test_an_unexpected_failure_gives_the_file_back(seeded, uploads, monkeypatch):
    client = _signed_in(seeded)
    token = _token(_upload(client, GOOD))

    def fail(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer, "apply", fail)
    assert client.post("/editor/import/confirm", data={"token": token}).status_code == 500
    assert _kept(uploads) == [".upload"]
    monkeypatch.undo()
    assert client.post("/editor/import/confirm", data={"token": token}).status_code == 302
    assert _site(seeded, "web-post") is not None


@pytest.mark.parametrize(
    "url, name", [("/api/export-csv.zip", "all.zip"), ("/api/export.gpkg", "all.gpkg")]
)
def test_a_whole_download_restores_an_emptied_record_through_the_page(seeded, url, name):
    """The bundle (or the GeoPackage) a reader downloads is what an editor uploads."""
    data = seeded.test_client().get(url).data
    with seeded.app_context():
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in ("user", "user_session"):
                db.session.execute(table.delete())
        db.session.commit()
    client = _signed_in(seeded)
    resp = _upload(client, data, name, allow_far=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[-2000:]
    done = client.post(
        "/editor/import/confirm", data={"token": _token(resp)}, follow_redirects=True
    )
    assert f"Imported {name}:" in done.get_data(as_text=True)
    assert seeded.test_client().get(url).data[:16] == data[:16]
    again = seeded.test_client().get("/api/export-csv.zip").data
    if url.endswith(".zip"):
        assert again == data


def test_the_report_speaks_the_editors_language(seeded, uploads):
    """In the Arabic interface every refusal is Arabic: places, rules, a period's dates."""
    client = _signed_in(seeded)
    periods = (
        b"site,actor,start,end,sources\n"
        b"al-qaim,isis,2014-06,2015-03,S1\n"
        b"al-qaim,isis,2015-01,,S1\n"
        b"al-qaim,isis,2016-13,,S1\n"
        b"al-qaim,nobody,1990,1991,S1\n"
    )
    resp = client.post(
        "/editor/import?lang=ar",
        data={"file": (io.BytesIO(periods), "periods.csv")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    errors = re.search(r'<ul class="import-errors">(.*?)</ul>', html, re.S)[1]
    # The period it clashes with, in Arabic words and month names.
    assert "السطر 2 (periods): يتداخل مع الفترة قبل بدء السجلات – 17 حزيران 2014" in errors
    assert "السطر 4 (periods): الحقل &#39;start&#39;: &#39;2016-13&#39; ليس تاريخًا" in errors
    assert "السطر 5 (periods): الحقل &#39;actor&#39;: لا يوجد في السجل actor" in errors
    for english in ("line", "field", "overlaps", "record", "ongoing"):
        assert english not in errors
    unreadable = client.post(
        "/editor/import?lang=ar",
        data={"file": (io.BytesIO(b"ref,title\nX-1,\xff\n"), "sources.csv")},
        content_type="multipart/form-data",
    )
    text = unreadable.get_data(as_text=True)
    assert unreadable.status_code == 400
    assert "sources.csv: السطر 2، العمود 5: البايت 0xff ليس من ترميز UTF-8" in text
    assert "لم يُستورد شيء" in text and "is not UTF-8" not in text


def test_the_report_rows_and_counts_speak_the_editors_language(seeded, uploads):
    """Each row's action and kind, and the kinds of the counts, are Arabic on an Arabic page."""
    client = _signed_in(seeded)
    with seeded.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "al-qaim"))
        name = site.name
    sites = f"slug,name,country,kind,lon,lat\nal-qaim,{name},IQ,{site.kind},{site.lon},{site.lat}\n"
    resp = client.post(
        "/editor/import?lang=ar",
        data={"file": (io.BytesIO(sites.encode()), "sites.csv")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    rows = html.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "السطر 2: " in rows and "unchanged" not in rows and "sites" not in rows
    assert "دون تغيير" in rows and "موقع" in rows
    counts = re.search(r'<table class="report">.*?</table>', html, re.S)[0]
    assert '<th scope="row">المواقع</th>' in counts


def test_the_help_names_every_form_of_a_date_an_import_takes(seeded):
    """Windows, open bounds and ? / ~ are accepted, and the help says so."""
    page = _signed_in(seeded).get("/editor/import").get_data(as_text=True)
    formats = page.split("File formats", 1)[1]
    for form in ("2024-12-07/2024-12-31", "../2013-12-31", "2014?", "2014-06~"):
        assert f"<code>{form}</code>" in formats
    arabic = _signed_in(seeded, "editor2").get("/editor/import?lang=ar").get_data(as_text=True)
    assert "<code>../2013-12-31</code>" in arabic.split("صيغ الملفات", 1)[1]


def test_every_kind_of_file_row_has_its_words():
    from app.web.import_views import KIND_NAMES

    assert set(KIND_NAMES) == set(import_formats.KINDS)


@pytest.mark.parametrize("folder_exists", [False, True])
def test_waiting_files_and_their_folder_are_private_whatever_the_umask(
    seeded, uploads, folder_exists
):
    """An upload may hold unpublished records: IMPORT_DIR 0700 (also one made before) and
    each waiting file 0600 under a world-readable umask; it still imports."""
    import stat

    if folder_exists:
        uploads.mkdir(mode=0o755)
        uploads.chmod(0o755)
    client = _signed_in(seeded)
    old = os.umask(0o022)
    try:
        resp = _upload(client, GOOD)
    finally:
        os.umask(old)
    assert resp.status_code == 200
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
    kept = list(uploads.iterdir())
    assert [p.suffix for p in kept] == [".upload"]
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    done = client.post("/editor/import/confirm", data={"token": _token(resp)})
    assert done.status_code == 302
