"""The blur itself: how a face or region is made unrecognisable, whose face is spared, and the pass's settings.

Every face found is blurred unless a script's ``privacy.keep_unblurred`` entry points at it (its
centre within :attr:`BlurSettings.keep_within` degrees, inside the entry's time window). The
script's ``privacy.blur_regions`` (name badges, screens with client records) are blurred as well,
in their time windows. Blurring is irreversible: the region is scaled down to a few cells across
(the detail is thrown away, not hidden) and scaled up smoothly again.

Photos go through :mod:`render.privacy.photo`, clips through :mod:`render.privacy.clip`; faces are
followed from frame to frame, each eye of stereo footage on its own, in :mod:`render.privacy.tracker`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from render.privacy.tiles import SphereBox, angle_between, equirect_mask
from scripts_vr.model import KeepUnblurred


@dataclass(frozen=True)
class BlurSettings:
    """How hard and how often: each setting once, with its default and what it does."""

    keyframe_interval: int = 15
    """frames between two face searches (a cut always starts a new search)"""
    margin: float = 0.25
    """each face box grows by this share of its size on every side before blurring"""
    cells: int = 6
    """a blurred face keeps this many cells across its height: nothing recognisable survives"""
    keep_within: float = 5.0
    """degrees: a face whose centre is this close to a keep_unblurred direction stays sharp"""
    cut_threshold: float = 30.0
    """mean grey-level change (0–255) between two frames that counts as a cut"""
    thumbnail: int = 160
    """pixels: the side of each crop on the review sheet"""


def blur_box(frame: np.ndarray, box: SphereBox, cells: int = 6) -> None:
    """Blur ``box`` in the equirect ``frame``, in place, irreversibly: the pixels inside are
    replaced by a ``cells``-across downscale of themselves, scaled up smoothly."""
    h, w = frame.shape[:2]
    rows, cols, mask = equirect_mask(box, w, h)
    if not mask.any():
        return
    contiguous = cols[-1] - cols[0] == len(cols) - 1
    region = frame[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] if contiguous else frame[np.ix_(rows, cols)]
    ch, cw = region.shape[:2]
    cell = max(2.0, box.height / 180.0 * h / cells)  # pixels per cell, vertically
    stretch = 1.0 / max(0.05, math.cos(math.radians(box.pitch)))  # equirect rows widen toward the poles
    small = cv2.resize(region, (max(1, round(cw / (cell * stretch))), max(1, round(ch / cell))),
                       interpolation=cv2.INTER_AREA)
    smooth = cv2.resize(small, (cw, ch), interpolation=cv2.INTER_LINEAR)
    if contiguous:
        region[mask] = smooth[mask]
    else:
        region[mask] = smooth[mask]
        frame[np.ix_(rows, cols)] = region


def in_window(t: float, start: float | None, end: float | None) -> bool:
    """Whether ``t`` (seconds) lies in a script entry's time window; None leaves that side open."""
    return (start is None or t >= start) and (end is None or t <= end)


def consenting(box: SphereBox, t: float, keep: Sequence[KeepUnblurred], within: float) -> KeepUnblurred | None:
    """The keep_unblurred entry that covers this face at time ``t``, if any."""
    for entry in keep:
        if in_window(t, entry.start, entry.end) and angle_between(box.yaw, box.pitch, entry.yaw, entry.pitch) <= within:
            return entry
    return None
