"""A contributor's changes become proposals: invisible to readers until an editor approves
them, then applied for their author with revisions that name the proposal."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.core import clock
from app.db.models import ControlPeriod, Proposal, Revision, Site, Source, User
from app.extensions import db
from tests.web.review.helpers import (
    LOG,
    holder,
    log_data,
    period_data,
    proposal,
    proposal_id,
    qaim_period,
    record,
    site_id,
    token,
)


@pytest.fixture
def contributor(seeded, sign_in):
    return sign_in(seeded, "cora", "contributor")


@pytest.fixture
def reviewer(seeded, sign_in):
    return sign_in(seeded, "rita", "editor")


@pytest.fixture
def admin(seeded, sign_in):
    return sign_in(seeded, "ada", "admin")


def _site_data(**change):
    data = {
        "slug": "new-post",
        "name": "New post",
        "name_ar": "مخفر",
        "aliases": "",
        "country": "SY",
        "kind": "crossing_side",
        "crossing_id": "",
        "lon": "40.95",
        "lat": "34.42",
        "location_precision": "exact",
        "location_note": "",
        "radius_km": "",
        "note": "",
        "comment": "a new post",
        "version": "",
    }
    return {**data, **change}


def _ogc_ids(client, collection: str) -> set:
    doc = client.get(f"/ogc/collections/{collection}/items?limit=10000").get_json()
    return {f["id"] for f in doc["features"]}


def test_a_proposed_control_change_is_invisible_until_approved(
    seeded, contributor, reviewer, fingerprint
):
    reader = seeded.test_client()
    before, ogc_before = record(fingerprint, seeded), _ogc_ids(reader, "periods")
    resp = contributor.post(LOG, data=log_data(seeded, contributor))
    pid = proposal_id(resp)
    page = contributor.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Proposed for review" in page and "pending" in page
    # Nothing a reader or the API sees changed: the proposal lives in its own table.
    assert record(fingerprint, seeded) == before
    assert holder(reader, "2024-12-09") == "iraqi-government"
    assert "Handover reported (proposed)" not in reader.get("/sites/al-qaim").get_data(as_text=True)
    assert _ogc_ids(reader, "periods") == ogc_before
    p = proposal(seeded, pid)
    assert (p.kind, p.action, p.state, p.site_id) == (
        "control-periods",
        "log-control",
        "pending",
        site_id(seeded, "al-qaim"),
    )
    assert ["note", "Handover reported (proposed)."] in p.form
    assert not any(name == "csrf_token" for name, _ in p.form)
    assert p.comment == "from the morning brief" and "Kurdistan" in p.summary

    queue = reviewer.get("/review").get_data(as_text=True)
    assert f'href="/review/{pid}"' in queue and "cora" in queue
    shown = reviewer.get(f"/review/{pid}").get_data(as_text=True)
    assert "ends on 8 Dec 2024" in shown and "Kurdistan" in shown
    assert shown.count("<svg") >= 2  # the timeline now and with the proposal

    resp = reviewer.post(f"/review/{pid}/approve")
    assert resp.status_code == 302 and resp.headers["Location"] == "/review"
    assert holder(reader, "2024-12-09") == "kurdistan-region"
    assert holder(reader, "2024-12-07") == "iraqi-government"
    assert _ogc_ids(reader, "periods") != ogc_before
    with seeded.app_context():
        revs = db.session.scalars(select(Revision).where(Revision.proposal_id == pid)).all()
        assert sorted((r.entity, r.action) for r in revs) == [
            ("control_period", "create"),
            ("control_period", "update"),
            ("source", "create"),
        ]
        assert {r.user.username for r in revs} == {"cora"}
        assert all(
            r.comment == f"from the morning brief (proposal #{pid}, approved by rita)" for r in revs
        )
        decided = db.session.get(Proposal, pid)
        assert (decided.state, decided.reviewer.username) == ("approved", "rita")
        assert decided.reviewed_at is not None


def test_a_proposed_site_appears_only_once_approved(seeded, contributor, reviewer, fingerprint):
    reader = seeded.test_client()
    before = record(fingerprint, seeded)
    pid = proposal_id(contributor.post("/editor/sites/new", data=_site_data()))
    assert record(fingerprint, seeded) == before
    assert reader.get("/sites/new-post").status_code == 404
    assert "new-post" not in reader.get("/api/sites.geojson").get_data(as_text=True)
    shown = reviewer.get(f"/review/{pid}").get_data(as_text=True)
    assert "New post" in shown and "40.95" in shown
    assert reviewer.post(f"/review/{pid}/approve").status_code == 302
    assert reader.get("/sites/new-post").status_code == 200
    with seeded.app_context():
        [rev] = db.session.scalars(select(Revision).where(Revision.proposal_id == pid)).all()
        assert (rev.entity, rev.action, rev.user.username) == ("site", "create", "cora")


def test_a_proposed_period_edit_shows_its_diff_and_applies(
    seeded, contributor, reviewer, fingerprint
):
    pid_row = qaim_period(seeded, "isis")
    before = record(fingerprint, seeded)
    data = period_data(seeded, pid_row, confidence="low", comment="AFP says 20 Jun")
    pid = proposal_id(contributor.post(f"/editor/control-periods/{pid_row}/edit", data=data))
    assert record(fingerprint, seeded) == before
    shown = reviewer.get(f"/review/{pid}").get_data(as_text=True)
    diff = re.search(r'<table class="diff proposal-diff">.*?</table>', shown, re.S).group(0)
    assert re.search(r"Confidence</th><td[^>]*>high</td><td[^>]*>low</td>", diff)
    assert "Controller" not in diff  # unchanged fields are not listed
    assert reviewer.post(f"/review/{pid}/approve").status_code == 302
    with seeded.app_context():
        assert db.session.get(ControlPeriod, pid_row).confidence == "low"
        rev = db.session.scalar(select(Revision).where(Revision.proposal_id == pid))
        assert (rev.action, rev.before["confidence"], rev.after["confidence"]) == (
            "update",
            "high",
            "low",
        )


def test_a_proposed_delete_needs_an_admin(seeded, contributor, reviewer, admin, fingerprint):
    row = qaim_period(seeded, "isis")
    before = record(fingerprint, seeded)
    resp = contributor.post(
        f"/editor/control-periods/{row}/delete", data={"version": "1", "comment": "duplicate"}
    )
    pid = proposal_id(resp)
    assert record(fingerprint, seeded) == before
    assert "Islamic State" in seeded.test_client().get("/sites/al-qaim").get_data(as_text=True)
    assert reviewer.post(f"/review/{pid}/approve").status_code == 403
    assert "needs an admin" in reviewer.get(f"/review/{pid}").get_data(as_text=True)
    assert admin.post(f"/review/{pid}/approve").status_code == 302
    with seeded.app_context():
        assert db.session.get(ControlPeriod, row) is None
        rev = db.session.scalar(select(Revision).where(Revision.proposal_id == pid))
        assert (rev.action, rev.user.username) == ("delete", "cora")


def test_a_proposed_status_change_is_applied_on_approval(
    seeded, contributor, reviewer, fingerprint
):
    url = "/editor/sites/al-qaim/log-status"
    data = {
        "status": "restricted",
        "date": "2025-09-01",
        "confidence": "low",
        "source_title": "Border notice",
        "version": token(contributor, url),
    }
    before = record(fingerprint, seeded)
    pid = proposal_id(contributor.post(url, data=data))
    assert record(fingerprint, seeded) == before
    assert reviewer.post(f"/review/{pid}/approve").status_code == 302
    with seeded.app_context():
        periods = db.session.get(Site, site_id(seeded, "al-qaim")).status_periods
        assert (periods[-2].end.text, periods[-1].status) == ("2025-09-01", "restricted")


def test_invalid_proposals_are_refused_like_edits(seeded, contributor, fingerprint):
    before = fingerprint(seeded)
    data = {**log_data(seeded, contributor), "actor_id": ""}
    resp = contributor.post(LOG, data=data)
    assert resp.status_code == 422 and "is required" in resp.get_data(as_text=True)
    assert 'value="from the morning brief"' in resp.get_data(as_text=True)  # input kept
    assert fingerprint(seeded) == before


def test_reject_and_ask_for_changes_need_a_reason_and_reach_the_proposer(
    seeded, contributor, reviewer
):
    first = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    resp = reviewer.post(f"/review/{first}/reject", data={"reason": "  "})
    assert resp.status_code == 422 and "Give a reason" in resp.get_data(as_text=True)
    assert proposal(seeded, first).state == "pending"
    assert reviewer.post(f"/review/{first}/reject", data={"reason": "No source"}).status_code == 302
    p = proposal(seeded, first)
    assert (p.state, p.reason) == ("rejected", "No source")
    assert reviewer.post(f"/review/{first}/approve").status_code == 409  # decided already

    second = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    resp = reviewer.post(f"/review/{second}/ask-changes", data={"reason": "Which day?"})
    assert resp.status_code == 302
    mine = contributor.get("/review/mine").get_data(as_text=True)
    assert "No source" in mine and "Which day?" in mine and "rita" in mine
    assert "rejected" in mine and "changes requested" in mine

    # Edit and resubmit: the same proposal, pending again, with the new input.
    page = contributor.get(f"/review/{second}").get_data(as_text=True)
    link = f"/editor/sites/al-qaim/log-control?proposal={second}"
    assert link in page
    form = contributor.get(link).get_data(as_text=True)
    assert "Handover reported (proposed)." in form
    data = {**log_data(seeded, contributor), "date": "2024-12-10", "comment": "10 Dec"}
    assert proposal_id(contributor.post(link, data=data)) == second
    p = proposal(seeded, second)
    assert (p.state, p.comment, p.reason) == ("pending", "10 Dec", "")
    assert ["date", "2024-12-10"] in p.form
    # Only a proposal sent back for changes can be edited that way.
    assert contributor.get(link).status_code == 409


def test_the_author_may_withdraw_and_others_may_not_see_it(seeded, contributor, sign_in):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    other = sign_in(seeded, "carl", "contributor")
    assert other.get(f"/review/{pid}").status_code == 404
    assert other.post(f"/review/{pid}/withdraw").status_code == 404
    assert contributor.post(f"/review/{pid}/withdraw").status_code == 302
    assert proposal(seeded, pid).state == "withdrawn"


def test_no_one_approves_their_own_proposal(seeded, contributor, password):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    with seeded.app_context():  # the contributor is promoted meanwhile (and signs in again)
        db.session.scalar(select(User).where(User.username == "cora")).role = "editor"
        db.session.commit()
    promoted = seeded.test_client()
    assert (
        promoted.post("/login", data={"username": "cora", "password": password}).status_code == 302
    )
    for action, data in (("approve", {}), ("reject", {"reason": "mine"})):
        resp = promoted.post(f"/review/{pid}/{action}", data=data)
        assert resp.status_code == 403
        assert "cannot review your own proposal" in resp.get_data(as_text=True)
    assert proposal(seeded, pid).state == "pending"
    assert holder(seeded.test_client(), "2024-12-09") == "iraqi-government"


def test_top_bar_counts_pending_proposals(seeded, contributor, reviewer):
    assert "Review (0)" in reviewer.get("/review").get_data(as_text=True)
    proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    assert "Review (1)" in reviewer.get("/").get_data(as_text=True)
    page = contributor.get("/").get_data(as_text=True)
    assert 'href="/review/mine"' in page and "Review (" not in page


def test_the_queue_lists_the_stalest_sites(seeded, reviewer):
    page = reviewer.get("/review").get_data(as_text=True)
    stale = page[page.index('class="stale-sites"') :]
    assert "No tracked sites." not in stale
    assert stale.count('href="/editor/sites/') >= 10  # a "Confirm still holds" per site


def test_revisions_link_to_the_proposal_they_applied(seeded, contributor, reviewer):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    reviewer.post(f"/review/{pid}/approve")
    page = reviewer.get("/sites/al-qaim/history").get_data(as_text=True)
    assert f'href="/review/{pid}"' in page and f"proposal #{pid}" in page
    with seeded.app_context():
        rid = db.session.scalar(select(Revision.id).where(Revision.proposal_id == pid).limit(1))
    assert f'href="/review/{pid}"' in reviewer.get(f"/history/{rid}").get_data(as_text=True)


def test_the_reviewers_feed_needs_a_valid_token(seeded, contributor, reviewer, make_user):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    page = reviewer.get("/review").get_data(as_text=True)
    url = re.search(r'href="(http://localhost/review/feed\.atom\?token=[^"]+)"', page).group(1)
    resp = seeded.test_client().get(url)  # a feed reader: no session
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    body = resp.get_data(as_text=True)
    assert f"/review/{pid}</" in body or f'/review/{pid}"' in body
    assert "Kurdistan" in body
    assert "Accept" in resp.headers["Vary"]  # served by the Accept header, as the public feeds
    refused = seeded.test_client().get(url, headers={"Accept": "application/json"})
    assert refused.status_code == 406
    assert "application/atom+xml" in refused.get_json()["description"]
    anyone = seeded.test_client()
    assert anyone.get("/review/feed.atom").status_code == 403
    assert anyone.get("/review/feed.atom?token=forged").status_code == 403
    from app.web.review.views import feed_token

    with seeded.test_request_context():
        cora = feed_token(proposal(seeded, pid).user_id)
        with seeded.app_context():
            rita = db.session.scalar(select(User).where(User.username == "rita"))
            rita.active = False
            db.session.commit()
            rita_token = feed_token(rita.id)
    assert anyone.get(f"/review/feed.atom?token={cora}").status_code == 403  # a contributor
    assert anyone.get(f"/review/feed.atom?token={rita_token}").status_code == 403  # inactive


def _feed_updated(client, url: str) -> dt.datetime:
    body = client.get(url).get_data(as_text=True)
    stamp = re.search(r"<updated>([^<]+)</updated>", body).group(1)  # the feed's, first
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def test_the_reviewers_feed_is_dated_by_the_last_change_to_the_queue(
    seeded, contributor, reviewer, monkeypatch
):
    """Also when nothing waits: the moment the last proposal left it (decided or
    withdrawn), the same on every request, never the moment of the request."""
    page = reviewer.get("/review").get_data(as_text=True)
    url = re.search(r'href="(http://localhost/review/feed\.atom\?token=[^"]+)"', page).group(1)
    reader = seeded.test_client()
    moment = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    first = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    assert _feed_updated(reader, url) == moment  # it came in
    moment = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    reviewer.post(f"/review/{first}/reject", data={"reason": "no source"})
    assert proposal(seeded, first).state == "rejected"
    moment = dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC)
    assert _feed_updated(reader, url) == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    second = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    moment = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC)
    assert contributor.post(f"/review/{second}/withdraw").status_code == 302
    moment = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)
    assert _feed_updated(reader, url) == dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC)
    page = contributor.get(f"/review/{second}").get_data(as_text=True)
    assert "2026-03-06 09:00 UTC" in page  # the author sees when it was withdrawn


def test_proposals_do_not_change_the_data_version(seeded, contributor):
    reader = seeded.test_client()
    etag = reader.get("/api/sites.geojson").headers.get("ETag")
    proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    assert reader.get("/api/sites.geojson").headers.get("ETag") == etag


def test_the_forms_tell_contributors_they_propose(seeded, contributor, reviewer):
    row = qaim_period(seeded, "isis")
    form = contributor.get(f"/editor/control-periods/{row}/edit").get_data(as_text=True)
    assert "Saving proposes this change" in form and "Propose deleting this" in form
    assert "Saving proposes this change" in contributor.get(LOG).get_data(as_text=True)
    assert "Propose this deletion" in contributor.get(
        f"/editor/control-periods/{row}/delete"
    ).get_data(as_text=True)
    form = reviewer.get(f"/editor/control-periods/{row}/edit").get_data(as_text=True)
    assert "Saving proposes" not in form and "Propose deleting" not in form


def test_a_logged_change_is_listed_in_the_reviewers_language(seeded, contributor, reviewer):
    """Proposed in Arabic, read in English (and the other way): the queue's line names the
    site and the new holder in the reader's language, and the date in words, not EDTF."""
    data = {**log_data(seeded, contributor), "date": "2024-12"}
    pid = proposal_id(contributor.post(LOG + "?lang=ar", data=data))
    english = reviewer.get("/review?lang=en").get_data(as_text=True)
    line = english.split(f'href="/review/{pid}"', 1)[1].split("</tr>", 1)[0]
    assert "al-Qa&#39;im: Kurdistan Region" in line and "from Dec 2024" in line
    assert "من" not in line and "2024-12<" not in line
    arabic = reviewer.get(f"/review/{pid}?lang=ar").get_data(as_text=True)
    heading = arabic.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "القائم الحدودي: " in heading and "من كانون الأول 2024" in heading


