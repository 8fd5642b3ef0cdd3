"""Sorted period bounds of every site, searched together: who may hold each site on a day.

A :class:`Track` holds one kind of period (control or status) of all sites as flat NumPy
arrays of day ordinals, sorted by site and then by start as :func:`timeline.answer` orders
them. :meth:`Track.lookup` answers every site at once with one ``np.searchsorted``: the
site's certain holder when exactly one period may apply and it certainly does, and, for
the few sites in a window (a transition, overlapping windows, a doubtful start), the
periods whose possible span holds the day, so the caller decides them with the one rule
of :func:`app.core.timeline.answer`. Bounds follow :class:`timeline.Period`: *certain*
``[latest start, earliest end)``, *possible* ``[earliest start, latest end)``.

>>> import datetime as dt
>>> d = lambda *a: dt.date(*a).toordinal()
>>> t = Track.build(2, [0, 0, 1], [NEG, d(2015, 1, 1), NEG], [NEG, d(2015, 2, 1), NEG],
...                 [d(2015, 1, 1), POS, POS], [d(2015, 2, 1), POS, POS])
>>> held, slow = t.lookup(d(2014, 6, 1))
>>> held.tolist(), slow.tolist()
([0, 2], [])
>>> held, slow = t.lookup(d(2015, 1, 10))
>>> held.tolist(), slow.tolist(), t.candidates(0, d(2015, 1, 10))
([-1, 2], [0], [0, 1])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from app.core.bounds import Bound

__all__ = ["NEG", "POS", "Track", "day_number", "start_days", "end_days"]

# Day ordinals run from 1 (date.min) to 3,652,059 (date.max) < 2**22: NEG and POS stand
# for the open sides, and a site's position shifted by 22 bits joins its start in one key.
_SHIFT = 22
NEG = 0
POS = 1 << _SHIFT


def day_number(day: dt.date | None, missing: int) -> int:
    """A day's ordinal, or `missing` (NEG or POS) for an open side."""
    return missing if day is None else day.toordinal()


def start_days(start: Bound | None) -> tuple[int, int]:
    """(possible start, certain start) as ordinals, as timeline.Period defines them."""
    if start is None:
        return NEG, NEG
    return day_number(start.earliest, NEG), day_number(start.latest, POS)


def end_days(end: Bound | None) -> tuple[int, int]:
    """(certain end, possible end) as ordinals, as timeline.Period defines them."""
    if end is None:
        return POS, POS
    return day_number(end.earliest, NEG), day_number(end.latest, POS)


class Track:
    """One kind of period of every site, sorted by (site, earliest start, latest start)."""

    __slots__ = ("n_sites", "row", "key", "certain_start", "certain_end", "possible_end",
                 "reach", "first")  # fmt: skip

    def __init__(self, n_sites: int, row, key, certain_start, certain_end, possible_end, reach,
                 first):  # fmt: skip
        """Use :meth:`build`."""
        self.n_sites = n_sites
        self.row = row  # the caller's row number of each sorted period
        self.key = key  # site << 22 | possible start: one sorted array for all sites
        self.certain_start = certain_start
        self.certain_end = certain_end
        self.possible_end = possible_end
        self.reach = reach  # latest possible end so far within the site: earlier candidates
        self.first = first  # index of each site's first period (n_sites + 1 offsets)

    @classmethod
    def build(
        cls,
        n_sites: int,
        site: Sequence[int] | np.ndarray,
        possible_start: Sequence[int] | np.ndarray,
        certain_start: Sequence[int] | np.ndarray,
        certain_end: Sequence[int] | np.ndarray,
        possible_end: Sequence[int] | np.ndarray,
    ) -> Track:
        """Index periods given in any order by their site position and bound ordinals."""
        site_a = np.asarray(site, dtype=np.int64)
        ps = np.asarray(possible_start, dtype=np.int64)
        cs = np.asarray(certain_start, dtype=np.int32)
        order = np.lexsort((cs, ps, site_a)).astype(np.int32)
        site_a, ps = site_a[order], ps[order]
        pe = np.asarray(possible_end, dtype=np.int32)[order]
        # Running maximum of the possible end within each site: the site's offset above
        # every end keeps the maximum from leaking into the next site.
        lifted = (site_a << (_SHIFT + 1)) + pe
        reach = (np.maximum.accumulate(lifted) - (site_a << (_SHIFT + 1))).astype(np.int32)
        first = np.searchsorted(site_a, np.arange(n_sites + 1)).astype(np.int64)
        return cls(
            n_sites,
            order,
            (site_a << _SHIFT) | ps,
            cs[order],
            np.asarray(certain_end, dtype=np.int32)[order],
            pe,
            reach,
            first,
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(
            a.nbytes
            for a in (self.row, self.key, self.certain_start, self.certain_end,
                      self.possible_end, self.reach, self.first)
        )  # fmt: skip

    def lookup(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """(held, slow) on the day with ordinal `day`.

        held[s] is the row of site s's certain holder, or -1. A site is slow when more than
        one period may apply, or one may and does not certainly: the caller answers it
        from :meth:`candidates`. A site neither held nor slow has no period on that day.
        """
        n = self.n_sites
        if len(self.key) == 0:
            return np.full(n, -1, dtype=np.int32), np.zeros(0, dtype=np.int64)
        sites = np.arange(n, dtype=np.int64)
        last = np.searchsorted(self.key, (sites << _SHIFT) | day, side="right") - 1
        first = self.first[:-1]
        begun = last >= first  # some period of the site starts on or before the day
        k = np.where(begun, last, 0)
        possible = begun & (self.possible_end[k] > day)
        prev = np.maximum(k - 1, 0)
        earlier = begun & (k > first) & (self.reach[prev] > day)
        certain = possible & (self.certain_start[k] <= day) & (day < self.certain_end[k])
        held = np.where(certain & ~earlier, self.row[k], -1).astype(np.int32)
        slow = np.flatnonzero((possible & ~certain) | earlier)
        return held, slow

    def candidates_of(self, sites: Sequence[int], day: int) -> list[list[int]]:
        """:meth:`candidates` of many sites at once, stepping back through them together."""
        at = np.asarray(sites, dtype=np.int64)
        out: list[list[int]] = [[] for _ in range(len(at))]
        if len(at) == 0 or len(self.key) == 0:
            return out
        j = np.searchsorted(self.key, (at << _SHIFT) | day, side="right") - 1
        first = self.first[at]
        live = np.flatnonzero(j >= first)
        while len(live):
            jj = j[live]
            reaching = self.reach[jj] > day  # else no earlier period reaches the day
            live, jj = live[reaching], jj[reaching]
            keep = self.possible_end[jj] > day
            for n, row in zip(live[keep].tolist(), self.row[jj[keep]].tolist(), strict=True):
                out[n].append(row)
            j[live] -= 1
            live = live[j[live] >= first[live]]
        for rows in out:
            rows.reverse()
        return out

    def candidates(self, site: int, day: int) -> list[int]:
        """Rows of the site's periods whose possible span holds the day, in start order."""
        lo, hi = int(self.first[site]), int(self.first[site + 1])
        j = int(np.searchsorted(self.key[lo:hi], (site << _SHIFT) | day, side="right")) + lo - 1
        out = []
        while j >= lo and self.reach[j] > day:
            if self.possible_end[j] > day:
                out.append(int(self.row[j]))
            j -= 1
        out.reverse()
        return out
