"""Clips: a 360° clip streamed through ffmpeg as raw frames, blurred, and encoded again.

Frames come in as yuv420p (trimmed and levelled on the way in by a :class:`ClipCut`), go through
the privacy pass in order and out to ffmpeg with the source's audio copied alongside; a frame's
buffer is reused once it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from render.privacy.blur import BlurSettings
from render.privacy.detect import SphereDetector, sphere_detector
from render.level import Leveller
from render.privacy.picture import EYE_NAMES, Picture, check_equirect, eye_view
from render.privacy.report import PrivacyReport
from render.privacy.tracker import Eyes, blur_stream
from render.privacy.tracks import FaceTracks
from scripts_vr.model import BlurRegion, KeepUnblurred
from zorgblik.media.errors import UnreadableMedia
from zorgblik.media.frames import frame_writer, read_frames
from zorgblik.media.probe import probe


#: Encoder arguments for ``zorgblik privacy blur`` on a clip: near-lossless H.264, so the render
#: stage's own encode afterwards loses little. The render stage passes its profile's arguments.
DEFAULT_VIDEO_ARGS: tuple[str, ...] = ("-c:v", "libx264", "-preset", "medium", "-crf", "16", "-pix_fmt", "yuv420p")


@dataclass(frozen=True)
class ClipInfo:
    width: int
    height: int
    fps: Fraction
    frames: int | None

    @classmethod
    def probe(cls, path: Path) -> ClipInfo:
        try:
            found = probe(Path(path))
        except UnreadableMedia as exc:
            raise UnreadableMedia(exc.message, where=str(path), hint="geef een 360°-clip (MP4/MOV)") from exc
        if found.media_kind != "video":
            raise UnreadableMedia("geen videostroom gevonden", where=str(path), hint="geef een 360°-clip (MP4/MOV)")
        return cls(found.width, found.height, found.frame_rate or Fraction(30), found.frames)


@dataclass(frozen=True)
class ClipCut:
    """Which part of a clip the pass sees, and how ffmpeg shapes it on the way in: the render
    stage trims and levels here, so only the frames it keeps are decoded and searched."""

    start: float | None = None
    """seconds into the clip (frame-accurate: ffmpeg decodes from the keyframe before)"""
    duration: float | None = None
    """seconds kept from ``start``; None: to the end"""
    filters: str | None = None
    """an ffmpeg filter chain for the picture (levelling, scaling), applied before the search"""
    size: tuple[int, int] | None = None
    """the frame size ``filters`` make; None: the clip's own"""
    level: tuple[float, float, float] | None = None
    """v360's (yaw, pitch, roll) that levels each eye, done here after ``filters``
    (:class:`render.level.Leveller`); None: not levelled here"""

    def shape(self, info: ClipInfo) -> ClipInfo:
        width, height = self.size or (info.width, info.height)
        frames = round(self.duration * info.fps) if self.duration is not None else info.frames
        return ClipInfo(width, height, info.fps, frames)


