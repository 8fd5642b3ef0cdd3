"""The actor palette stays apart under colour-vision deficiencies (CIEDE2000 on simulated colours).

Machado, Oliveira & Fernandes (2009) simulation matrices at severity 1.0, applied in linear RGB;
CIEDE2000 (Sharma, Wu & Dalal 2005) on CIELAB under D65. Every two actors that can be shown on
the map on the same seed date (holders, and challengers drawn in contest rings) must stay at least
``MIN_DELTA`` apart in every simulation, and in normal vision.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml

from app.core import bounds, map_encoding

SEED = Path(__file__).resolve().parents[2] / "data" / "seed.yaml"
MIN_DELTA = 10.0
MAX_HUE_FAMILIES = 7

# Machado et al. 2009, severity 1.0, for linear RGB.
MACHADO = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
VISIONS = ("normal", *MACHADO)

_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def hex_to_rgb(colour: str) -> np.ndarray:
    """#rrggbb as sRGB in 0..1."""
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0


def to_linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB companding undone."""
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def simulate(srgb: np.ndarray, vision: str) -> np.ndarray:
    """Linear RGB as a viewer with `vision` sees the sRGB colour (clipped to the gamut)."""
    linear = to_linear(srgb)
    if vision == "normal":
        return linear
    return np.clip(MACHADO[vision] @ linear, 0.0, 1.0)


def lab(linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear RGB colour."""
    xyz = _SRGB_TO_XYZ @ linear / _WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dL, dC = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    L_bar, c_bar_p = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_bar = (h1p + h2p + 360) / 2
    else:
        h_bar = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_bar_p**7 / (c_bar_p**7 + 25.0**7))
    s_l = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(
        np.sqrt((dL / s_l) ** 2 + (dC / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dC / s_c) * (dH / s_h))
    )


def delta(c1: str, c2: str, vision: str) -> float:
    """CIEDE2000 between two hex colours as seen with `vision`."""
    return ciede2000(lab(simulate(hex_to_rgb(c1), vision)), lab(simulate(hex_to_rgb(c2), vision)))


def hue_family(colour: str) -> str:
    """A coarse hue name (greys apart): colours of one family differ by lightness only."""
    r, g, b = hex_to_rgb(colour)
    hi, lo = max(r, g, b), min(r, g, b)
    if hi - lo < 0.12:
        return "grey"
    if hi == r:
        h = (60 * (g - b) / (hi - lo)) % 360
    elif hi == g:
        h = 60 * (b - r) / (hi - lo) + 120
    else:
        h = 60 * (r - g) / (hi - lo) + 240
    names = ((20, "red"), (45, "orange"), (70, "yellow"), (165, "green"), (200, "cyan"))
    names += ((255, "blue"), (290, "purple"), (345, "magenta"), (360, "red"))
    return next(name for limit, name in names if h < limit)


def _seed() -> dict:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _span(period: dict) -> tuple:
    """The possible span of a seed period as (first day, end day), open sides widened."""
    start = bounds.parse(period["start"]) if period.get("start") else None
    end = bounds.parse(period["end"]) if period.get("end") else None
    lo = start.earliest.toordinal() if start else -(10**9)
    hi = end.latest.toordinal() + 1 if end else 10**9
    return lo, hi


def shown_together() -> set[frozenset]:
    """Pairs of actors that can both be on the map on some seed date (holders and challengers)."""
    spans = []
    for p in _seed()["periods"]:
        lo, hi = _span(p)
        for actor in {p["actor"], p.get("challenger")} - {None}:
            spans.append((actor, lo, hi))
    pairs = set()
    for (a, lo1, hi1), (b, lo2, hi2) in itertools.combinations(spans, 2):
        if a != b and lo1 < hi2 and lo2 < hi1:
            pairs.add(frozenset((a, b)))
    return pairs


def _colours() -> dict[str, str]:
    return {a["slug"]: a["colour"] for a in _seed()["actors"]}


PAIRS = sorted(tuple(sorted(p)) for p in shown_together())


def test_the_colour_maths_matches_published_values():
    """Sharma et al.'s CIEDE2000 test pairs, and white/black stay put under simulation."""
    assert ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == (
        pytest.approx(2.0425, abs=1e-4)
    )
    assert ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == (
        pytest.approx(27.1492, abs=1e-4)
    )
    assert ciede2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == (
        pytest.approx(2.3669, abs=1e-4)
    )
    for vision in VISIONS:
        assert delta("#000000", "#ffffff", vision) == pytest.approx(100, abs=0.5)


def test_some_actors_are_shown_together():
    assert ("isis", "syrian-government") in PAIRS
    assert len(PAIRS) > 10


@pytest.mark.parametrize("vision", VISIONS)
def test_actors_shown_together_stay_apart(vision):
    colours = _colours()
    close = [
        (a, b, round(d, 1))
        for a, b in PAIRS
        if (d := delta(colours[a], colours[b], vision)) < MIN_DELTA
    ]
    assert not close, f"under {vision}, CIEDE2000 < {MIN_DELTA}: {close}"


def test_at_most_seven_hue_families_and_every_actor_has_a_code():
    actors = _seed()["actors"]
    families = {hue_family(a["colour"]) for a in actors}
    assert len(families) <= MAX_HUE_FAMILIES, families
    codes = [map_encoding.actor_code(a["slug"], a.get("short") or a["name"]) for a in actors]
    assert len(set(codes)) == len(codes), codes
    assert all(1 <= len(c) <= 3 for c in codes)
    for a in actors:
        assert a.get("code") == map_encoding.actor_code(a["slug"], a["short"]), a["slug"]


def test_no_actor_is_drawn_in_the_closed_badge_colour():
    """ "Closed" is a neutral badge: no actor's colour may be confused with it."""
    for slug, colour in _colours().items():
        for vision in VISIONS:
            assert delta(colour, map_encoding.CLOSED_BADGE, vision) >= MIN_DELTA, slug
