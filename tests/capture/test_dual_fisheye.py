"""Dual-fisheye captures are stitched with their lens calibration and taken in as equirect
footage; the originals stay in the store, unchanged."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from capture import FootageStore, LayoutNotSupported, add_dual_fisheye
from catalog import queries
from cli import main
from zorgblik.media.probe import ffprobe_json
from zorgblik.tools import run_tool
from support import BACK_CALIBRATION, BACK_LENS, FRONT_CALIBRATION, FRONT_LENS, ROOM_PHOTO


@pytest.fixture(scope="module")
def pair():
    return FRONT_LENS, BACK_LENS, FRONT_CALIBRATION, BACK_CALIBRATION


def test_two_lens_images_become_equirect_footage(pair, settings, catalog):
    front, back, lf, lb = pair
    store = FootageStore(settings.store_dir)
    result = add_dual_fisheye([front, back], front_lens=lf, back_lens=lb, catalog=catalog, store=store)
    f = result.footage
    assert (f.media_kind, f.width, f.height, f.projection, f.stereo) == ("photo", 1920, 960, "equirectangular", "mono")
    assert any("gestitcht uit theta_front_table.jpg" in r for r in f.reasons)
    seam = next(r for r in f.reasons if r.startswith("naad tussen de lenzen"))
    assert "controleer" not in seam  # within 2° on the published calibration
    stored = {p.read_bytes() for p in settings.store_dir.rglob("*.jpg")}
    assert front.read_bytes() in stored and back.read_bytes() in stored  # originals kept as they were
    with catalog.session() as db:
        assert [x.id for x in queries.list_footage(db)] == [f.id]  # the halves are no footage of their own


def test_side_by_side_video_is_stitched(pair, tmp_path, settings, catalog):
    front, back, lf, lb = pair
    frame = np.hstack([cv2.imread(str(front)), cv2.imread(str(back))])
    still = tmp_path / "zijaanzij.png"
    cv2.imwrite(str(still), cv2.resize(frame, (960, 540)))
    clip = tmp_path / "theta.mp4"
    run_tool(["ffmpeg", "-v", "error", "-loop", "1", "-i", still, "-t", "1", "-r", "10", "-pix_fmt", "yuv420p",
              "-c:v", "libx264", "-preset", "ultrafast", clip])
    result = add_dual_fisheye([clip], front_lens=lf, back_lens=lb, catalog=catalog,
                              store=FootageStore(settings.store_dir), preset="ultrafast")
    f = result.footage
    assert (f.media_kind, f.width, f.height, f.projection) == ("video", 960, 480, "equirectangular")
    video = next(s for s in ffprobe_json(FootageStore(settings.store_dir).path(f.store_path))["streams"]
                 if s["codec_type"] == "video")
    assert int(video["nb_frames"]) == 10
    # the seam is refined and measured on the video's middle frame, as on a photo
    seam = next(r for r in f.reasons if r.startswith("naad tussen de lenzen"))
    assert "met de kalibratie" in seam


def test_an_equirect_file_is_not_stitched(pair, settings, catalog):
    _, _, lf, lb = pair
    with pytest.raises(LayoutNotSupported) as info:
        add_dual_fisheye([ROOM_PHOTO], front_lens=lf, back_lens=lb,
                         catalog=catalog, store=FootageStore(settings.store_dir))
    assert "geen dual-fisheyebeeld" in info.value.one_line() and "capture add" in info.value.one_line()


def test_cli_stitch_prints_the_seam(pair, settings, capsys):
    front, back, lf, lb = pair
    code = main(["--data", str(settings.data_dir), "capture", "stitch", str(front), str(back),
                 "--lens-front", str(lf), "--lens-back", str(lb)])
    out = capsys.readouterr().out
    assert code == 0
    assert "footage:1 toegevoegd: theta_front_table-equirect.jpg — photo, 1920×960, equirectangular" in out
    assert "naad tussen de lenzen" in out


def test_cli_stitch_with_a_broken_calibration_says_which_field(pair, tmp_path, settings, capsys):
    front, back, lf, _ = pair
    broken = tmp_path / "achter.yaml"
    broken.write_text(lf.read_text().replace("mirror_offset", "spiegel"))
    code = main(["--data", str(settings.data_dir), "capture", "stitch", str(front), str(back),
                 "--lens-front", str(lf), "--lens-back", str(broken)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("zorgblik: fout: ") and "achter.yaml" in err and "mirror_offset" in err
    assert len(err.strip().splitlines()) == 1
