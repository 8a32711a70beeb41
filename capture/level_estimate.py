"""How crooked a 360° still is, read from the picture when the camera wrote no pose.

Vertical lines (door frames, walls, furniture legs, trees, people) all point at the zenith; the
horizon and the floor's and the buildings' horizontal lines lie on or vanish in the horizon's great
circle. The estimator looks at perspective views all round the sphere, finds straight line
segments in each (OpenCV's line segment detector), lifts each segment to the great circle it lies
on (its plane's unit normal ``n``, in the still's own frame) and then looks for the direction
``up`` that most of them agree on:

* a vertical segment's great circle passes through ``up``: ``n · up ≈ 0``;
* a segment of the horizon itself lies in the plane perpendicular to ``up``: ``n ≈ ±up``.

Candidates come from pairs of segments (two vertical lines meet in ``up``: ``n₁ × n₂``) and from
single long segments (the horizon); the candidate with the most support (angular length of the
agreeing segments) wins and is refined by least squares over its supporters. No answer ("geen
schatting") when too few segments agree. When a direction square to the winner has nearly as
many (a pergola's beams, a room's long edges: lines alone cannot tell which is vertical), the
scene's three square directions are weighed by where their segments are seen (upright things
round eye level, horizontal edges running off far above or below it) and, when that is close,
by how the picture is layered along each (sky or ceiling above, ground or floor below); no
answer unless that is clear. Which end of the
axis is up: the end nearest the picture's own up when the camera was clearly held more upright
than sideways, else the brighter side (sky, ceiling lights).

Directions are (forward, right, up) of the equirectangular still, longitude 0 in its middle, as in
:mod:`zorgblik.level`. The answer is the **correction** in a VR script's ``level`` terms (v360
yaw, pitch, roll): put into the script's ``level`` it makes the picture level. It is the exact
inverse of a camera held at the estimated pitch and roll, so the scene's forward direction stays
under the camera's; the yaw is the turn that pitch and roll together need (0 when only one of them
is off; for a camera on its side, roll near ±90°, its nose-up pitch becomes this yaw).

    estimate = estimate_level(bgr_or_grey_equirect)     # None: "geen schatting"
    estimate.roll, estimate.pitch, estimate.yaw, estimate.lines
    estimate_footage(path, probe, classification)      # what capture records at ingest
    describe(footage.level_estimate)                    # "scheef: roll −88°, pitch 0° (geschat)"
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from capture.classify import EQUIRECT, FULL, Classification, read_frame
from zorgblik.level import correction_for_pose
from zorgblik.media.probe import Probe

#: Width the still is brought to first: lines survive it, and 18 views of it take a fraction of a second.
WORK_WIDTH = 1024
#: The perspective views: 8 round the horizon, 4 up, 4 down and the two poles, 100° wide (overlapping).
VIEW_FOV = 100.0
VIEW_SIZE = 320
VIEWS: tuple[tuple[float, float], ...] = (
    *((float(lon), 0.0) for lon in range(0, 360, 45)),
    *((float(lon), 50.0) for lon in range(0, 360, 90)),
    *((float(lon), -50.0) for lon in range(45, 405, 90)),
    (0.0, 90.0),
    (0.0, -90.0),
)
#: Segments shorter than this (pixels of a view, about 0.3° each) are noise or texture.
MIN_SEGMENT_PX = 18
#: A segment agrees with a candidate up when its great circle passes within this angle of it.
INLIER_DEG = 1.5
#: What the answer needs to count: this many agreeing segments, together this long (degrees),
#: spread so that they cross in a point rather than run side by side (see _spread). Measured at
#: 1024×512: the grid room 296–364 segments, 3700–4700°; the open landscapes of demo/footage
#: (pannellum, puydesancy, half dome) at most 25 segments, 300°, and those agreeing on a wrong up.
MIN_LINES = 40
MIN_SUPPORT_DEG = 400.0
MIN_SPREAD = 0.04
#: Lines alone cannot tell the vertical from a horizontal direction that has as many lines (the
#: beams of a pergola, a corridor's edges): the winner needs this many times the support of the
#: best direction square to it (within RIVAL_WITHIN_DEG of 90°). Measured: the grid room 3.1×, a
#: Theta photo under a pergola 1.4× (there the beams win, and wrongly: _eye_level_vertical decides).
DOMINANCE = 2.0
RIVAL_WITHIN_DEG = 10.0
#: When lines alone cannot tell (see DOMINANCE), which of the scene's three square directions is
#: the vertical (_eye_level_vertical). "Height": the mean |sin| of its segments' middles' angle
#: from its equator (upright things are seen round eye level). "Layering": how much of the
#: picture's colour its elevation explains (sky or ceiling above, ground or floor below; R² of a
#: cubic in the sine of the elevation, on a 96×48 copy). The lowest height wins outright by
#: EYE_LEVEL_CLEAR over the next; by EYE_LEVEL_MARGIN only when the layering puts the same
#: direction first by LAYERING_MARGIN; else no answer. Measured at 1024×512 (the vertical against
#: the nearest other): Theta under the pergola, height 0.18–0.21 against 0.39 (its layering
#: favours the beams: the sunny side of the roof); the Theta dining room, height 0.18–0.21
#: against 0.17–0.23 (one tilt the wrong way round), layering 0.27 against 0.16.
EYE_LEVEL_CLEAR = 1.5
EYE_LEVEL_MARGIN = 1.05
LAYERING_MARGIN = 1.3
EYE_LEVEL_MAX = 0.3
VERTICAL_MIN_LINES = 15
VERTICAL_MIN_DEG = 250.0
LAYERING_SIZE = (96, 48)
#: A camera held with the picture's up within this angle of the true up is taken to be upright,
#: not upside down; beyond it the brighter side (sky, ceiling lights) decides which way is up.
UPRIGHT_WITHIN_DEG = 60.0
#: Candidate ups drawn from pairs of segments (weighted by length); seeded, so an answer repeats.
HYPOTHESES = 3000


@dataclass(frozen=True)
class LevelEstimate:
    """The correction that levels the still, in a script's ``level`` terms (degrees)."""

    yaw: float
    pitch: float
    roll: float
    lines: int  # segments that agree with it
    support_deg: float  # their summed length, degrees of arc
    up: tuple[float, float, float]  # the true up, in the still's (forward, right, up) frame