def test_the_queue_and_a_proposal_speak_arabic(seeded, contributor, reviewer, admin):
    """Kinds, the titles of edits and deletions, a logged change's line and yes/no are
    Arabic on Arabic pages, whatever language the proposer wrote in."""
    row = qaim_period(seeded, "isis")
    edit = proposal_id(
        contributor.post(
            f"/editor/control-periods/{row}/edit?lang=en",
            data=period_data(seeded, row, confidence="low"),
        )
    )
    gone = proposal_id(
        contributor.post(
            f"/editor/control-periods/{row}/delete?lang=en", data={"version": "1", "comment": "x"}
        )
    )
    logged = proposal_id(
        contributor.post(
            LOG + "?lang=en", data={**log_data(seeded, contributor), "date": "2025-05"}
        )
    )
    queue = reviewer.get("/review?lang=ar").get_data(as_text=True)
    listed = queue.split('<table class="proposals">', 1)[1].split("</table>", 1)[0]
    assert "control-periods" not in listed and "فترة سيطرة · تحديث" in listed
    for pid in (edit, gone):
        line = listed.split(f'href="/review/{pid}"', 1)[1].split("</tr>", 1)[0]
        assert "تنظيم الدولة الإسلامية (داعش)" in line and "Islamic State" not in line
        assert "معبر القائم الحدودي" in line and "أيلول 2014" in line and "Sep" not in line
    page = admin.get(f"/review/{gone}?lang=ar").get_data(as_text=True)
    title = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "تنظيم الدولة الإسلامية (داعش)" in title and "Islamic State" not in title
    diff = re.search(r'<table class="diff proposal-diff">.*?</table>', page, re.S)[0]
    assert re.search(r"متنازع عليه</th><td[^>]*>لا</td>", diff), diff
    change = reviewer.get(f"/review/{logged}?lang=ar").get_data(as_text=True)
    said = change.split('<p class="logged">', 1)[1].split("</p>", 1)[0]
    assert "إقليم كردستان" in said and "Kurdistan" not in said
    assert "أيار 2025" in said and "2025-05" not in said


