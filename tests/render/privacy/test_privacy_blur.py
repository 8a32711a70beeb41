"""Blurring: irreversible, consent decides, manual regions, clips through ffmpeg, the sheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from render.privacy import (
    BlurSettings,
    NotEquirect,
    SphereBox,
    blur_box,
    blur_frame,
    blur_video,
    review_sheet,
    write_review_sheet,
)
from render.privacy.tiles import equirect_mask
from scripts_vr.model import BlurRegion, KeepUnblurred
from zorgblik.errors import ZorgblikError
from zorgblik.tools import run_tool
from support import ROOM_PHOTO


class FixedFaces:
    """A detector that 'finds' the given boxes: the seam between finding and blurring."""

    def __init__(self, *boxes: SphereBox):
        self.boxes = list(boxes)
        self.calls = 0

    def __call__(self, frame: np.ndarray) -> list[SphereBox]:
        self.calls += 1
        return list(self.boxes)


def _crop(frame: np.ndarray, box: SphereBox) -> np.ndarray:
    rows, cols, mask = equirect_mask(box, frame.shape[1], frame.shape[0])
    return frame[np.ix_(rows, cols)][mask]


def _patch(frame: np.ndarray, yaw: float, pitch: float, half: float) -> np.ndarray:
    """The grey equirect pixels within ``half`` degrees of (yaw, pitch), wrapping at the seam."""
    h, w = frame.shape[:2]
    per_deg = w / 360.0
    cx, cy = (yaw / 360.0 + 0.5) * w, (0.5 - pitch / 180.0) * h
    rows = np.arange(int(cy - half * per_deg), int(cy + half * per_deg))
    cols = np.arange(int(cx - half * per_deg), int(cx + half * per_deg)) % w
    return cv2.cvtColor(frame[np.ix_(rows, cols)], cv2.COLOR_BGR2GRAY)


def _sharpness(gray: np.ndarray) -> float:
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def test_blur_is_irreversible(pano, planter):
    frame, face = planter(pano, "grace_hopper", 180, 0, 16)  # across the seam
    blurred = frame.copy()
    blur_box(blurred, face.grown(0.25))
    before = _patch(frame, face.yaw, face.pitch, 0.4 * face.height)  # inside the face, seam and all
    after = _patch(blurred, face.yaw, face.pitch, 0.4 * face.height)
    assert _sharpness(after) < 0.1 * _sharpness(before)
    # an unsharp mask cannot bring the detail back: its fine structure does not match the original's
    sharpened = cv2.addWeighted(after, 3.0, cv2.GaussianBlur(after, (0, 0), 3), -2.0, 0)
    detail = lambda img: cv2.Laplacian(img.astype(np.float64), cv2.CV_64F).ravel()  # noqa: E731
    corr = np.corrcoef(detail(before), detail(sharpened))[0, 1]
    assert abs(corr) < 0.2
    assert _sharpness(sharpened) < 0.25 * _sharpness(before)


def test_every_face_is_blurred_unless_consented(pano):
    faces = FixedFaces(SphereBox(30, 0, 12, 14, 0.9), SphereBox(-100, 10, 12, 14, 0.9))
    keep = [KeepUnblurred(person="medewerker-3", consent_ref="TV-2024-031", yaw=-98, pitch=12)]
    out, report = blur_frame(pano, keep=keep, detector=faces)
    assert not np.array_equal(_crop(out, faces.boxes[0]), _crop(pano, faces.boxes[0]))
    assert np.array_equal(_crop(out, faces.boxes[1]), _crop(pano, faces.boxes[1]))
    summary = report.summary()
    assert (summary["blurred_faces"], summary["kept_faces"], summary["needs_signoff"]) == (1, 1, True)
    assert summary["items"][1]["label"] == "medewerker-3 (TV-2024-031)"


def test_consent_only_counts_near_its_direction(pano):
    faces = FixedFaces(SphereBox(30, 0, 12, 14))
    keep = [KeepUnblurred(person="p", consent_ref="c", yaw=50, pitch=0)]  # 20° away: someone else
    _, report = blur_frame(pano, keep=keep, detector=faces)
    assert report.count("face") == 1 and report.count("kept") == 0


def test_manual_regions_are_blurred(pano):
    badge = BlurRegion(yaw=-170, pitch=-5, width=30, height=20, reason="scherm met cliëntgegevens")
    out, report = blur_frame(pano, regions=[badge], detector=FixedFaces())
    assert _sharpness(_patch(out, -170, -5, 8)) < 0.1 * _sharpness(_patch(pano, -170, -5, 8))
    assert report.summary()["items"][0]["kind"] == "region"


def test_not_2_to_1_is_refused():
    with pytest.raises(NotEquirect) as err:
        blur_frame(np.zeros((100, 300, 3), np.uint8), detector=FixedFaces(), source="x.jpg")
    assert "x.jpg" in err.value.one_line() and "2:1" in err.value.one_line()


@dataclass
class _Clip:
    path: Path
    fps: int = 10


@pytest.fixture(scope="module")
def clip_with_cut(tmp_path_factory, pano) -> _Clip:
    """2 s at 10 fps, 512×256: one second of landscape, a cut, one second of the test room."""
    folder = tmp_path_factory.mktemp("clip")
    a = folder / "a.png"
    cv2.imwrite(str(a), cv2.resize(pano, (512, 256), interpolation=cv2.INTER_AREA))
    b = ROOM_PHOTO
    out = folder / "cut.mp4"
    run_tool(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-t", "1", "-r", "10", "-i", a, "-loop", "1", "-t", "1",
              "-r", "10", "-i", b, "-filter_complex", "[1]scale=512:256[b];[0][b]concat=n=2:v=1[v]", "-map", "[v]",
              "-c:v", "libx264", "-pix_fmt", "yuv420p", out])
    return _Clip(out)


def test_clip_keyframes_cut_and_interpolation(clip_with_cut, tmp_path):
    faces = FixedFaces(SphereBox(0, 0, 20, 20, 0.9))
    seen = []
    dst = tmp_path / "out.mp4"
    report = blur_video(clip_with_cut.path, dst, detector=faces, settings=BlurSettings(keyframe_interval=4),
                        progress=seen.append)
    assert report.frames == 20
    # keyframes 0,4,8, the last frame before the cut (9), the cut (10), 14, 18 and the end (19)
    assert faces.calls == report.keyframes == 8
    assert seen[-1] == 1.0 and seen == sorted(seen)
    # one item per shot: a face after a cut is treated as someone new
    assert [(i.kind, i.start, i.end) for i in report.items] == [("face", 0.0, 0.9), ("face", 1.0, pytest.approx(1.9))]
    frames = run_tool(["ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames",
                       "-of", "csv=p=0", dst])
    assert frames.strip() == "20"
    for name, source in (("in.png", clip_with_cut.path), ("out.png", dst)):  # frame 6, between keyframes
        run_tool(["ffmpeg", "-v", "error", "-y", "-i", source, "-vf", r"select=eq(n\,6)", "-frames:v", "1",
                  tmp_path / name])
    before, after = (cv2.imread(str(tmp_path / n)) for n in ("in.png", "out.png"))
    assert _sharpness(_patch(after, 0, 0, 8)) < 0.1 * _sharpness(_patch(before, 0, 0, 8))


def test_sheet_shows_every_item(pano, tmp_path):
    faces = FixedFaces(SphereBox(30, 0, 12, 14, 0.9), SphereBox(-100, 10, 12, 14, 0.9))
    keep = [KeepUnblurred(person="medewerker-3", consent_ref="TV-2024-031", yaw=-100, pitch=10)]
    regions = [BlurRegion(yaw=170, pitch=0, width=20, height=10, reason="naambord")]
    _, report = blur_frame(pano, keep=keep, regions=regions, detector=faces)
    sheet = review_sheet(report, scene="badkamer")
    assert sheet.shape[1] > 1000 and sheet.shape[0] > 300
    assert all(item.thumbnail is not None for item in report.items)
    path = write_review_sheet(report, tmp_path / "sheet.png", scene="badkamer")
    assert cv2.imread(str(path)).shape == sheet.shape


def test_front_door_exports_are_honest():
    import render.privacy as privacy

    assert sorted(privacy.__all__) == privacy.__all__
    assert all(hasattr(privacy, name) for name in privacy.__all__)
    assert issubclass(privacy.PrivacyError, ZorgblikError)
