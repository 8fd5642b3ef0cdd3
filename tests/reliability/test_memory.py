"""Bounded response caches: distinct dates, Host headers and made-up parameters cannot grow
a worker past RESPONSE_CACHE_MB (the byte logic itself is tested in tests/core/test_cache.py;
bench/memory_sweep.py measures real workers)."""

from __future__ import annotations

import subprocess
import sys

from app.core import cache
from app.db.models import Actor, Site
from app.extensions import db


def _fill(app, n: int = 30) -> None:
    with app.app_context():
        db.session.add(Actor(slug="a", name="A", short="A", kind="state", colour="#123456"))
        db.session.add_all(
            Site(slug=f"s{i}", name=f"S {i}", country="SY", kind="town", lon=41.0, lat=34.4)
            for i in range(n)
        )
        db.session.commit()


def test_distinct_dates_stay_within_the_byte_budget(app, app_variant):
    _fill(app)
    small = app_variant(RESPONSE_CACHE_MB=0.05)  # 52 kB in all
    client = small.test_client()
    for day in range(1, 200):
        resp = client.get(f"/api/sites.geojson?date=2015-{1 + day % 12:02d}-{1 + day % 28:02d}")
        assert resp.status_code == 200
    for name, (_, held, limit) in cache.usage().items():
        assert held <= limit, name
    assert sum(limit for *_, limit in cache.usage().values()) <= 0.05 * 2**20


def test_host_headers_and_unknown_parameters_add_no_entries(app, app_variant):
    _fill(app, 3)
    public = app_variant(PUBLIC_URL="https://atlas.example.org", TRUSTED_HOSTS=None)  # any host
    client = public.test_client()
    cache.responses.clear()
    for i in range(20):
        resp = client.get("/feeds/changes.atom", headers={"Host": f"h{i}.example"})
        assert resp.status_code == 200
        assert b"h1.example" not in resp.data and b"https://atlas.example.org/" in resp.data
    for i in range(20):
        resp = client.get(f"/ogc/collections/sites/items?junk{i}=1")
        assert resp.status_code == 400
        assert client.get(f"/api/sites.geojson?date=2015-01-01&junk{i}=1").status_code == 400
    # The feed's body, and the bytes kept to replay it (app.web.replay): one of each.
    assert len(cache.responses) == 2


def test_a_worker_serves_the_map_and_downloads_without_the_table_libraries(tmp_path):
    """GeoPandas, pandas and GDAL (pyogrio) are loaded by the requests that measure or write
    layers, and Matplotlib by those that draw pictures — not at start-up, and not by the
    map page, the GeoJSON or the CSV (about 130 MB of each worker's budget)."""
    url = f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    code = (
        "import sys\n"
        "from flask_migrate import upgrade\n"
        "from app import create_app\n"
        "from app.io import seed\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {url!r}, 'SECRET_KEY': 'x'}})\n"
        "heavy = ('geopandas', 'pandas', 'pyogrio', 'matplotlib', 'folium')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    seed.load(app.config['SEED_FILE'])\n"
        "client = app.test_client()\n"
        "for path in ('/?date=2015-06-01', '/api/sites.geojson', '/api/sites.csv'):\n"
        "    assert client.get(path).status_code == 200, path\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "[]"]
