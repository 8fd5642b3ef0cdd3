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
