"""Animations of the map over time: frame dates, and GIF, WebP or MP4 from frames.

Pure: dates and images (Pillow's) in, file bytes out. Pillow (which Matplotlib brings) writes
GIF and WebP; MP4 goes through the ffmpeg binary that the ``imageio-ffmpeg`` wheel
ships, so nothing is installed system-wide.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["FORMATS", "MAX_FRAMES", "MAX_CLI_FRAMES", "STEPS", "frame_days", "months", "encode"]

FORMATS = {"gif": "image/gif", "webp": "image/webp", "mp4": "video/mp4"}
#: Frames one web request may draw (about 0.1 s each on a quiet machine, several times
#: that under load; gunicorn's timeout is 60 s); the whole seed record, one frame per
#: change, fits. ``flask render`` allows MAX_CLI_FRAMES.
MAX_FRAMES = 80
MAX_CLI_FRAMES = 1000
STEPS = ("change", "month")
FRAME_MS, LAST_FRAME_MS = 900, 2700


def months(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """``lo``, then the first of every month after it, up to ``hi``.

    >>> [d.isoformat() for d in months(dt.date(2024, 11, 15), dt.date(2025, 1, 1))]
    ['2024-11-15', '2024-12-01', '2025-01-01']
    """
    out, day = [lo], dt.date(lo.year, lo.month, 1)
    while True:
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if day > hi:
            return out
        out.append(day)


def frame_days(lo: dt.date, hi: dt.date, step: str, changes: Iterable[dt.date]) -> list[dt.date]:
    """The frames' dates: ``lo`` and each change date in (lo, hi], or each month.

    >>> frame_days(dt.date(2014, 1, 1), dt.date(2015, 1, 1), "change",
    ...            [dt.date(2013, 5, 1), dt.date(2014, 6, 10), dt.date(2016, 1, 1)])
    [datetime.date(2014, 1, 1), datetime.date(2014, 6, 10)]
    """
    if step not in STEPS:
        raise ValueError(f"step {step!r}: must be one of {', '.join(STEPS)}")
    if step == "month":
        return months(lo, hi)
    return [lo, *sorted(d for d in set(changes) if lo < d <= hi)]


def encode(frames: Sequence[Image], fmt: str) -> bytes:
    """One animation from RGB frames: each shown FRAME_MS, the last one longer."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: must be one of {', '.join(FORMATS)}")
    if not frames:
        raise ValueError("no frames to animate")
    if fmt == "mp4":
        return _mp4(frames)
    from PIL.Image import Quantize

    images = list(frames)
    if fmt == "gif":
        # One adaptive palette per frame; the map's few flat colours fit 256 easily. The
        # octree takes a tenth of median cut's time, each colour within 14 of 255 of its own.
        images = [im.quantize(colors=256, method=Quantize.FASTOCTREE) for im in images]
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    buffer = io.BytesIO()
    options = {"quality": 85} if fmt == "webp" else {}
    images[0].save(
        buffer,
        format=fmt.upper(),
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        **options,
    )
    return buffer.getvalue()


def _mp4(images: Sequence[Image]) -> bytes:
    """H.264 at one frame per FRAME_MS (the last frame held), via imageio-ffmpeg."""
    import imageio_ffmpeg

    width, height = images[0].size
    width, height = width - width % 2, height - height % 2  # yuv420p needs even sides
    hold = round(LAST_FRAME_MS / FRAME_MS)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "animation.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path),
            (width, height),
            fps=1000 / FRAME_MS,
            codec="libx264",
            pix_fmt_out="yuv420p",
            macro_block_size=2,
            output_params=["-movflags", "+faststart"],
            ffmpeg_log_level="error",
        )
        writer.send(None)  # start the encoder
        for n, image in enumerate(images):
            data = image.crop((0, 0, width, height)).tobytes()
            for _ in range(hold if n == len(images) - 1 else 1):
                writer.send(data)
        writer.close()
        return path.read_bytes()
