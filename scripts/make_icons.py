"""Write the atlas's icons into static/img/ from one drawing: a crossing's two sides, split
by the border, as the map draws a crossing whose sides are held by different actors.

  icon.svg              the browser tab's icon (every page links it)
  favicon.ico           16, 32 and 48 px, for clients that ask for /favicon.ico
  apple-touch-icon.png  180 px, for a phone's home screen

usage: python scripts/make_icons.py   (the files are committed; run again after a change)
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img"
SIZE = 64  # the drawing's own units
BACKGROUND, LINE = "#16202e", "#ffffff"  # the top bar's colours
# Two colours of the actors' colour-blind-safe palette (data/seed.yaml).
WEST, EAST = "#0072B2", "#F0E442"
CENTRE, RADIUS, RING, CORNER = 32, 21, 4, 12


def svg() -> str:
    """The drawing as SVG."""
    top, bottom = CENTRE - RADIUS, CENTRE + RADIUS
    half = f"M{CENTRE} {top}a{RADIUS} {RADIUS} 0 0 %d 0 {2 * RADIUS}z"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{CORNER}" fill="{BACKGROUND}"/>'
        f'<path d="{half % 0}" fill="{WEST}"/><path d="{half % 1}" fill="{EAST}"/>'
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{RADIUS}" fill="none" stroke="{LINE}" '
        f'stroke-width="{RING}"/>'
        f'<path d="M{CENTRE} {top - 5}V{bottom + 5}" stroke="{LINE}" stroke-width="{RING}"/>'
        "</svg>\n"
    )


def bitmap(pixels: int) -> Image.Image:
    """The drawing at `pixels` square, drawn four times larger and scaled down (smooth
    edges without an SVG renderer)."""
    k = pixels * 4 / SIZE
    big = Image.new("RGBA", (pixels * 4,) * 2, (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle((0, 0, pixels * 4 - 1, pixels * 4 - 1), CORNER * k, BACKGROUND)
    box = [(CENTRE - RADIUS) * k, (CENTRE - RADIUS) * k, (CENTRE + RADIUS) * k,
           (CENTRE + RADIUS) * k]  # fmt: skip
    draw.pieslice(box, 90, 270, WEST)
    draw.pieslice(box, 270, 90, EAST)
    draw.ellipse(box, outline=LINE, width=round(RING * k))
    x = CENTRE * k
    draw.line((x, (CENTRE - RADIUS - 5) * k, x, (CENTRE + RADIUS + 5) * k), LINE, round(RING * k))
    return big.resize((pixels, pixels), Image.Resampling.LANCZOS)


def main() -> None:
    """Write the three files."""
    OUT.mkdir(exist_ok=True)
    (OUT / "icon.svg").write_text(svg(), encoding="utf-8")
    bitmap(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # A home-screen icon is shown on an opaque tile: no transparent corners.
    tile = Image.new("RGB", (180, 180), BACKGROUND)
    tile.paste(bitmap(180), mask=bitmap(180))
    tile.save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
