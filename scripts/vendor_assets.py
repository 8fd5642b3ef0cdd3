"""Copy the browser assets the pages use from node_modules into static/vendor/."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# (file or folder inside node_modules, destination inside static/vendor)
ASSETS = [
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    ("leaflet/LICENSE", "leaflet/LICENSE"),
    (
        "leaflet.markercluster/dist/leaflet.markercluster.js",
        "markercluster/leaflet.markercluster.js",
    ),
    ("leaflet.markercluster/dist/MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("leaflet.markercluster/MIT-LICENCE.txt", "markercluster/MIT-LICENCE.txt"),
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"),
    ("swagger-ui-dist/LICENSE", "swagger-ui/LICENSE"),
    # Only the accessibility tests inject it; it is never linked from a page.
    ("axe-core/axe.min.js", "axe-core/axe.min.js"),
    ("axe-core/LICENSE", "axe-core/LICENSE"),
]


def main() -> int:
    """Copy every asset; fail loudly when npm has not installed one."""
    missing = [src for src, _ in ASSETS if not (NODE / src).exists()]
    if missing:
        print(f"vendor_assets: missing in node_modules (run npm ci): {missing}", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dest in ASSETS:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target)
        else:
            shutil.copy2(NODE / src, target)
    print(f"vendor_assets: {len(ASSETS)} assets -> {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
