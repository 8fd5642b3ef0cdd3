"""Approval re-checks a proposal against the record as it stands: a row changed since, a
rule now broken or a second reviewer applies nothing and leaves the proposal pending."""

import pytest
from sqlalchemy import select, update

from app.db.models import ControlPeriod, Proposal, Revision, User
from app.extensions import db
from app.web.review import apply
from tests.web.review.helpers import (
    LOG,
    holder,
    log_data,
    period_data,
    proposal,
    proposal_id,
    qaim_period,
    site_id,
)


@pytest.fixture
def contributor(seeded, sign_in):
    return sign_in(seeded, "cora", "contributor")


@pytest.fixture
def reviewer(seeded, sign_in):
    return sign_in(seeded, "rita", "editor")


def test_a_row_edited_after_the_proposal_is_a_conflict(seeded, contributor, reviewer, fingerprint):
    row = qaim_period(seeded, "isis")
    data = period_data(seeded, row, confidence="low")
    pid = proposal_id(contributor.post(f"/editor/control-periods/{row}/edit", data=data))
    edited = period_data(seeded, row, note="Edited directly.")
    assert reviewer.post(f"/editor/control-periods/{row}/edit", data=edited).status_code == 302
    before = fingerprint(seeded)
    resp = reviewer.post(f"/review/{pid}/approve")
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "changed since the proposal was made" in page
    assert "Edited directly." in page  # what differs: the note written meanwhile
    assert fingerprint(seeded) == before
    assert proposal(seeded, pid).state == "pending"
    with seeded.app_context():
        assert db.session.get(ControlPeriod, row).confidence == "high"


def test_a_log_change_after_the_proposal_is_a_conflict(seeded, contributor, reviewer, fingerprint):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    direct = {**log_data(seeded, reviewer), "date": "2024-11-01", "note": "direct"}
    assert reviewer.post(LOG, data=direct).status_code == 302
    before = fingerprint(seeded)
    resp = reviewer.post(f"/review/{pid}/approve")
    assert resp.status_code == 409
    assert "current period changed" in resp.get_data(as_text=True)
    assert fingerprint(seeded) == before and proposal(seeded, pid).state == "pending"


def test_a_slug_taken_since_is_refused_at_approval(seeded, contributor, reviewer, fingerprint):
    from tests.web.review.test_proposals import _site_data

    pid = proposal_id(contributor.post("/editor/sites/new", data=_site_data()))
    direct = _site_data(name="Taken first", lon="40.96")
    assert reviewer.post("/editor/sites/new", data=direct).status_code == 302
    before = fingerprint(seeded)
    resp = reviewer.post(f"/review/{pid}/approve")
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "breaks a rule" in page and "already used by another site" in page
    assert fingerprint(seeded) == before and proposal(seeded, pid).state == "pending"


def test_an_overlap_found_at_approval_is_refused(seeded, contributor, reviewer, fingerprint):
    gap = {
        "site_id": site_id(seeded, "al-qaim"),
        "status": "open",
        "start": "",
        "end": "2012-08-01",
        "confidence": "low",
        "source_title": "Old timetable",
    }
    pid = proposal_id(contributor.post("/editor/status-periods/new", data=gap))
    direct = {**gap, "end": "2012-06-01", "status": "closed"}
    assert reviewer.post("/editor/status-periods/new", data=direct).status_code == 302
    before = fingerprint(seeded)
    resp = reviewer.post(f"/review/{pid}/approve")
    assert resp.status_code == 422 and "overlaps" in resp.get_data(as_text=True)
    assert fingerprint(seeded) == before and proposal(seeded, pid).state == "pending"


def test_approving_twice_applies_once(seeded, contributor, reviewer, sign_in):
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    other = sign_in(seeded, "otto", "editor")
    assert reviewer.post(f"/review/{pid}/approve").status_code == 302
    resp = other.post(f"/review/{pid}/approve")
    assert resp.status_code == 409 and "already decided" in resp.get_data(as_text=True)
    with seeded.app_context():
        created = db.session.scalars(
            select(Revision).where(Revision.proposal_id == pid, Revision.action == "create")
        ).all()
        assert len([r for r in created if r.entity == "control_period"]) == 1


def test_a_reviewer_deciding_meanwhile_stops_the_approval(seeded, contributor, fingerprint):
    """Two reviewers load the same pending proposal; the other's decision lands first (its
    version moves on): this approval applies nothing and says so."""
    pid = proposal_id(contributor.post(LOG, data=log_data(seeded, contributor)))
    with seeded.test_request_context():
        rita = User(username="rita", role="editor")
        rita.set_password("correct horse battery")
        db.session.add(rita)
        db.session.commit()
        before = fingerprint(seeded)
        mine = db.session.get(Proposal, pid)  # loaded at version 1
        db.session.execute(
            update(Proposal)
            .where(Proposal.id == pid)
            .values(version=Proposal.version + 1, reason="decided elsewhere"),
            execution_options={"synchronize_session": False},
        )
        refusal = apply.approve(mine, rita)
        assert refusal is not None and refusal.status == 409
        assert "decided this proposal meanwhile" in refusal.message
    assert fingerprint(seeded) == before
    assert holder(seeded.test_client(), "2024-12-09") == "iraqi-government"


def test_contributors_cannot_import_revert_or_review(seeded, contributor, fingerprint):
    with seeded.app_context():
        rid = db.session.scalar(select(Revision.id).limit(1))
    before = fingerprint(seeded)
    for method, url in (
        ("GET", "/editor/import"),
        ("POST", "/editor/import"),
        ("POST", "/editor/import/confirm"),
        ("POST", f"/history/{rid or 1}/revert"),
        ("GET", "/review"),
        ("POST", "/review/1/approve"),
        ("POST", "/review/1/reject"),
        ("POST", "/review/1/ask-changes"),
    ):
        assert contributor.open(url, method=method).status_code == 403, (method, url)
    assert fingerprint(seeded) == before