def test_an_approval_in_arabic_is_kept_in_the_history_for_every_reader(
    seeded, contributor, reviewer
):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    assert reviewer.post(f"/review/{pid}/approve?lang=ar").status_code == 302
    with seeded.app_context():
        rev = db.session.scalar(select(Revision).where(Revision.proposal_id == pid).limit(1))
        rid, stored = rev.id, rev.comment
    assert stored == f"from the morning brief (proposal #{pid}, approved by rita)"
    english = reviewer.get(f"/history/{rid}?lang=en").get_data(as_text=True)
    assert f"from the morning brief (proposal #{pid}, approved by rita)" in english
    arabic = reviewer.get(f"/history/{rid}?lang=ar").get_data(as_text=True)
    assert f"from the morning brief (المقترح #{pid}، وافق عليه rita)" in arabic


def test_an_approved_proposal_gives_its_new_sources_refs(seeded, contributor, reviewer):
    """A source typed into a proposed change, or proposed on its own without a ref, gets
    one from its title when approved: the downloads cite sources by ref."""
    logged = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    data = {"ref": "", "title": "Crossing handed over", "language": "en", "comment": "x"}
    alone = proposal_id(contributor.post("/editor/sources/new", data=data))
    for pid in (logged, alone):
        assert reviewer.get(f"/review/{pid}").status_code == 200  # the preview saves nothing
        assert reviewer.post(f"/review/{pid}/approve").status_code == 302
    with seeded.app_context():
        refs = db.session.scalars(
            select(Source.ref).where(Source.title == "Crossing handed over").order_by(Source.id)
        ).all()
    assert refs == ["crossing-handed-over", "crossing-handed-over-2"]
