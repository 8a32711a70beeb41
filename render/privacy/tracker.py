"""Following faces from frame to frame: searched on keyframes and at cuts, filled in between.

Faces are looked for on keyframes (every :attr:`~render.privacy.blur.BlurSettings.keyframe_interval`
frames, and on both sides of a cut); between two keyframes a face seen on both is interpolated,
and a face seen on only one is held over the whole stretch, so a face missed on one keyframe is
still covered by its neighbours. Each frame then has its faces blurred or kept and its manual
regions blurred, and the report's items grow as it goes.

Stereo footage is two equirect pictures in one frame: each eye is searched and blurred on its own
(its own tracks, the same keep entries and regions), and both eyes' items go on the one report,
labelled with their eye. A photo is searched once, as a single keyframe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from render.privacy.blur import BlurSettings, consenting, in_window
from render.privacy.detect import SearchMemory, SphereDetector
from render.privacy.picture import EYE_NAMES, Picture, eye_view
from render.privacy.report import PrivacyReport, ReviewItem, thumbnail
from render.privacy.tiles import SphereBox, angle_between
from scripts_vr.model import BlurRegion, KeepUnblurred


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
                 settings: BlurSettings, detector: SphereDetector, fps: float, eye: str = "",
                 known: dict[int, list[SphereBox]] | None = None):
        self.report, self.keep, self.regions = report, list(keep), list(regions)
        self.known = known or {}  # frame index → boxes an earlier search found (render.privacy.tracks)
        self.found: dict[int, list[SphereBox]] = {}  # what this pass's frames have, searched or known
        self.eye = eye
        self.settings, self.detector, self.fps = settings, detector, fps
        self.next_id = 0
        self.memory = SearchMemory()  # what this eye's searches saw, per tile (detect.SphereDetector.search)
        self.items: dict[tuple[int, str], ReviewItem] = {}
        self.region_items: dict[int, ReviewItem] = {}

    def detect(self, index: int, picture: Picture, previous: _Keyframe | None) -> _Keyframe:
        self.report.keyframes += 1
        boxes = self.known.get(index)
        if previous is None:  # a new shot: nothing from before holds
            self.memory = SearchMemory()
        if boxes is None:
            search = getattr(self.detector, "search", None)
            boxes = search(picture.bgr(), self.memory) if search else self.detector(picture.bgr())
            self.report.searches += 1
        self.found[index] = boxes
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
        active = [(n, r) for n, r in enumerate(self.regions) if in_window(t, r.start, r.end)]
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

    def __init__(self, report: PrivacyReport, stereo: str, known: list[dict[int, list[SphereBox]]] | None = None,
                 **options):
        self.report, self.stereo = report, stereo
        names = EYE_NAMES[stereo]
        known = known if known and len(known) == len(names) else [{} for _ in names]
        self.passes = [_Pass(report, eye=name, known=known[n], **options) for n, name in enumerate(names)]

    def detect(self, index: int, picture: Picture, previous: _Keyframe | None) -> _Keyframe:
        found = [p.detect(index, eye_view(picture, self.stereo, n), previous.tracks[n] if previous else None)
                 for n, p in enumerate(self.passes)]
        self.report.keyframes -= len(self.passes) - 1  # one search of the frame, however many eyes
        searched = sum(index not in p.known for p in self.passes)
        self.report.searches -= max(0, searched - 1)
        return _Keyframe(index, found)  # type: ignore[arg-type]  # per eye: that eye's keyframe

    def boxes_at(self, index: int, a: _Keyframe, b: _Keyframe | None) -> list:
        return [p.boxes_at(index, a.tracks[n], b.tracks[n] if b else None) for n, p in enumerate(self.passes)]  # type: ignore[arg-type]

    def found(self) -> list[dict[int, list[SphereBox]]]:
        """Per eye, the boxes of every searched frame (before consent decided anything)."""
        return [p.found for p in self.passes]

    def apply(self, picture: Picture, index: int, faces: list, keyframe: bool) -> None:
        for n, p in enumerate(self.passes):
            p.apply(eye_view(picture, self.stereo, n), index, faces[n], keyframe)


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
