"""Sphere ↔ perspective maths: the views a face detector looks at, and the way back.

Directions follow the VR-script convention: ``yaw`` in degrees, 0 straight ahead (the middle of
the equirectangular frame), positive to the right; ``pitch`` positive up. In world coordinates
x points right, y up and z forward, so a direction is
``(cos pitch · sin yaw, sin pitch, cos pitch · cos yaw)``.

A region on the sphere is a :class:`SphereBox`: a centre direction plus a width and height in
degrees, measured in the plane that touches the sphere at the centre (its "up" points to the
north pole). That is the shape of a script's ``blur_regions`` and what detections are mapped
back to, so a box that straddles the left/right seam or sits near a pole is one ordinary box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np


def direction(yaw: float | np.ndarray, pitch: float | np.ndarray) -> np.ndarray:
    """Unit vectors (…, 3) for directions in degrees."""
    y, p = np.broadcast_arrays(np.radians(yaw), np.radians(pitch))
    return np.stack([np.cos(p) * np.sin(y), np.sin(p), np.cos(p) * np.cos(y)], axis=-1)


def yaw_pitch(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees for vectors (…, 3); they need not be unit length."""
    x, y, z = vectors[..., 0], vectors[..., 1], vectors[..., 2]
    return np.degrees(np.arctan2(x, z)), np.degrees(np.arctan2(y, np.hypot(x, z)))


def rotation(yaw: float, pitch: float) -> np.ndarray:
    """The 3×3 matrix taking a camera looking at (yaw, pitch) with its up toward the north pole
    to world coordinates (columns: right, up, forward)."""
    y, p = math.radians(yaw), math.radians(pitch)
    yaw_m = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    pitch_m = np.array([[1, 0, 0], [0, math.cos(p), math.sin(p)], [0, -math.sin(p), math.cos(p)]])
    return yaw_m @ pitch_m


def roll_matrix(roll: float) -> np.ndarray:
    """The 3×3 matrix turning a camera ``roll`` degrees about its own forward axis (positive:
    its top leans to the right, clockwise as the camera sees it). In camera coordinates."""
    r = math.radians(roll)
    return np.array([[math.cos(r), math.sin(r), 0], [-math.sin(r), math.cos(r), 0], [0, 0, 1]])


def camera_rotation(roll: float = 0.0, pitch: float = 0.0, yaw: float = 0.0) -> np.ndarray:
    """How a 360° camera held crooked turns the world: a direction ``v`` of the level world is
    seen at ``camera_rotation(...) @ v`` in its frame. Applied as the camera would be turned:
    roll about the forward axis, then pitch (nose up), then yaw."""
    return rotation(yaw, pitch) @ roll_matrix(roll)


def angle_between(a_yaw: float, a_pitch: float, b_yaw: float, b_pitch: float) -> float:
    """Great-circle angle in degrees between two directions."""
    dot = float(np.dot(direction(a_yaw, a_pitch), direction(b_yaw, b_pitch)))
    return math.degrees(math.acos(max(-1.0, min(1.0, dot))))


@dataclass(frozen=True)
class SphereBox:
    """A rectangle on the sphere: centre direction, size in degrees in its tangent plane."""

    yaw: float
    pitch: float
    width: float
    height: float
    score: float = 1.0

    def grown(self, margin: float) -> SphereBox:
        """The box grown by ``margin`` of its size on every side (0.25: a quarter each side)."""
        grow = 1 + 2 * margin
        return replace(self, width=min(170.0, self.width * grow), height=min(170.0, self.height * grow))

    def corners(self) -> np.ndarray:
        """The four corners as world vectors (4, 3)."""
        tx, ty = math.tan(math.radians(self.width / 2)), math.tan(math.radians(self.height / 2))
        local = np.array([[-tx, ty, 1], [tx, ty, 1], [tx, -ty, 1], [-tx, -ty, 1]])
        return local @ rotation(self.yaw, self.pitch).T

    def tangent_rect(self) -> tuple[float, float, float, float]:
        tx, ty = math.tan(math.radians(self.width / 2)), math.tan(math.radians(self.height / 2))
        return -tx, -ty, tx, ty