def blur_video(src: Path, dst: Path | None, *, keep: Sequence[KeepUnblurred] = (), regions: Sequence[BlurRegion] = (),
               settings: BlurSettings = BlurSettings(), detector: SphereDetector | None = None,
               video_args: Sequence[str] = DEFAULT_VIDEO_ARGS,
               progress: Callable[[float], None] | None = None, cut: ClipCut = ClipCut(), stereo: str = "mono",
               audio_args: Sequence[str] = ("-c:a", "copy"), tracks: FaceTracks | None = None,
               sink: Callable[[ClipInfo], AbstractContextManager[Callable[[np.ndarray], None]]] | None = None,
               model: str = "") -> PrivacyReport:
    """Blur faces in an equirect clip into ``dst`` (None: only the report), keeping the audio.

    ``video_args`` are ffmpeg's output arguments for the picture (codec, preset, quality) and
    ``audio_args`` for the sound; ``progress`` receives the fraction done after each frame;
    ``cut`` trims and filters the clip on the way in; ``stereo`` says how the frame holds its eyes.
    ``tracks`` are boxes an earlier pass over the same frames found: those frames are not searched
    again (``report.tracks`` holds what this pass used and found). ``sink`` (with no ``dst``)
    takes the clip's shape and opens where each blurred yuv420p frame goes (the render stage's
    one ffmpeg process for every rendition); a frame's buffer is reused once it returns.
    ``model`` names the face model of the default search (empty: the default model), when no
    ``detector`` is given.
    """
    src = Path(src)
    info = cut.shape(ClipInfo.probe(src))
    check_equirect(info.width, info.height, str(src), stereo)
    report = PrivacyReport(str(src), info.width, info.height, fps=float(info.fps))
    detector = detector if detector is not None else (_NoSearch(model) if tracks else sphere_detector(model))
    work = Eyes(report, stereo, known=tracks.eyes if tracks else None, keep=keep, regions=regions, settings=settings,
                detector=detector, fps=float(info.fps))
    frames_to = sink(info) if sink is not None and dst is None else _frame_sink(src, dst, info, video_args, cut, audio_args)
    with frames_to as write:
        spare: list[np.ndarray] = []

        def write_and_recycle(picture: Picture) -> None:
            write(picture.data)
            spare.append(picture.data)

        blur_stream(work, _read_frames(src, info, spare, cut, stereo), write_and_recycle, settings, info.frames, progress)
    report.tracks = FaceTracks(work.found())
    if progress:
        progress(1.0)
    return report


class _NoSearch:
    """The detector of a pass given known tracks: the face model loads only if a frame needs a
    search after all (one the tracks do not have)."""

    def __init__(self, model: str = "") -> None:
        self.model = model
        self._detector: SphereDetector | None = None

    def __call__(self, frame: np.ndarray):
        return self.search(frame)

    def search(self, frame: np.ndarray, memory=None):
        if self._detector is None:
            self._detector = sphere_detector(self.model)
        return self._detector.search(frame, memory)


def _read_frames(src: Path, info: ClipInfo, spare: list[np.ndarray], cut: ClipCut | None = None,
                 stereo: str = "mono") -> Iterator[Picture]:
    """Frames as yuv420p Pictures (levelled when ``cut`` says so); their buffers come from
    ``spare`` (frames already written) when there are any, so a clip does not allocate 12 MB a
    frame."""
    cut = cut or ClipCut()
    size = (info.width, info.height)
    if cut.level is None:
        for buffer in read_frames(src, size, pix_fmt="yuv420p", filters=cut.filters, start=cut.start,
                                  duration=cut.duration, spare=spare):  # blurred where it lies
            yield Picture.from_i420(buffer, *size)
        return
    leveller = Leveller(cut.level)
    raw: list[np.ndarray] = []  # the one buffer the reader fills: the levelled frame goes to another
    for buffer in read_frames(src, size, pix_fmt="yuv420p", filters=cut.filters, start=cut.start,
                              duration=cut.duration, spare=raw):
        level = spare.pop() if spare else np.empty_like(buffer)
        picture, levelled = Picture.from_i420(buffer, *size), Picture.from_i420(level, *size)
        for eye in range(len(EYE_NAMES[stereo])):
            for a, b in zip(eye_view(picture, stereo, eye).planes, eye_view(levelled, stereo, eye).planes):
                leveller.plane(a, b)
        raw.append(buffer)
        yield levelled


@contextmanager
def _frame_sink(src: Path, dst: Path | None, info: ClipInfo, video_args: Sequence[str], cut: ClipCut | None = None,
                audio_args: Sequence[str] = ("-c:a", "copy")):
    """A function taking each finished frame: into ffmpeg, with the source's audio copied
    alongside, or nowhere when there is no ``dst``."""
    if dst is None:
        yield lambda frame: None
        return
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    cut = cut or ClipCut()
    with frame_writer(dst, (info.width, info.height), info.fps, pix_fmt="yuv420p", video_args=video_args,
                      audio_from=src, audio_args=audio_args, audio_start=cut.start,
                      audio_duration=cut.duration) as write:
        yield write
