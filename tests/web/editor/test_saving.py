"""Optimistic locking: a second editor saving a stale form gets 409, a diff, their input."""

import html
import re

from sqlalchemy import select, text

from app.db.models import Actor, ControlPeriod, Revision
from app.extensions import db
from app.web.editor import forms as editor_forms


def _actor(app, slug="isis"):
    with app.app_context():
        a = db.session.scalar(select(Actor).where(Actor.slug == slug))
        return {
            "id": a.id,
            "slug": a.slug,
            "name": a.name,
            "name_ar": a.name_ar,
            "short": a.short,
            "short_ar": a.short_ar,
            "kind": a.kind,
            "colour": a.colour,
            "parent_id": "",
            "note": a.note,
            "version": str(a.version),
        }


def _conflict_rows(resp):
    body = resp.get_data(as_text=True).split('class="conflict"')[1].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row">(.*?)</th><td class="old">(.*?)</td>'
        r'<td class="new">(.*?)</td>',
        body,
        re.S,
    )
    return [tuple(html.unescape(c) for c in row) for row in rows]


def test_second_save_of_the_same_row_is_a_409_with_theirs_and_yours(
    seeded, editor_client, sign_in, fingerprint
):
    other = sign_in(seeded, "otto")
    form = _actor(seeded)
    url = f"/editor/actors/{form['id']}/edit"
    assert other.post(url, data={**form, "short": "IS", "comment": "shorter"}).status_code == 302
    before = fingerprint(seeded)
    mine = {**form, "short": "Daesh", "name_ar": "داعش"}
    resp = editor_client.post(url, data=mine)
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "Someone else saved this meanwhile" in page and "by otto" in page
    assert ("Short label", "IS", "Daesh") in _conflict_rows(resp)
    assert ("Arabic name", form["name_ar"] or "—", "داعش") in _conflict_rows(resp)
    assert 'value="Daesh"' in page  # the user's input is kept in the form
    assert fingerprint(seeded) == before
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert new_version == str(int(form["version"]) + 1)
    assert editor_client.post(url, data={**mine, "version": new_version}).status_code == 302
    with seeded.app_context():
        assert db.session.scalar(select(Actor.short).where(Actor.slug == "isis")) == "Daesh"


def test_stale_data_error_between_check_and_write_is_a_409(
    seeded, editor_client, fingerprint, monkeypatch
):
    form = _actor(seeded)
    populate = editor_forms.ActorForm.populate

    def racing_populate(self, obj):
        # Another worker commits between our version check and our UPDATE.
        db.session.execute(
            text("UPDATE actor SET version = version + 1, short = 'X' WHERE id = :id"),
            {"id": obj.id},
        )
        return populate(self, obj)

    monkeypatch.setattr(editor_forms.ActorForm, "populate", racing_populate)
    with seeded.app_context():
        revisions_before = db.session.scalar(select(db.func.count(Revision.id)))
    resp = editor_client.post(f"/editor/actors/{form['id']}/edit", data={**form, "short": "Daesh"})
    assert resp.status_code == 409
    assert "Someone else saved this meanwhile" in resp.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.scalar(select(Actor.short).where(Actor.slug == "isis")) == form["short"]
        assert db.session.scalar(select(db.func.count(Revision.id))) == revisions_before


def test_stale_data_error_while_logging_a_change_is_a_409(seeded, editor_client, monkeypatch):
    from app.web.editor import views

    page = editor_client.get("/editor/sites/al-qaim/log-control").get_data(as_text=True)
    token = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    open_row = views.open_row

    def racing_open_row(form):
        row = open_row(form)
        # Another worker closes the period right after we read it.
        db.session.execute(
            text("UPDATE control_period SET version = version + 1 WHERE id = :id"), {"id": row.id}
        )
        return row

    monkeypatch.setattr(views, "open_row", racing_open_row)
    with seeded.app_context():
        kurds = db.session.scalar(select(Actor.id).where(Actor.slug == "kurdistan-region"))
        periods = db.session.scalar(select(db.func.count(ControlPeriod.id)))
    resp = editor_client.post(
        "/editor/sites/al-qaim/log-control",
        data={
            "actor_id": kurds,
            "date": "2024-12-08",
            "confidence": "high",
            "source_title": "T",
            "version": token,
        },
    )
    assert resp.status_code == 409
    assert "changed this site" in resp.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.scalar(select(db.func.count(ControlPeriod.id))) == periods