def _rect_in_plane_of(box: SphereBox, other: SphereBox) -> tuple[float, float, float, float] | None:
    """``other``'s bounding rectangle in ``box``'s tangent plane, or None when it is behind."""
    local = other.corners() @ rotation(box.yaw, box.pitch)
    if np.any(local[:, 2] <= 1e-6):
        return None
    x, y = local[:, 0] / local[:, 2], local[:, 1] / local[:, 2]
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def overlap(a: SphereBox, b: SphereBox) -> float:
    """Intersection over union of two boxes, measured in ``a``'s tangent plane."""
    rb = _rect_in_plane_of(a, b)
    if rb is None:
        return 0.0
    ra = a.tangent_rect()
    iw = min(ra[2], rb[2]) - max(ra[0], rb[0])
    ih = min(ra[3], rb[3]) - max(ra[1], rb[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (ra[2] - ra[0]) * (ra[3] - ra[1]) + (rb[2] - rb[0]) * (rb[3] - rb[1]) - inter
    return inter / union


def contains(box: SphereBox, yaw: float, pitch: float) -> bool:
    """Whether a direction lies inside ``box``."""
    local = direction(yaw, pitch) @ rotation(box.yaw, box.pitch)
    if local[2] <= 0:
        return False
    x0, y0, x1, y1 = box.tangent_rect()
    return x0 <= local[0] / local[2] <= x1 and y0 <= local[1] / local[2] <= y1


def sphere_nms(boxes: list[SphereBox], *, iou: float = 0.3) -> list[SphereBox]:
    """One box per face: the same face seen by overlapping tiles becomes the union of its boxes
    (in the best box's tangent plane), so a face cut off at one tile's edge loses nothing."""
    merged: list[SphereBox] = []
    for box in sorted(boxes, key=lambda b: -b.score):
        for i, kept in enumerate(merged):
            if overlap(kept, box) > iou or contains(kept, box.yaw, box.pitch) or contains(box, kept.yaw, kept.pitch):
                merged[i] = _union(kept, box)
                break
        else:
            merged.append(box)
    return merged


def _union(a: SphereBox, b: SphereBox) -> SphereBox:
    rb = _rect_in_plane_of(a, b)
    if rb is None:
        return a
    ra = a.tangent_rect()
    x0, y0, x1, y1 = min(ra[0], rb[0]), min(ra[1], rb[1]), max(ra[2], rb[2]), max(ra[3], rb[3])
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0]) @ rotation(a.yaw, a.pitch).T
    cy, cp = yaw_pitch(centre)
    shifted = SphereBox(float(cy), float(cp), 1.0, 1.0)
    # the size, measured again around the new centre, so the corners stay inside
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]]) @ rotation(a.yaw, a.pitch).T
    local = pts @ rotation(shifted.yaw, shifted.pitch)
    tx = float(np.max(np.abs(local[:, 0] / local[:, 2])))
    ty = float(np.max(np.abs(local[:, 1] / local[:, 2])))
    return SphereBox(shifted.yaw, shifted.pitch, 2 * math.degrees(math.atan(tx)), 2 * math.degrees(math.atan(ty)),
                     max(a.score, b.score))


# --- perspective tiles -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """A perspective view of the sphere, ``fov`` degrees wide, ``width``×``height`` pixels."""

    yaw: float
    pitch: float
    fov: float = 90.0
    width: int = 384
    height: int = 384
    roll: float = 0.0
    """degrees the view is turned about its own axis: a face whose head leans this far shows
    upright in it (the detector only finds faces that lean less than about 60°)"""

    @property
    def focal(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.fov / 2))

    @property
    def shape(self) -> tuple[int, int]:
        return self.height, self.width

    @property
    def matrix(self) -> np.ndarray:
        """Camera (right, up, forward) to world, the view's roll included."""
        if not self.roll:
            return rotation(self.yaw, self.pitch)
        return rotation(self.yaw, self.pitch) @ roll_matrix(self.roll)

    def rays(self) -> np.ndarray:
        """World vectors (height, width, 3) through each pixel's centre."""
        x, y = np.meshgrid((np.arange(self.width) + 0.5 - self.width / 2) / self.focal,
                           -(np.arange(self.height) + 0.5 - self.height / 2) / self.focal)
        return np.stack([x, y, np.ones_like(x)], axis=-1) @ self.matrix.T

    def box_to_sphere(self, x0: float, y0: float, x1: float, y1: float, score: float = 1.0) -> SphereBox:
        """A pixel box in this tile as a SphereBox that contains it (in a rolled tile: the
        level box around the turned one)."""
        to_world = self.matrix.T

        def world(px: np.ndarray, py: np.ndarray) -> np.ndarray:
            local = np.stack([(px - self.width / 2) / self.focal, -(py - self.height / 2) / self.focal,
                              np.ones_like(px)], axis=-1)
            return local @ to_world

        cy, cp = yaw_pitch(world(np.array((x0 + x1) / 2), np.array((y0 + y1) / 2)))
        # the box's outline, sampled, seen from the centre's own tangent plane
        t = np.linspace(0, 1, 5)
        px = np.concatenate([x0 + (x1 - x0) * t, np.full(5, x1), x1 - (x1 - x0) * t, np.full(5, x0)])
        py = np.concatenate([np.full(5, y0), y0 + (y1 - y0) * t, np.full(5, y1), y1 - (y1 - y0) * t])
        local = world(px, py) @ rotation(float(cy), float(cp))
        tx = float(np.max(np.abs(local[:, 0] / local[:, 2])))
        ty = float(np.max(np.abs(local[:, 1] / local[:, 2])))
        return SphereBox(float(cy), float(cp), 2 * math.degrees(math.atan(tx)), 2 * math.degrees(math.atan(ty)), score)


