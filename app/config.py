"""Settings: every one has a default, an environment variable and a line of help."""

from __future__ import annotations

import os
import re
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


def _hosts(value: str | tuple[str, ...]) -> tuple[str, ...] | None:
    """A comma-separated host list; `*` (any host) gives None, Flask's "no check"."""
    if isinstance(value, tuple):
        return value
    hosts = tuple(h.strip() for h in value.split(",") if h.strip())
    return None if "*" in hosts else hosts


# One source of a CSP frame-ancestors list: a scheme (https:), or a host with optional
# scheme, `*.` prefix, port and path; quotes, commas and semicolons would end the list.
_FRAME_SOURCE = re.compile(
    r"[a-z][a-z0-9+.-]*:"
    r"|(?:[a-z][a-z0-9+.-]*://)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)"
    r"(?::(?:[0-9]{1,5}|\*))?(?:/[^\s;,'\"]*)?",
    re.IGNORECASE,
)


#: ASOF_INDEX: build the as-of index in a background thread (requests meanwhile ask the
#: database), while the first request waits (tests: every answer comes from the index),
#: or never.
ASOF_MODES = ("background", "inline", "off")


def asof_mode(value: str) -> str:
    """One of ASOF_MODES; ValueError names the setting and the choices."""
    mode = value.strip().lower()
    if mode not in ASOF_MODES:
        raise ValueError(f"ASOF_INDEX: {value!r} is not one of {', '.join(ASOF_MODES)}")
    return mode


def frame_ancestors(value: str) -> str:
    """Check a space-separated frame-ancestors source list; ValueError names the bad one."""
    sources = value.split()
    if not sources:
        raise ValueError("EMBED_FRAME_ANCESTORS: empty; give `*`, 'self' or site addresses")
    if sources == ["'none'"]:
        return "'none'"
    for source in sources:
        if source != "'self'" and not _FRAME_SOURCE.fullmatch(source):
            raise ValueError(
                f"EMBED_FRAME_ANCESTORS: {source!r} is not a frame-ancestors source "
                "(examples: `*`, `'self'`, `https://news.example.org`, `https:`)"
            )
    return " ".join(sources)


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
    Setting(
        "OGC_MAX_LIMIT",
        10000,
        "Largest `limit` the OGC API serves (a larger one is capped to it).",
        int,
    ),
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
    Setting(
        "IMPORT_MAX_PENDING",
        5,
        "Checked import files one editor may keep waiting for confirmation; more are refused "
        "(HTTP 429) until one is imported, discarded or expires.",
        int,
    ),
    Setting(
        "IMPORT_PENDING_HOURS",
        24,
        "Hours a checked import file waits for confirmation before it is deleted.",
        float,
    ),
    Setting(
        "IMPORT_DIR",
        "",
        "Folder on the server's local disk where checked import files wait. Unset: "
        "instance/imports.",
    ),
    Setting(
        "PASSWORD_MIN_SCORE",
        3,
        "Least zxcvbn strength score (0-4) a new password needs; 0 turns the estimate off.",
        int,
    ),
    Setting(
        "SESSION_IDLE_MINUTES",
        120,
        "A sign-in ends after this many minutes without a request.",
        int,
    ),
    Setting(
        "SESSION_MAX_HOURS",
        12,
        "A sign-in ends this many hours after it began, however active.",
        int,
    ),
    Setting(
        "TRUSTED_HOSTS",
        ("localhost", "127.0.0.1"),
        "Comma-separated host names the app answers to (a leading dot allows "
        "subdomains); other Host headers get 400. `*`: any host.",
        _hosts,
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "Scheme and host the app is reached at (e.g. https://atlas.example.org); absolute "
        "links in feeds and the OGC API use it, and cached answers no longer depend on "
        "the Host header. Unset: each request's own host.",
    ),
    Setting(
        "EMBED_FRAME_ANCESTORS",
        "*",
        "Space-separated sites allowed to show /embed in an <iframe> (the CSP's "
        "frame-ancestors, e.g. `https://news.example.org 'self'`); `*`: any site. Every "
        "other page refuses to be framed.",
        frame_ancestors,
    ),
    Setting(
        "ASOF_INDEX",
        "background",
        'How each worker answers "the state of every site on a date": `background` builds '
        "an in-memory index of every period in a thread after start-up (the database "
        "answers until it is done, and every write after that updates it by site), "
        "`inline` builds it while the first request waits, `off` always asks the database.",
        asof_mode,
    ),
    Setting(
        "ASOF_INDEX_FILES",
        "",
        "Folder where each full build of the as-of index is written (readable by the "
        "app's user only), so that the machine's other workers, and workers after a "
        "restart, read it instead of building their own; one builds at a time. Empty: "
        "`asof-index` in the instance folder; `off`: every worker builds its own.",
    ),
    Setting(
        "RESPONSE_CACHE_MB",
        48,
        "Megabytes each worker process may keep in its response caches (finished API, OGC "
        "and feed bodies, as-of rows, map pages); the least recently used go first.",
        int,
    ),
    Setting(
        "REPLAY_CACHED_ANSWERS",
        True,
        "Answer a repeated anonymous API, OGC or feed request from the bytes kept from its "
        "first answer, before Flask dispatches it (the data version is still read on every "
        "replay). Off: every request goes through Flask.",
        _bool,
    ),
    Setting(
        "STALE_AFTER_DAYS",
        180,
        "Days after which a tracked site's last confirmation is old: the map and table dim "
        "it when showing a date within that many days of today.",
        int,
    ),
    Setting(
        "WRITE_LOCK_TIMEOUT",
        15,
        "Seconds a saving request waits for another save (or an import) to finish before "
        "it is answered 503 with its input kept.",
        float,
    ),
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
