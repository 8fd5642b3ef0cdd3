"""Minify the pages' own scripts and style sheets with esbuild, beside their sources.

Each static/js/x.js becomes static/js/x.min.js and each static/css/x.css
static/css/x.min.css, with a source map that points back at the source (app/web/assets.py
links a copy while it is at least as new as its source). Comments and long names are most
of the map's scripts: 149 KB become 70 KB, which a phone parses and receives sooner.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"


def sources() -> list[Path]:
    """Every own script and style sheet under static/js and static/css (not the copies)."""
    return sorted(
        path
        for folder, ext in (("js", ".js"), ("css", ".css"))
        for path in (STATIC / folder).glob(f"*{ext}")
        if not path.name.endswith(f".min{ext}")
    )


def main() -> int:
    """Write every minified copy in one esbuild run; fail loudly if esbuild fails."""
    if not ESBUILD.exists():
        print("minify_assets: esbuild is missing (run npm ci)", file=sys.stderr)
        return 1
    files = sources()
    command = [
        str(ESBUILD),
        *map(str, files),
        "--minify",
        # Not bundled and not re-targeted: the scripts stay the classic scripts and the one
        # module they are, with their syntax as written.
        "--sourcemap",
        "--sources-content=false",
        f"--outdir={STATIC}",
        f"--outbase={STATIC}",
        "--out-extension:.js=.min.js",
        "--out-extension:.css=.min.css",
        "--log-level=warning",
    ]
    if subprocess.run(command, check=False).returncode:
        print("minify_assets: esbuild could not minify the assets", file=sys.stderr)
        return 1
    before = sum(f.stat().st_size for f in files)
    after = sum(f.with_suffix(".min" + f.suffix).stat().st_size for f in files)
    print(f"minify_assets: {len(files)} files, {before:,} -> {after:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
