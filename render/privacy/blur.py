"""Blurring faces on equirectangular photos and clips, with consent deciding who stays sharp.

Every face found is blurred unless a script's ``privacy.keep_unblurred`` entry points at it (its
centre within :attr:`BlurSettings.keep_within` degrees, inside the entry's time window). The
script's ``privacy.blur_regions`` (name badges, screens with client records) are blurred as well,
in their time windows. Blurring is irreversible: the region is scaled down to a few cells across
(the detail is thrown away, not hidden) and scaled up smoothly again.

Clips stream through ffmpeg as raw frames. Faces are looked for on keyframes (every
:attr:`BlurSettings.keyframe_interval` frames, and on both sides of a cut); between two
keyframes a face seen on both is interpolated, and a face seen on only one is held over the
whole stretch, so a face missed on one keyframe is still covered by its neighbours.

Stereo footage (``stereo="top-bottom"`` or ``"left-right"``) is two equirect pictures in one
frame: each eye is searched and blurred on its own (its own tracks, the same keep entries and
regions), and both eyes' items go on the one report, labelled with their eye.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from render.plan import EYE_LAYOUT
from render.privacy.detect import SphereDetector
from render.privacy.errors import NotEquirect
from render.privacy.report import PrivacyReport, ReviewItem, thumbnail
from render.privacy.tiles import SphereBox, angle_between, equirect_mask
from scripts_vr.model import BlurRegion, KeepUnblurred

log = logging.getLogger(__name__)


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


# --- blurring one frame -------------------------------------------------------------------------


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


def _in_window(t: float, start: float | None, end: float | None) -> bool:
    return (start is None or t >= start) and (end is None or t <= end)


def consenting(box: SphereBox, t: float, keep: Sequence[KeepUnblurred], within: float) -> KeepUnblurred | None:
    """The keep_unblurred entry that covers this face at time ``t``, if any."""
    for entry in keep:
        if _in_window(t, entry.start, entry.end) and angle_between(box.yaw, box.pitch, entry.yaw, entry.pitch) <= within:
            return entry
    return None


class Picture:
    """One frame as the planes that are blurred in place (one BGR plane for a photo; Y, U and V
    for a clip, so frames stream through ffmpeg as yuv420p without colour conversion) and a BGR
    image made on demand for the detector and the sheet."""

    def __init__(self, planes: list[np.ndarray], to_bgr: Callable[[], np.ndarray], data: object = None):
        self.planes, self._to_bgr, self.data = planes, to_bgr, data
        self._bgr: np.ndarray | None = None

    @classmethod
    def from_bgr(cls, frame: np.ndarray) -> Picture:
        return cls([frame], lambda: frame, frame)

    @classmethod
    def from_i420(cls, flat: np.ndarray, width: int, height: int) -> Picture:
        luma, quarter = width * height, width * height // 4
        planes = [flat[:luma].reshape(height, width),
                  flat[luma:luma + quarter].reshape(height // 2, width // 2),
                  flat[luma + quarter:luma + 2 * quarter].reshape(height // 2, width // 2)]
        whole = flat.reshape(height * 3 // 2, width)
        return cls(planes, lambda: cv2.cvtColor(whole, cv2.COLOR_YUV2BGR_I420), flat)

    def bgr(self) -> np.ndarray:
        """The frame as BGR, as it is now (made again after the planes change)."""
        if self._bgr is None or len(self.planes) > 1:
            self._bgr = self._to_bgr()
        return self._bgr

    def blur(self, box: SphereBox, cells: int) -> None:
        for plane in self.planes:
            blur_box(plane, box, cells)


EYE_NAMES = {"mono": ("",), "top-bottom": ("linkeroog", "rechteroog"), "left-right": ("linkeroog", "rechteroog")}


def eye_view(picture: Picture, stereo: str, eye: int) -> Picture:
    """Eye ``eye`` of a stereo ``picture``: planes that are views into the frame's own planes (so
    blurring them blurs the frame) and a BGR image cut from the frame's."""
    rows, cols = EYE_LAYOUT[stereo]
    if rows == cols == 1:
        return picture

    def cut(plane: np.ndarray) -> np.ndarray:
        h, w = plane.shape[:2]
        r, c = divmod(eye, cols)
        return plane[r * h // rows:(r + 1) * h // rows, c * w // cols:(c + 1) * w // cols]

    return Picture([cut(p) for p in picture.planes], lambda: cut(picture.bgr()), picture.data)


# --- tracks -----------------------------------------------------------------------------------


@dataclass
class _Track:
    id: int
    box: SphereBox
    item: ReviewItem | None = None


def _match(a: Sequence[SphereBox], b: Sequence[SphereBox]) -> list[tuple[int, int]]:
    """Greedy pairs (i, j) of boxes in ``a`` and ``b`` that are probably the same face."""
    pairs = sorted(
        (angle_between(x.yaw, x.pitch, y.yaw, y.pitch), i, j)
        for i, x in enumerate(a) for j, y in enumerate(b)
    )
    used_a, used_b, out = set(), set(), []
    for dist, i, j in pairs:
        reach = max(a[i].width, a[i].height, b[j].width, b[j].height)
        if dist > reach or i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append((i, j))
    return out


def _between(a: SphereBox, b: SphereBox, t: float) -> SphereBox:
    """A box on the way from ``a`` to ``b``, grown by half the way travelled (motion between
    keyframes need not be straight)."""
    dyaw = (b.yaw - a.yaw + 180.0) % 360.0 - 180.0
    yaw = (a.yaw + t * dyaw + 180.0) % 360.0 - 180.0
    pitch = a.pitch + t * (b.pitch - a.pitch)
    slack = 0.5 * angle_between(a.yaw, a.pitch, b.yaw, b.pitch)
    return SphereBox(yaw, pitch, a.width + t * (b.width - a.width) + slack,
                     a.height + t * (b.height - a.height) + slack, min(a.score, b.score))


@dataclass
class _Keyframe:
    index: int
    tracks: list[_Track]


class _Pass:
    """The privacy pass over a stream of frames: detection on keyframes, decisions per frame,
    and the review items as they build up."""

    def __init__(self, report: PrivacyReport, keep: Sequence[KeepUnblurred], regions: Sequence[BlurRegion],
                 settings: BlurSettings, detector: SphereDetector, fps: float, eye: str = ""):
        self.report, self.keep, self.regions = report, list(keep), list(regions)
        self.eye = eye
        self.settings, self.detector, self.fps = settings, detector, fps
        self.next_id = 0
        self.items: dict[tuple[int, str], ReviewItem] = {}
        self.region_items: dict[int, ReviewItem] = {}

    def detect(self, index: int, picture: Picture, previous: _Keyframe | None) -> _Keyframe:
        self.report.keyframes += 1
        boxes = self.detector(picture.bgr())
        tracks: list[_Track] = []
        pairs = dict(_match(boxes, [t.box for t in previous.tracks])) if previous else {}
        for i, box in enumerate(boxes):
            if i in pairs:
                tracks.append(_Track(previous.tracks[pairs[i]].id, box))
            else:
                tracks.append(_Track(self.next_id, box))
                self.next_id += 1
        return _Keyframe(index, tracks)

    def boxes_at(self, index: int, a: _Keyframe, b: _Keyframe | None) -> list[tuple[int, SphereBox]]:
        """The face boxes for frame ``index`` between keyframes ``a`` and ``b``."""
        if b is None or index == a.index:
            return [(t.id, t.box) for t in a.tracks]
        if index == b.index:
            return [(t.id, t.box) for t in b.tracks]
        t = (index - a.index) / (b.index - a.index)
        a_ids, b_ids = {tr.id: tr.box for tr in a.tracks}, {tr.id: tr.box for tr in b.tracks}
        out = [(i, _between(box, b_ids[i], t) if i in b_ids else box) for i, box in a_ids.items()]
        out += [(i, box) for i, box in b_ids.items() if i not in a_ids]
        return out

    def apply(self, picture: Picture, index: int, faces: list[tuple[int, SphereBox]], keyframe: bool) -> None:
        """Blur ``picture`` in place: faces (unless consenting) and manual regions."""
        t = index / self.fps if self.fps else 0.0
        s = self.settings
        decided = []
        for track, box in faces:
            entry = consenting(box, t, self.keep, s.keep_within)
            if entry is None:
                picture.blur(box.grown(s.margin), s.cells)
            decided.append((track, box, entry))
        active = [(n, r) for n, r in enumerate(self.regions) if _in_window(t, r.start, r.end)]
        for _, region in active:
            picture.blur(SphereBox(region.yaw, region.pitch, region.width, region.height), s.cells)
        # the review items, with crops of the result
        for track, box, entry in decided:
            kind = "face" if entry is None else "kept"
            label = "" if entry is None else f"{entry.person} ({entry.consent_ref})"
            self._note((track, kind), kind, box.grown(s.margin) if entry is None else box, t, label, picture, keyframe)
        for n, region in active:
            box = SphereBox(region.yaw, region.pitch, region.width, region.height)
            self._note((-1 - n, "region"), "region", box, t, region.reason, picture, keyframe)

    def _note(self, key, kind, box, t, label, picture: Picture, keyframe) -> None:
        item = self.items.get(key)
        if item is None:
            if self.eye:
                label = f"{label} [{self.eye}]" if label else self.eye
            item = self.items[key] = ReviewItem(kind, box, t, t, label)
            self.report.items.append(item)
        item.end = t
        if item.thumbnail is None or (keyframe and kind != "region" and box.score > item.box.score):
            item.box = box
            item.thumbnail = thumbnail(picture.bgr(), box, self.settings.thumbnail)


class Eyes:
    """One :class:`_Pass` per eye of a stereo frame, driven as one (the same keyframes)."""

    def __init__(self, report: PrivacyReport, stereo: str, **options):
        self.report, self.stereo = report, stereo
        self.passes = [_Pass(report, eye=name, **options) for name in EYE_NAMES[stereo]]

    def detect(self, index: int, picture: Picture, previous: _Keyframe | None) -> _Keyframe:
        found = [p.detect(index, eye_view(picture, self.stereo, n), previous.tracks[n] if previous else None)
                 for n, p in enumerate(self.passes)]
        self.report.keyframes -= len(self.passes) - 1  # one search of the frame, however many eyes
        return _Keyframe(index, found)  # type: ignore[arg-type]  # per eye: that eye's keyframe

    def boxes_at(self, index: int, a: _Keyframe, b: _Keyframe | None) -> list:
        return [p.boxes_at(index, a.tracks[n], b.tracks[n] if b else None) for n, p in enumerate(self.passes)]  # type: ignore[arg-type]

    def apply(self, picture: Picture, index: int, faces: list, keyframe: bool) -> None:
        for n, p in enumerate(self.passes):
            p.apply(eye_view(picture, self.stereo, n), index, faces[n], keyframe)


def check_equirect(width: int, height: int, where: str, stereo: str = "mono") -> None:
    """Raise :class:`NotEquirect` unless the frame splits into ``stereo``'s eyes, each a 2:1 equirect."""
    rows, cols = EYE_LAYOUT.get(stereo, (1, 1))
    if width % cols or height % rows:
        raise NotEquirect(f"beeld is {width}×{height}, niet in {rows * cols} ogen te delen", where=where)
    width, height = width // cols, height // rows
    if width != 2 * height:
        raise NotEquirect(f"beeld is {width}×{height}, geen 2:1 equirectangulair 360°-beeld", where=where,
                          hint="geef een equirectangulaire opname: per oog 2:1 (mono, stereo boven-onder of naast elkaar)")


def _cut(a: np.ndarray, b: np.ndarray, threshold: float) -> bool:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16)))) > threshold


