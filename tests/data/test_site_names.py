"""Every site of the seed files has a name of its own in English and in Arabic.

A map label, a search result or a "One site" choice names a site by its name in the
reader's language; two sites sharing one (al-Tanf's crossing side and its garrison were
both التنف) cannot be told apart there by a reader of that language.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from app.core import search

ROOT = Path(__file__).resolve().parents[2]
SEED_FILES = [ROOT / "data" / "seed.yaml", ROOT / "tests" / "data" / "contract.yaml"]


def _sites(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("sites") or []


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("field", ["name", "name_ar"])
def test_no_two_sites_share_a_name(path, field):
    """Names are compared as search compares them (case, hamza forms, diacritics aside)."""
    slugs_by_name: dict[str, list[str]] = defaultdict(list)
    for site in _sites(path):
        if site.get(field):
            slugs_by_name[search.normalise(site[field])].append(site["slug"])
    shared = {name: slugs for name, slugs in slugs_by_name.items() if len(slugs) > 1}
    assert not shared, f"{path.name}: sites sharing a {field}: {shared}"


def test_arabic_search_for_al_tanf_still_finds_the_crossing_side_and_the_garrison(seed_data):
    """The garrison has a name of its own (قاعدة التنف), and التنف still finds it first
    after the crossing side, as before."""
    candidates = [
        {"slug": s["slug"], "name": s["name"], "search_text": search.search_text(_Site(s))}
        for s in seed_data["sites"]
    ]
    found = [c["slug"] for c in search.find("التنف", candidates)]
    assert found[:2] == ["al-tanf", "al-tanf-garrison"]


class _Site:
    """A seed entry read as a site (search.search_text reads attributes)."""

    def __init__(self, entry: dict) -> None:
        self.name, self.name_ar = entry["name"], entry.get("name_ar") or ""
        self.slug, self.aliases = entry["slug"], entry.get("aliases") or []
