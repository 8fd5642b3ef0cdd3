"""Settings: every one has a default, an environment variable and a line of help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One configuration key, read from the environment variable of the same name."""

    name: str
    default: object
    help: str
    cast: type = str


def _bool(value: str | bool) -> bool:
    """Read yes/no words the way people write them in shell environments."""
    if isinstance(value, bool):
        return value
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        None,
        "Signs sessions and CSRF tokens. Unset: a random key is "
        "made once and kept in instance/secret_key.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the database. Unset: the SQLite file instance/atlas.sqlite.",
    ),
    Setting("HOST", "127.0.0.1", "Address `make run` and `make serve` listen on."),
    Setting("PORT", 5000, "Port `make run` and `make serve` listen on.", int),
    Setting(
        "WEB_CONCURRENCY", 0, "gunicorn workers for `make serve`; 0 means 2 × CPU cores + 1.", int
    ),
    Setting(
        "PROXY_FIX",
        0,
        "Number of reverse proxies in front of the app whose "
        "X-Forwarded-For/-Proto/-Host headers are trusted (0: none).",
        int,
    ),
    Setting(
        "GEODATA_DIR",
        str(PROJECT_ROOT / "geodata"),
        "Folder holding the built boundary layers (GeoJSON) and any imported layers.",
    ),
    Setting(
        "SEED_FILE",
        str(PROJECT_ROOT / "data" / "seed.yaml"),
        "Reviewed data file that `flask seed` loads.",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        "Send the session cookie only over HTTPS (turn on behind TLS).",
        _bool,
    ),
    Setting(
        "TILES_URL",
        "",
        "Leaflet tile URL template (e.g. https://tiles.example.org/"
        "{z}/{x}/{y}.png) drawn under the boundary layers. Unset: no tiles, the map "
        "makes no request to another host.",
    ),
    Setting(
        "TILES_ATTRIBUTION",
        "",
        "Attribution shown for TILES_URL (required by most "
        "tile providers). Unset: the tile host name.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        20 * 1024 * 1024,
        "Largest request body (bytes), uploads included.",
        int,
    ),
    Setting(
        "OGC_DEFAULT_LIMIT", 100, "Features per page of the OGC API when `limit` is not given.", int
    ),
    Setting("OGC_MAX_LIMIT", 10000, "Largest `limit` the OGC API accepts (larger gets 400).", int),
    Setting(
        "DOWNLOAD_MAX_AGE",
        60,
        "Seconds clients and proxies may reuse an API, OGC or "
        "feed response before revalidating it with its ETag.",
        int,
    ),
    Setting(
        "FEED_TAG_AUTHORITY",
        "border-control-atlas.invalid",
        "Domain used in the "
        "`tag:` ids of Atom feed entries; set it to a domain you own, then keep it.",
    ),
    Setting(
        "LOGIN_MAX_FAILURES",
        5,
        "Failed sign-ins allowed per username and per client "
        "address within LOGIN_WINDOW_SECONDS before sign-in is refused (0: no limit).",
        int,
    ),
    Setting(
        "LOGIN_WINDOW_SECONDS",
        900,
        "How long (seconds) a failed sign-in counts towards LOGIN_MAX_FAILURES.",
        int,
    ),
    Setting("PASSWORD_MIN_LENGTH", 10, "Shortest password `flask users` accepts.", int),
)


def from_environ(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Return every setting, taking its value from the environment when present."""
    environ = os.environ if environ is None else environ
    values = {}
    for s in SETTINGS:
        raw = environ.get(s.name)
        if raw is None or raw == "":
            values[s.name] = s.default
        else:
            values[s.name] = s.cast(raw)
    return values
