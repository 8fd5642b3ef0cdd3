"""``flask render``: the publication pictures as files (map, timeline, animation)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli import Refused
from app.core import animation, static_map, timeline_chart
from app.core.clock import today
from app.core.vocabulary import FIRST_DAY
from app.web import pictures

__all__ = ["render_cli"]

_LANG = click.Choice(pictures.LANGS)


@click.group("render")
def render_cli() -> None:
    """Draw the static map of a date, the timeline of every crossing, or an animation."""


@render_cli.command("map")
@click.option("--date", "day", required=True, help="The date to show (YYYY-MM-DD).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.svg|png|pdf")
@click.option(
    "--width",
    type=int,
    default=static_map.DEFAULT_WIDTH,
    show_default=True,
    help=f"PNG width in pixels ({static_map.MIN_WIDTH}–{static_map.MAX_WIDTH}).",
)
@click.option("--scale", type=click.Choice(["1", "2"]), default="1", help="PNG pixel density.")
@click.option("--lang", type=_LANG, default="en", show_default=True)
@with_appcontext
def map_command(day: str, out: str, width: int, scale: str, lang: str) -> None:
    """Write the map of one date."""
    fmt = _format(out, static_map.FORMATS)
    date = _date("--date", day)
    if not static_map.MIN_WIDTH <= width <= static_map.MAX_WIDTH:
        raise Refused(f"--width: must be from {static_map.MIN_WIDTH} to {static_map.MAX_WIDTH}")
    body = pictures.map_bytes(date, fmt, width, int(scale), lang, pictures.permalink(date))
    _write(out, body)


@render_cli.command("timeline")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.svg|png|pdf")
@click.option("--from", "lo", default=None, help="First day shown (default 2011-01-01).")
@click.option("--to", "hi", default=None, help="Last day shown (default today).")
@click.option(
    "--width",
    type=click.IntRange(400, 4000),
    default=1600,
    show_default=True,
    help="PNG width in pixels.",
)
@click.option("--lang", type=_LANG, default="en", show_default=True)
@with_appcontext
def timeline_command(out: str, lo: str | None, hi: str | None, width: int, lang: str) -> None:
    """Write the timeline of every crossing (the PDF is A4 landscape, paged)."""
    fmt = _format(out, timeline_chart.FORMATS)
    start, end = _range(lo, hi)
    try:
        with click.progressbar(length=pictures.site_count(), label="Drawing sites") as bar:
            body = pictures.timeline_bytes(fmt, start, end, width, progress=bar.update, lang=lang)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    _write(out, body)


@render_cli.command("animation")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.gif|webp|mp4")
@click.option("--from", "lo", default=None, help="First frame's date (default 2011-01-01).")
@click.option("--to", "hi", default=None, help="Last date (default today).")
@click.option(
    "--step",
    type=click.Choice(animation.STEPS),
    default="change",
    show_default=True,
    help="A frame at each change of any site, or on the first of each month.",
)
@click.option("--width", type=click.IntRange(400, 1600), default=800, show_default=True)
@click.option("--lang", type=_LANG, default="en", show_default=True)
@with_appcontext
def animation_command(
    out: str, lo: str | None, hi: str | None, step: str, width: int, lang: str
) -> None:
    """Write an animation of the map, with a progress bar while the frames are drawn."""
    fmt = _format(out, animation.FORMATS)
    start, end = _range(lo, hi)
    days = pictures.animation_days(start, end, step)
    if len(days) > animation.MAX_CLI_FRAMES:
        raise Refused(
            f"--to: {len(days)} frames from {start} to {end} with --step {step}; at most "
            f"{animation.MAX_CLI_FRAMES} (narrow --from/--to, or --step month)"
        )
    with click.progressbar(length=len(days), label="Drawing frames") as bar:
        body = pictures.animation_bytes(days, fmt, width, lang, bar.update)
    _write(out, body)
    click.echo(f"{len(days)} frames, {days[0]} to {days[-1]}.")


def _format(out: str, formats: dict[str, str]) -> str:
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in formats:
        raise Refused(f"--out: {out!r} must end in " + ", ".join(f".{f}" for f in formats))
    return fmt


def _date(option: str, text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Refused(f"{option}: {text!r} is not a date (YYYY-MM-DD)")
    if not FIRST_DAY <= day <= today():
        raise Refused(f"{option}: must be between {FIRST_DAY} and {today()}")
    return day


def _range(lo: str | None, hi: str | None) -> tuple[dt.date, dt.date]:
    start = _date("--from", lo) if lo else FIRST_DAY
    end = _date("--to", hi) if hi else today()
    if end <= start:
        raise Refused(f"--to: {end} must be after --from ({start})")
    return start, end


def _write(out: str, body: bytes) -> None:
    try:
        Path(out).write_bytes(body)
    except OSError as exc:
        raise Refused(f"--out: cannot write {out!r}: {exc.strerror}") from None
    click.echo(f"Wrote {out} ({len(body):,} bytes).")
