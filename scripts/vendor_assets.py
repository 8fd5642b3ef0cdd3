"""Copy the browser assets the pages use from node_modules into static/vendor/, build
Leaflet's two parts from its sources (static/js/leaflet-load.js), and minify the style
sheets npm ships unminified."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# (file or folder inside node_modules, destination inside static/vendor)
ASSETS = [
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
    return build_leaflet_parts() or minify_styles()


def build_leaflet_parts() -> int:
    """Leaflet's ES modules bundled into two parts and the code they share (esbuild).

    Leaflet's one script (dist/leaflet.js) runs as one task of 50–90 ms on a phone-class
    CPU, the longest of a map's load; two parts can be evaluated a task apart. The parts
    import the same modules, in the same order, as Leaflet's own build.
    """
    version = json.loads((NODE / "leaflet" / "package.json").read_text())["version"]
    parts = ROOT / "scripts" / "leaflet"
    out = VENDOR / "leaflet" / "parts"
    command = [
        str(NODE / ".bin" / "esbuild"),
        str(parts / "first.js"),
        str(parts / "second.js"),
        "--bundle",
        "--splitting",
        "--format=esm",
        "--minify",
        "--target=es2017",
        "--chunk-names=shared",
        "--log-level=warning",
        f"--banner:js=/* Leaflet {version} (c) 2010-2023 Vladimir Agafonkin, (c) 2010-2011"
        " CloudMade; BSD-2-Clause, see ../LICENSE */",
        f"--outdir={out}",
    ]
    done = subprocess.run(command, check=False)
    if done.returncode:
        print("vendor_assets: esbuild could not build Leaflet's parts", file=sys.stderr)
        return 1
    print(f"vendor_assets: Leaflet {version} in parts -> {out.relative_to(ROOT)}")
    return 0


# Style sheets npm ships as written, linked by the map page and the embed.
STYLES = ["leaflet/leaflet.css", "markercluster/MarkerCluster.css"]


def minify_styles() -> int:
    """Minify STYLES in place (esbuild, not bundled: their url()s stay as written)."""
    command = [
        str(NODE / ".bin" / "esbuild"),
        *(str(VENDOR / name) for name in STYLES),
        "--minify",
        "--allow-overwrite",
        "--log-level=warning",
        f"--outbase={VENDOR}",
        f"--outdir={VENDOR}",
    ]
    if subprocess.run(command, check=False).returncode:
        print("vendor_assets: esbuild could not minify the style sheets", file=sys.stderr)
        return 1
    size = sum((VENDOR / name).stat().st_size for name in STYLES)
    print(f"vendor_assets: {len(STYLES)} style sheets minified ({size:,} B)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