# ── views of the sphere ────────────────────────────────────────────────────────────────────


def _view_axes(lon: float, lat: float) -> np.ndarray:
    """Rows forward, right, up of a view looking at (lon, lat) degrees with no roll."""
    lo, la = math.radians(lon), math.radians(lat)
    forward = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    right = np.array([-math.sin(lo), math.cos(lo), 0.0])
    return np.stack([forward, right, np.cross(forward, right)])


def _focal() -> float:
    return (VIEW_SIZE / 2) / math.tan(math.radians(VIEW_FOV / 2))


def _rays(axes: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Unit directions through view pixels (x right, y down; pixel centres at +0.5)."""
    f = _focal()
    a, b = (x - VIEW_SIZE / 2) / f, -(y - VIEW_SIZE / 2) / f
    d = axes[0] + a[..., None] * axes[1] + b[..., None] * axes[2]
    return d / np.linalg.norm(d, axis=-1, keepdims=True)


@lru_cache(maxsize=64)
def _view_maps(lon: float, lat: float, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.meshgrid(np.arange(VIEW_SIZE) + 0.5, np.arange(VIEW_SIZE) + 0.5)
    d = _rays(_view_axes(lon, lat), x, y)
    lon_d = np.arctan2(d[..., 1], d[..., 0])
    lat_d = np.arcsin(np.clip(d[..., 2], -1, 1))
    mx = (lon_d / (2 * np.pi) + 0.5) * width - 0.5
    my = (0.5 - lat_d / np.pi) * height - 0.5
    return mx.astype(np.float32), my.astype(np.float32)


def _grey(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.shape[1] != WORK_WIDTH:
        image = cv2.resize(image, (WORK_WIDTH, WORK_WIDTH // 2), interpolation=cv2.INTER_AREA)
    return image


def segments(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The great circles of the still's straight segments: unit normals (n, 3) and lengths (n,) in
    radians. Each segment is kept from the one view whose centre is nearest its middle."""
    normals, lengths, _ = _segments(grey)
    return normals, lengths


def _segments(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`segments`, with each segment's middle (unit directions, (n, 3)) as well."""
    h, w = grey.shape
    detector = cv2.createLineSegmentDetector()
    centres = np.stack([_view_axes(lon, lat)[0] for lon, lat in VIEWS])
    normals, lengths, middles = [], [], []
    for index, (lon, lat) in enumerate(VIEWS):
        mx, my = _view_maps(lon, lat, w, h)
        view = cv2.remap(grey, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
        found = detector.detect(view)[0]
        if found is None:
            continue
        x0, y0, x1, y1 = found.reshape(-1, 4).T
        keep = np.hypot(x1 - x0, y1 - y0) >= MIN_SEGMENT_PX
        if not keep.any():
            continue
        axes = _view_axes(lon, lat)
        a, b = _rays(axes, x0[keep], y0[keep]), _rays(axes, x1[keep], y1[keep])
        middle = a + b
        own = np.argmax(middle @ centres.T, axis=1) == index
        n = np.cross(a[own], b[own])
        norm = np.linalg.norm(n, axis=1)
        normals.append(n / norm[:, None])
        lengths.append(np.arcsin(np.clip(norm, 0, 1)))
        middles.append(middle[own] / np.linalg.norm(middle[own], axis=1, keepdims=True))
    if not normals:
        return np.zeros((0, 3)), np.zeros(0), np.zeros((0, 3))
    return np.concatenate(normals), np.concatenate(lengths), np.concatenate(middles)


# ── voting ────────────────────────────────────────────────────────────────────────────────


def _score(normals: np.ndarray, lengths: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    dots = np.abs(normals @ candidates.T)
    near = math.sin(math.radians(INLIER_DEG))
    vertical = dots < near
    horizon = dots > math.cos(math.radians(INLIER_DEG))
    return lengths @ (vertical | horizon)


def _refine(normals: np.ndarray, lengths: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares over the supporters: up ⟂ the vertical segments' normals, ∥ the horizon's."""
    for _ in range(3):
        dots = np.abs(normals @ up)
        vertical = dots < math.sin(math.radians(INLIER_DEG))
        horizon = dots > math.cos(math.radians(INLIER_DEG))
        nv, wv = normals[vertical], lengths[vertical]
        nh, wh = normals[horizon], lengths[horizon]
        scatter = (nv * wv[:, None]).T @ nv - (nh * wh[:, None]).T @ nh
        values, vectors = np.linalg.eigh(scatter)
        new = vectors[:, 0]
        up = new if new @ up >= 0 else -new
    return up, vertical, horizon


def _spread(normals: np.ndarray, lengths: np.ndarray) -> float:
    """How far the vertical supporters' great circles are from all being one: the smaller of
    the two sizeable eigenvalues of their normals' scatter, as a share of the whole (0 … 0.5)."""
    if len(normals) < 2:
        return 0.0
    values = np.linalg.eigvalsh((normals * lengths[:, None]).T @ normals)
    return float(values[1] / max(values.sum(), 1e-12))


def _rival_support(normals: np.ndarray, lengths: np.ndarray, candidates: np.ndarray, scores: np.ndarray,
                   up: np.ndarray) -> float:
    """The support (degrees) of the best direction square to ``up``: the beams of a pergola or the
    long edges of a corridor, a horizontal direction that could pass for the vertical."""
    square = np.abs(candidates @ up) < math.sin(math.radians(RIVAL_WITHIN_DEG))
    if not square.any():
        return 0.0
    rival = candidates[np.flatnonzero(square)[int(np.argmax(scores[square]))]]
    _, vertical, horizon = _refine(normals, lengths, rival)
    return math.degrees(float(lengths[vertical].sum() + lengths[horizon].sum()))


def _vertical_fit(normals: np.ndarray, lengths: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``axis`` moved to where the great circles passing near it meet (least squares, the
    inlier angle narrowed step by step so that a start a few degrees off still finds its
    cluster), and which segments pass within INLIER_DEG of it."""
    for within in (4.0, 2.5, INLIER_DEG, INLIER_DEG):
        near = np.abs(normals @ axis) < math.sin(math.radians(within))
        if near.sum() < 2:
            break
        n, w = normals[near], lengths[near]
        new = np.linalg.eigh((n * w[:, None]).T @ n)[1][:, 0]
        axis = new if new @ axis >= 0 else -new
    return axis, np.abs(normals @ axis) < math.sin(math.radians(INLIER_DEG))


def _layering(colour: np.ndarray, axes: list[np.ndarray]) -> np.ndarray:
    """For each axis, the share of the picture's colour variance (area-weighted) that a cubic in
    the sine of the elevation above the axis's equator explains (0 … 1)."""
    w, h = LAYERING_SIZE
    small = cv2.resize(colour, (w, h), interpolation=cv2.INTER_AREA).astype(np.float64).reshape(w * h, -1)
    lon = ((np.arange(w) + 0.5) / w - 0.5) * 2 * np.pi
    lat = (0.5 - (np.arange(h) + 0.5) / h) * np.pi
    lo, la = np.meshgrid(lon, lat)
    d = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1).reshape(-1, 3)
    area = np.cos(la).reshape(-1)
    area /= area.sum()
    small -= area @ small
    total = float((area @ small**2).sum())
    shares = []
    for axis in axes:
        basis = np.vander(d @ axis, 4, increasing=True)
        weighted = basis * np.sqrt(area)[:, None]
        fit = np.linalg.lstsq(weighted, small * np.sqrt(area)[:, None], rcond=None)[0]
        shares.append(float((area @ (basis @ fit) ** 2).sum()) / max(total, 1e-9))
    return np.array(shares)


def _eye_level_vertical(normals: np.ndarray, lengths: np.ndarray, middles: np.ndarray, candidates: np.ndarray,
                        scores: np.ndarray, first: np.ndarray, colour: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Which of the scene's three square directions is the vertical, when lines alone cannot say
    (a pergola's beams or a room's long edges outnumber the posts), or None.

    The three: the best-supported direction, the best one square to it, and the one square to
    both. Upright things (posts, door frames, people) are seen round eye level, across the
    horizon, while horizontal edges run off toward their vanishing points, far above or below
    it; and sky or ceiling lies above, ground or floor below. See EYE_LEVEL_CLEAR for how the two
    decide; the vertical also needs its own evidence (VERTICAL_MIN_LINES segments,
    VERTICAL_MIN_DEG long, spread round the horizon)."""
    square = np.abs(candidates @ first) < math.sin(math.radians(3.0))
    if not square.any():
        return None
    second = candidates[np.flatnonzero(square)[int(np.argmax(scores[square]))]]
    third = np.cross(first, second)
    fits, heights = [], []
    for axis in (first, second, third / np.linalg.norm(third)):
        axis, agree = _vertical_fit(normals, lengths, axis)
        fits.append((axis, agree))
        heights.append(float(np.average(np.abs(middles[agree] @ axis), weights=lengths[agree])) if agree.any() else 1.0)
    order = np.argsort(heights)
    lowest, ratio = int(order[0]), heights[order[1]] / max(heights[order[0]], 1e-9)
    if heights[lowest] > EYE_LEVEL_MAX or ratio < EYE_LEVEL_MARGIN:
        return None
    if ratio < EYE_LEVEL_CLEAR:
        layered = _layering(colour, [axis for axis, _ in fits])
        ranked = np.argsort(-layered)
        if ranked[0] != lowest or layered[ranked[0]] < LAYERING_MARGIN * layered[ranked[1]]:
            return None
    up, agree = fits[lowest]
    if (agree.sum() < VERTICAL_MIN_LINES or math.degrees(float(lengths[agree].sum())) < VERTICAL_MIN_DEG
            or _spread(normals[agree], lengths[agree]) < MIN_SPREAD):
        return None
    return up, agree


def _up_end(grey: np.ndarray, up: np.ndarray) -> np.ndarray:
    """``up`` or ``-up``: toward the picture's up when nearly upright, else toward the brighter side."""
    if up[2] < 0:
        up = -up
    if up[2] >= math.cos(math.radians(UPRIGHT_WITHIN_DEG)):
        return up
    h, w = grey.shape
    small = cv2.resize(grey, (256, 128), interpolation=cv2.INTER_AREA).astype(np.float32)
    lon = ((np.arange(256) + 0.5) / 256 - 0.5) * 2 * np.pi
    lat = (0.5 - (np.arange(128) + 0.5) / 128) * np.pi
    lo, la = np.meshgrid(lon, lat)
    d = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    height = d @ up
    area = np.cos(la)
    above, below = height > 0.34, height < -0.34
    bright_above = float((small * area)[above].sum() / area[above].sum())
    bright_below = float((small * area)[below].sum() / area[below].sum())
    return up if bright_above >= bright_below else -up


def _answer(up: np.ndarray, lines: int, support: float) -> LevelEstimate:
    pose_pitch = math.degrees(math.asin(max(-1.0, min(1.0, float(up[0])))))
    pose_roll = math.degrees(math.atan2(-float(up[1]), float(up[2])))
    yaw, pitch, roll = correction_for_pose(pose_pitch, pose_roll)
    return LevelEstimate(yaw, pitch, roll, lines, round(support, 1), (float(up[0]), float(up[1]), float(up[2])))


def estimate_level(image: np.ndarray, *, seed: int = 0) -> LevelEstimate | None:
    """The correction that levels ``image`` (an equirectangular still, grey or BGR), or None
    when the picture holds too few straight lines that agree ("geen schatting")."""
    grey = _grey(image)
    normals, lengths, middles = _segments(grey)
    if len(normals) < MIN_LINES:
        return None
    rng = np.random.default_rng(seed)
    p = lengths / lengths.sum()
    i = rng.choice(len(normals), HYPOTHESES, p=p)
    j = rng.choice(len(normals), HYPOTHESES, p=p)
    pairs = np.cross(normals[i], normals[j])
    norm = np.linalg.norm(pairs, axis=1)
    pairs = pairs[norm > 0.05] / norm[norm > 0.05, None]
    longest = normals[np.argsort(-lengths)[:200]]
    candidates = np.concatenate([pairs, longest])
    scores = _score(normals, lengths, candidates)
    best = candidates[int(np.argmax(scores))]
    up, vertical, horizon = _refine(normals, lengths, best)
    count = int(vertical.sum() + horizon.sum())
    support = math.degrees(float(lengths[vertical].sum() + lengths[horizon].sum()))
    spread = _spread(normals[vertical], lengths[vertical])
    if count < MIN_LINES or support < MIN_SUPPORT_DEG or (spread < MIN_SPREAD and horizon.sum() < 3):
        return None
    if support < DOMINANCE * _rival_support(normals, lengths, candidates, scores, up):
        found = _eye_level_vertical(normals, lengths, middles, candidates, scores, up, np.asarray(image))
        if found is None:
            return None
        up, agree = found
        count, support = int(agree.sum()), math.degrees(float(lengths[agree].sum()))
    return _answer(_up_end(grey, up), count, support)


# ── at capture ────────────────────────────────────────────────────────────────────────────


def estimate_footage(path: Path, found: Probe, kind: Classification) -> dict | None:
    """What capture records in ``Footage.level_estimate`` for a file it takes in: the estimate
    as ``{yaw, pitch, roll, lines}``, ``{}`` for "geen schatting", or None when there is nothing to
    estimate (the metadata gave a pose, or the footage is no full equirectangular picture yet)."""
    if kind.pose.pitch or kind.pose.roll or kind.layout != FULL or kind.projection != EQUIRECT:
        return None
    frame = read_frame(path, found)
    if frame is None:
        return None
    h, w = frame.shape[:2]
    if kind.stereo == "top-bottom":
        frame = frame[: h // 2]
    elif kind.stereo == "left-right":
        frame = frame[:, : w // 2]
    found_level = estimate_level(frame)
    if found_level is None:
        return {}
    return {"yaw": round(found_level.yaw, 1) + 0.0, "pitch": round(found_level.pitch, 1) + 0.0,  # + 0.0: no -0.0
            "roll": round(found_level.roll, 1) + 0.0, "lines": found_level.lines}


def _degrees(value: float) -> str:
    text = f"{value:.0f}"
    return ("0" if text == "-0" else text).replace("-", "−") + "°"


def describe(recorded: dict | None) -> str | None:
    """``Footage.level_estimate`` in the words the capture page and ``capture show`` use:
    "scheef: roll 88°, pitch −3° (geschat)", "waterpas (geschat)", "geen schatting", or None."""
    if recorded is None:
        return None
    if not recorded:
        return "geen schatting"
    yaw, pitch, roll = (float(recorded.get(k, 0.0)) for k in ("yaw", "pitch", "roll"))
    if max(abs(yaw), abs(pitch), abs(roll)) < 0.5:
        return "waterpas (geschat)"
    turn = f", yaw {_degrees(yaw)}" if abs(yaw) >= 0.5 else ""
    return f"scheef: roll {_degrees(roll)}, pitch {_degrees(pitch)}{turn} (geschat)"
