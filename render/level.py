"""Levelling: the rotation maths live in :mod:`zorgblik.level` (capture's level estimate needs
them too, and capture sits below render); render uses them from here.

:class:`Leveller` levels a clip's frames as they stream into the privacy pass: the rotation that
ffmpeg's ``v360=e:e:yaw=…:pitch=…:roll=…`` would apply (the same three numbers, the same
meaning), done with OpenCV's ``remap`` on each yuv420p plane of each eye. v360 with bicubic
interpolation keeps sixteen taps for every pixel (about 1.5 GB at 3840×1920, #15); the maps here
are two small integers a pixel (about 70 MB), and the remap costs half v360's CPU.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from zorgblik.level import Angles, Matrix, correction_for_pose, pose_angles, pose_matrix

__all__ = ["Angles", "Leveller", "Matrix", "correction_for_pose", "pose_angles", "pose_matrix"]

#: Rows and columns added round a plane before it is resampled: across the seam the picture goes
#: on at the other edge, across a pole at the other side of the sphere (bicubic reads 2 further).
PAD = 2


#: Rows of a plane whose maps are worked out at once: the float64 working arrays of a whole
#: 5760×2880 plane are about 1.3 GB, more than the rest of a build's Python side (#15); a band of
#: 64 rows, a few MB.
BAND = 64


@lru_cache(maxsize=8)
def _maps(angles: Angles, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point remap maps for one equirect plane of ``width``×``height``: where in the padded
    source each levelled pixel comes from (worked out :data:`BAND` rows at a time)."""
    yaw, pitch, roll = angles
    # (forward, right, up) as zorgblik.level writes directions; v360 renders what a camera with
    # this pose sees: an output direction d comes from the source's pose · d
    turn = np.array(pose_matrix(yaw, pitch, roll))
    lon = ((np.arange(width) + 0.5) / width * 2.0 - 1.0) * np.pi
    first = np.empty((height, width, 2), np.int16)
    second = np.empty((height, width), np.uint16)
    for top in range(0, height, BAND):
        rows = np.arange(top, min(height, top + BAND))
        lat = (0.5 - (rows + 0.5) / height) * np.pi
        band_lon, band_lat = np.meshgrid(lon, lat)
        seen = np.stack([np.cos(band_lat) * np.cos(band_lon), np.cos(band_lat) * np.sin(band_lon), np.sin(band_lat)],
                        axis=-1) @ turn.T
        source_lon = np.arctan2(seen[..., 1], seen[..., 0])
        source_lat = np.arcsin(np.clip(seen[..., 2], -1.0, 1.0))
        x = (source_lon / np.pi + 1.0) / 2.0 * width - 0.5 + PAD
        y = (0.5 - source_lat / np.pi) * height - 0.5 + PAD
        first[rows], second[rows] = cv2.convertMaps(x.astype(np.float32), y.astype(np.float32), cv2.CV_16SC2)
    return first, second


def _padded(plane: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``plane`` in ``out`` (PAD larger on every side) with the sphere's neighbours round it."""
    h, w = plane.shape
    out[PAD:PAD + h, PAD:PAD + w] = plane
    out[PAD:PAD + h, :PAD] = plane[:, w - PAD:]
    out[PAD:PAD + h, PAD + w:] = plane[:, :PAD]
    half = w // 2
    for k in range(PAD):  # row k above the top is row k below it, half the way round
        out[PAD - 1 - k] = np.roll(out[PAD + k], half)
        out[PAD + h + k] = np.roll(out[PAD + h - 1 - k], half)
    return out


class Leveller:
    """Levels equirect planes by v360's (yaw, pitch, roll), bicubic."""

    def __init__(self, angles: Angles) -> None:
        self.angles = tuple(float(a) for a in angles)
        self._scratch: dict[tuple[int, int], np.ndarray] = {}

    def plane(self, src: np.ndarray, dst: np.ndarray) -> None:
        """One plane of one eye (an equirect picture), levelled from ``src`` into ``dst``."""
        h, w = src.shape
        scratch = self._scratch.get((h, w))
        if scratch is None:
            scratch = self._scratch[(h, w)] = np.empty((h + 2 * PAD, w + 2 * PAD), np.uint8)
        first, second = _maps(self.angles, w, h)  # type: ignore[arg-type]
        cv2.remap(_padded(src, scratch), first, second, cv2.INTER_CUBIC, dst=dst, borderMode=cv2.BORDER_REPLICATE)