#: Where the detector looks. Faces far from the camera are small and, with the camera at head
#: height, always near the horizon; faces high or low in the sphere are close to it and large. So:
#: a band of 8 sharp views around the horizon (6.4 px per degree, 45° apart: every face there sits
#: well inside one), then 5 coarser views tilted up, 5 down, and one on each pole (3.6 px per
#: degree), overlapping so that a face up to ~25° across fits whole in one view, at the seam too.
HORIZON_TILES: tuple[Tile, ...] = tuple(Tile(yaw, 0.0, 90.0, 576, 320) for yaw in range(-180, 180, 45))
SPHERE_TILES: tuple[Tile, ...] = (
    *(Tile(yaw, 45.0, 90.0, 320, 320) for yaw in range(-180, 180, 72)),
    *(Tile(yaw, -45.0, 90.0, 320, 320) for yaw in range(-144, 216, 72)),
    Tile(0.0, 90.0, 90.0, 320, 320),
    Tile(0.0, -90.0, 90.0, 320, 320),
)
DEFAULT_TILES: tuple[Tile, ...] = HORIZON_TILES + SPHERE_TILES


def equirect_coords(vectors: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (float32, for cv2.remap) of world vectors in an equirect frame."""
    yaw, pitch = yaw_pitch(vectors)
    u = (yaw / 360.0 + 0.5) * width - 0.5
    v = (0.5 - pitch / 180.0) * height - 0.5
    return u.astype(np.float32), v.astype(np.float32)


@lru_cache(maxsize=256)  # every default tile at every roll, for a few frame sizes
def _tile_maps(tile: Tile, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    return equirect_coords(tile.rays(), width, height)


def render_tile(frame: np.ndarray, tile: Tile, cache: bool = True) -> np.ndarray:
    """The perspective view ``tile`` of an equirect frame; wraps across the seam. ``cache=False``
    for a view made once (a candidate's closer look): its maps would push out the tiles'."""
    h, w = frame.shape[:2]
    mx, my = _tile_maps(tile, w, h) if cache else equirect_coords(tile.rays(), w, h)
    return cv2.remap(frame, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)


def rotate_equirect(frame: np.ndarray, roll: float = 0.0, pitch: float = 0.0, yaw: float = 0.0) -> np.ndarray:
    """``frame`` as a camera turned by (roll, pitch, yaw) would have taken it (see
    :func:`camera_rotation`): how tilted test footage is made from level footage."""
    h, w = frame.shape[:2]
    yaws = (np.arange(w) + 0.5) / w * 360.0 - 180.0
    pitches = 90.0 - (np.arange(h) + 0.5) / h * 180.0
    out_dirs = direction(*np.meshgrid(yaws, pitches))
    # each output pixel shows the level world's direction R⁻¹·d = Rᵀ·d, i.e. d @ R
    mx, my = equirect_coords(out_dirs @ camera_rotation(roll, pitch, yaw), w, h)
    return cv2.remap(frame, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)


def paste_perspective(frame: np.ndarray, picture: np.ndarray, yaw: float, pitch: float, fov: float,
                      roll: float = 0.0) -> np.ndarray:
    """``frame`` with ``picture`` placed into the sphere as if seen straight on from (yaw, pitch),
    ``fov`` degrees wide, through a view turned ``roll`` degrees (see :attr:`Tile.roll`: the
    picture leans the other way): the inverse of :func:`render_tile`. Used to plant test faces."""
    h, w = frame.shape[:2]
    ph, pw = picture.shape[:2]
    vfov = 2 * math.degrees(math.atan(math.tan(math.radians(fov / 2)) * ph / pw))
    probe = SphereBox(yaw, pitch, fov, vfov)
    if roll:  # the turned picture fits in the square around its diagonal
        reach = math.hypot(math.tan(math.radians(fov / 2)), math.tan(math.radians(vfov / 2)))
        side = min(179.0, 2 * math.degrees(math.atan(reach)))
        probe = SphereBox(yaw, pitch, side, side)
    rows, cols = equirect_span(probe, w, h)
    uu, vv = np.meshgrid(cols, rows)
    vec = direction((uu + 0.5) / w * 360.0 - 180.0, 90.0 - (vv + 0.5) / h * 180.0)
    local = vec @ Tile(yaw, pitch, roll=roll).matrix
    ahead = local[..., 2] > 1e-6
    z = np.where(ahead, local[..., 2], 1.0)
    focal = (pw / 2) / math.tan(math.radians(fov / 2))
    mx = (local[..., 0] / z * focal + pw / 2 - 0.5).astype(np.float32)
    my = (-local[..., 1] / z * focal + ph / 2 - 0.5).astype(np.float32)
    inside = ahead & (mx >= 0) & (mx <= pw - 1) & (my >= 0) & (my <= ph - 1)
    patch = cv2.remap(picture, mx, my, cv2.INTER_AREA if fov < 30 else cv2.INTER_LINEAR)
    out = frame.copy()
    region = out[np.ix_(rows, cols)]
    region[inside] = patch[inside]
    out[np.ix_(rows, cols)] = region
    return out


def equirect_span(box: SphereBox, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the equirect pixels ``box`` can touch. Columns wrap: a box
    across the seam gives e.g. [4090…4095, 0…12]; a box over a pole gives every column."""
    outline = _outline(box)
    yaw, pitch = yaw_pitch(outline)
    top = 90.0 if contains(box, 0.0, 90.0) else float(pitch.max())
    bottom = -90.0 if contains(box, 0.0, -90.0) else float(pitch.min())
    r0 = max(0, int(math.floor((0.5 - top / 180.0) * height)) - 1)
    r1 = min(height, int(math.ceil((0.5 - bottom / 180.0) * height)) + 1)
    rows = np.arange(r0, r1)
    if top >= 90.0 or bottom <= -90.0:
        return rows, np.arange(width)
    # the yaw extent, measured relative to the centre so the seam does not matter
    rel = (yaw - box.yaw + 180.0) % 360.0 - 180.0
    lo, hi = box.yaw + float(rel.min()), box.yaw + float(rel.max())
    if hi - lo >= 359.0:
        return rows, np.arange(width)
    c0 = int(math.floor((lo / 360.0 + 0.5) * width)) - 1
    c1 = int(math.ceil((hi / 360.0 + 0.5) * width)) + 1
    return rows, np.arange(c0, c1) % width


def _outline(box: SphereBox, n: int = 9) -> np.ndarray:
    tx, ty = math.tan(math.radians(box.width / 2)), math.tan(math.radians(box.height / 2))
    t = np.linspace(-1, 1, n)
    xs = np.concatenate([t * tx, np.full(n, tx), -t * tx, np.full(n, -tx)])
    ys = np.concatenate([np.full(n, ty), -t * ty, np.full(n, -ty), t * ty])
    return np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ rotation(box.yaw, box.pitch).T


@lru_cache(maxsize=32)
def equirect_mask(box: SphereBox, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, mask): the pixels of an equirect frame that lie inside ``box``; ``mask`` is
    a boolean array over ``frame[np.ix_(rows, cols)]``. Cached: a face that stands still between
    keyframes costs its mask once. The arrays are shared, so treat them as read-only."""
    rows, cols = equirect_span(box, width, height)
    yaw = np.radians((cols + 0.5) / width * 360.0 - 180.0).astype(np.float32)
    pitch = np.radians(90.0 - (rows + 0.5) / height * 180.0).astype(np.float32)
    sy, cy, sp, cp = np.sin(yaw)[None, :], np.cos(yaw)[None, :], np.sin(pitch)[:, None], np.cos(pitch)[:, None]
    r = rotation(box.yaw, box.pitch).astype(np.float32)
    # world (cp·sy, sp, cp·cy) into the box's camera frame, one axis at a time (no (h, w, 3) array)
    x = cp * sy * r[0, 0] + sp * r[1, 0] + cp * cy * r[2, 0]
    y = cp * sy * r[0, 1] + sp * r[1, 1] + cp * cy * r[2, 1]
    z = cp * sy * r[0, 2] + sp * r[1, 2] + cp * cy * r[2, 2]
    x0, y0, x1, y1 = box.tangent_rect()
    ahead = z > 1e-6
    z = np.where(ahead, z, 1.0)
    mask = ahead & (x >= x0 * z) & (x <= x1 * z) & (y >= y0 * z) & (y <= y1 * z)
    rows.flags.writeable = cols.flags.writeable = mask.flags.writeable = False
    return rows, cols, mask
