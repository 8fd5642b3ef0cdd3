"""flask geodata check: every site lies in its recorded country, or says why not."""

from app.db.models import Site
from app.extensions import db


def test_check_lists_sites_outside_their_country_with_the_stated_reason(seeded):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["geodata", "check"])
    assert result.exit_code == 0, result.output
    assert "0 without a stated reason" in result.output.splitlines()[-1]
    for line in result.output.splitlines()[:-1]:
        assert "stated reason:" in line


def test_a_site_moved_across_the_border_without_a_note_is_reported(seeded):
    with seeded.app_context():
        tanf = db.session.scalar(db.select(Site).where(Site.slug == "al-tanf"))
        tanf.lon, tanf.lat, tanf.location_note = 38.9374, 33.4332, ""  # al-Waleed's point
        db.session.commit()
    result = seeded.test_cli_runner().invoke(args=["geodata", "check"])
    assert "al-tanf: recorded SY, found IQ" in result.output
    assert "1 without a stated reason" in result.output.splitlines()[-1]
