"""History pages: newest first, per site, readable escaped diffs, admin-only revert."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.db.models import Actor, ControlPeriod, Revision
from app.extensions import db
from app.web.history import PAGE_SIZE, SHOWN, group_actions


def _log_kurds(app, client, date="2024-12-08", note="Handover"):
    page = client.get("/editor/sites/al-qaim/log-control").get_data(as_text=True)
    token = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    with app.app_context():
        kurds = db.session.scalar(select(Actor.id).where(Actor.slug == "kurdistan-region"))
    resp = client.post(
        "/editor/sites/al-qaim/log-control",
        data={
            "actor_id": kurds,
            "date": date,
            "confidence": "high",
            "note": note,
            "source_title": "Report",
            "version": token,
            "comment": "brief",
        },
    )
    assert resp.status_code == 302


def _latest(app, **where):
    with app.app_context():
        stmt = select(Revision).filter_by(**where).order_by(Revision.id.desc()).limit(1)
        return db.session.scalar(stmt)


def test_history_needs_sign_in(seeded):
    client = seeded.test_client()
    for url in ("/history", "/sites/al-qaim/history", "/history/1"):
        assert client.get(url).headers["Location"].startswith("/login")


def test_history_shows_the_change_with_author_and_readable_diff(seeded, editor_client):
    _log_kurds(seeded, editor_client)
    page = editor_client.get("/history").get_data(as_text=True)
    first = page.split('class="revision"')[1]
    assert "create" in first and "by edna" in first and "“brief”" in first
    assert "Kurdistan Regional Government (Peshmerga)" in first
    update = page.split('class="revision"')[3]
    assert re.search(
        r"<th scope=\"row\">End</th><td class=\"old\">—</td>"
        r"<td class=\"new\">2024-12-08</td>",
        update,
    )


def test_history_names_actors_in_the_interface_language(seeded, editor_client):
    _log_kurds(seeded, editor_client)
    first = editor_client.get("/history?lang=ar").get_data(as_text=True)
    first = first.split('class="revision"')[1]
    assert "حكومة إقليم كردستان (البيشمركة)" in first
    assert "Kurdistan Regional Government" not in first


def _add_actions(app, n):
    """n single-revision actions by different comments (one action each)."""
    with app.app_context():
        for i in range(n):
            db.session.add(
                Revision(entity="site", entity_id=1, action="update", comment=f"edit {i}")
            )
        db.session.commit()


def test_history_is_paginated_newest_first(seeded, editor_client):
    _add_actions(seeded, PAGE_SIZE + 5)
    first = editor_client.get("/history").get_data(as_text=True)
    second = editor_client.get("/history?page=2").get_data(as_text=True)
    assert first.count('<details class="change">') == PAGE_SIZE
    assert 'href="/history?page=2"' in first
    ids = [int(i) for i in re.findall(r'<a href="/history/(\d+)">#', first + second)]
    assert ids == sorted(ids, reverse=True)
    assert "“edit 0”" in second and "“edit 0”" not in first


def test_one_logged_change_is_one_collapsed_entry(seeded, editor_client):
    _log_kurds(seeded, editor_client)
    page = editor_client.get("/history").get_data(as_text=True)
    first = page.split('<details class="change">')[1]
    assert "</details>" in first and '<details class="change" open' not in page
    entry = first.split("</details>")[0]
    assert entry.count('class="revision"') == 3  # the new period, its new source, the old one
    summary = entry.split("</summary>")[0]
    assert "control period" in summary and "Kurdistan Regional Government" in summary
    assert "+ 2 more rows" in summary and "by edna" in summary and "“brief”" in summary


def test_the_seed_is_one_action_with_its_revisions_listed_in_part(seeded, editor_client):
    with seeded.app_context():
        total = db.session.scalar(select(func.count(Revision.id)))
    page = editor_client.get("/history").get_data(as_text=True)
    assert page.count('<details class="change">') == 1
    assert f"1 change ({total} revisions)" in page
    assert page.count('class="revision"') == SHOWN
    assert f"and {total - SHOWN} more revisions in this action" in page


def test_group_actions_splits_by_user_comment_and_time():
    t = dt.datetime(2025, 1, 1, 12, 0, 0)
    s = dt.timedelta(seconds=1)
    keys = [
        (9, 1, "a", t + 10 * s),
        (8, 1, "a", t + 9 * s),
        (7, 1, "a", t + 2 * s),
        (6, 2, "a", t + 2 * s),
        (5, 2, "b", t + 2 * s),
        (4, None, "", t),
        (3, None, "", t),
    ]
    assert group_actions(keys) == [[9, 8], [7], [6], [5], [4, 3]]
    assert group_actions([]) == []


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=x",
        "page=-1",
        "site=nowhere",
        "page=²",
        "page=99999999999999999999",
        "page=07",
    ],
)
def test_bad_history_parameters_are_400(editor_client, query):
    resp = editor_client.get(f"/history?{query}")
    assert resp.status_code == 400
    assert "parameter &#39;" in resp.get_data(as_text=True)


def test_a_revision_id_too_large_for_the_database_is_not_found(editor_client):
    resp = editor_client.get("/history/99999999999999999999")
    assert resp.status_code == 404


def test_history_filtered_by_site_and_site_tab(seeded, editor_client):
    _log_kurds(seeded, editor_client)
    for url in ("/history?site=al-qaim", "/sites/al-qaim/history"):
        page = editor_client.get(url).get_data(as_text=True)
        titles = re.findall(r'</strong>\s*(.*?)\s*<span class="who">', page, re.S)
        assert titles and all("al-Qa&#39;im" in t for t in titles if "#" in t), titles[:5]
    assert "History" in editor_client.get("/sites/al-qaim").get_data(as_text=True)


def test_diffs_are_escaped(seeded, editor_client):
    _log_kurds(seeded, editor_client, note="<script>alert(1)</script>")
    page = editor_client.get("/history").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_editors_cannot_revert(seeded, editor_client, fingerprint):
    _log_kurds(seeded, editor_client)
    rev = _latest(seeded, entity="control_period")
    before = fingerprint(seeded)
    assert editor_client.post(f"/history/{rev.id}/revert").status_code == 403
    assert fingerprint(seeded) == before
    assert "Revert this change" not in editor_client.get(f"/history/{rev.id}").get_data(
        as_text=True
    )


def test_admin_reverts_a_logged_change(seeded, admin_client):
    _log_kurds(seeded, admin_client)
    created = _latest(seeded, entity="control_period", action="create")
    updated = _latest(seeded, entity="control_period", action="update")
    resp = admin_client.post(f"/history/{created.id}/revert", data={"comment": "wrong"})
    assert resp.status_code == 302
    resp = admin_client.post(f"/history/{updated.id}/revert")
    assert resp.status_code == 302
    with seeded.app_context():
        assert db.session.get(ControlPeriod, created.entity_id) is None
        assert db.session.get(ControlPeriod, updated.entity_id).end is None
        reverts = db.session.scalars(
            select(Revision).where(Revision.action == "revert").order_by(Revision.id)
        ).all()
        assert [r.comment for r in reverts] == [
            f"Revert of revision #{created.id}: wrong",
            f"Revert of revision #{updated.id}",
        ]
        assert reverts[0].after is None and reverts[0].user.username == "ada"
    page = admin_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "revert" in page and "by ada" in page


def test_revert_refusal_is_a_409_naming_the_later_change(seeded, admin_client, fingerprint):
    _log_kurds(seeded, admin_client)
    updated = _latest(seeded, entity="control_period", action="update")
    with seeded.app_context():
        seed_rev = db.session.scalar(
            select(Revision).where(
                Revision.entity == "control_period",
                Revision.entity_id == updated.entity_id,
                Revision.action == "create",
            )
        )
    before = fingerprint(seeded)
    resp = admin_client.post(f"/history/{seed_rev.id}/revert")
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert f"changed since revision #{seed_rev.id}" in text
    assert f"#{updated.id} (update by ada" in text
    assert fingerprint(seeded) == before
    arabic = admin_client.post(f"/history/{seed_rev.id}/revert?lang=ar")
    text = arabic.get_data(as_text=True)
    assert arabic.status_code == 409
    # The verb agrees with "the record" (masculine), whatever the gender of the row's kind.
    assert f"تغيّر السجل «فترة سيطرة #{updated.entity_id}» منذ المراجعة رقم {seed_rev.id}" in text
    assert f"#{updated.id} (تحديث بواسطة ada" in text and "changed since" not in text
    assert "(فترة سيطرة) في المحرِّر" in text and "(control period)" not in text


def test_the_apps_own_comments_speak_the_readers_language(seeded, admin_client):
    """Comments the app writes (seed, revert, import) read in Arabic; an editor's stay."""
    _log_kurds(seeded, admin_client)
    created = _latest(seeded, entity="control_period", action="create")
    resp = admin_client.post(f"/history/{created.id}/revert", data={"comment": "wrong day"})
    assert resp.status_code == 302
    page = admin_client.get(resp.headers["Location"] + "?lang=ar").get_data(as_text=True)
    assert f"«تراجع عن المراجعة #{created.id}: wrong day»" in page
    digits = admin_client.get(resp.headers["Location"] + "?lang=ar&digits=arab")
    shown = str(created.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert f"«تراجع عن المراجعة #{shown}: wrong day»" in digits.get_data(as_text=True)
    history = admin_client.get("/history?lang=ar&digits=latn").get_data(as_text=True)
    assert f"تراجع عن المراجعة #{created.id}" in history and "Revert of revision" not in history
    with seeded.app_context():
        seed_rev = db.session.scalar(
            select(Revision).where(Revision.comment == "Loaded from the seed file")
        )
    seeded_page = admin_client.get(f"/history/{seed_rev.id}?lang=ar").get_data(as_text=True)
    assert "«حُمّل من ملف البيانات الأولية»" in seeded_page
    english = admin_client.get(f"/history/{seed_rev.id}?lang=en").get_data(as_text=True)
    assert "“Loaded from the seed file”" in english


def test_history_names_what_changed_in_the_interface_language(seeded, editor_client):
    _log_kurds(seeded, editor_client)
    first = editor_client.get("/history?lang=ar").get_data(as_text=True)
    first = first.split('class="revision"')[1]
    assert "فترة سيطرة #" in first and "control period #" not in first
    english = editor_client.get("/history?lang=en").get_data(as_text=True)
    assert "control period #" in english.split('class="revision"')[1]


def test_history_shows_vocabulary_values_in_the_interface_language(seeded, editor_client):
    page = editor_client.get("/history?lang=ar").get_data(as_text=True)
    entry = page.split('class="revision"')[1]
    assert "دقة تاريخ النشر" in entry or "درجة الثقة" in entry
    assert not re.search(r">(high|medium|low|day|month|year)<", entry)


def test_history_titles_speak_the_readers_words_and_digits(seeded, admin_client):
    """A status period's title says its status in words and its number in the chosen
    digits; the row's name, data as written, sits in a <bdi> of its own."""
    with seeded.app_context():
        rev = db.session.scalar(
            select(Revision).where(Revision.entity == "status_period").order_by(Revision.id)
        )
        status = rev.after["status"]
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    page = admin_client.get(f"/history/{rev.id}?lang=ar&digits=arab").get_data(as_text=True)
    words = {"open": "مفتوح", "closed": "مغلق", "restricted": "مقيّد", "unknown": "غير معروف"}
    assert f"#{str(rev.entity_id).translate(arabic)} <bdi>" in page
    assert f": {words[status]}</bdi>" in page and f": {status}</bdi>" not in page
    english = admin_client.get(f"/history/{rev.id}?lang=en&digits=latn").get_data(as_text=True)
    assert f"#{rev.entity_id} <bdi>" in english and f": {status}</bdi>" in english


def test_an_events_last_day_is_labelled_like_a_periods_end(app):
    from app.web.history import label

    with app.test_request_context("/?lang=ar"):
        app.preprocess_request()
        assert label("end") == label("end_edtf") != "End"