def _signature(picture: Picture) -> np.ndarray:
    plane = picture.planes[0]
    return plane[::16, ::16] if plane.ndim == 2 else plane[::16, ::16].mean(axis=2)


def blur_stream(work: Eyes, frames: Iterator[Picture], write: Callable[[Picture], None], settings: BlurSettings,
                total: int | None, progress: Callable[[float], None] | None) -> None:
    """Drive ``work`` over ``frames`` in order: faces are searched on the first frame, every
    :attr:`BlurSettings.keyframe_interval` frames and on both sides of a cut; each frame is blurred
    and handed to ``write`` once the keyframe after it is known."""
    key: _Keyframe | None = None
    pending: list[tuple[int, Picture]] = []  # frames after ``key``, waiting for the next keyframe
    last_sig: np.ndarray | None = None

    def flush(upto: _Keyframe | None) -> None:
        for i, frame in pending:
            work.apply(frame, i, work.boxes_at(i, key, upto), keyframe=upto is not None and i == upto.index)
            write(frame)
            work.report.frames += 1
            if progress and total:
                progress(min(0.99, work.report.frames / total))
        pending.clear()

    for index, frame in enumerate(frames):
        sig = _signature(frame)
        cut = last_sig is not None and _cut(last_sig, sig, settings.cut_threshold)
        last_sig = sig
        if key is not None and cut:
            if pending:  # the old shot ends on the frame before: look there too
                end = work.detect(pending[-1][0], pending[-1][1], key)
                flush(end)
            key = None
        if key is None:
            key = work.detect(index, frame, None)
            pending.append((index, frame))
            flush(key)
            continue
        pending.append((index, frame))
        if index - key.index >= settings.keyframe_interval:
            nxt = work.detect(index, frame, key)
            flush(nxt)
            key = nxt
    if pending:
        end = work.detect(pending[-1][0], pending[-1][1], key)
        flush(end)
