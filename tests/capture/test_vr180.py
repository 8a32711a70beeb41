"""VR180 as equirect 180° (issue #17, the first step): a clip whose Spherical Video V2 metadata
says so (``equi`` bounds of a quarter left and right, side by side or mono) is classified and taken
in as "equirectangular-vr180"; two similar halves without metadata stay refused. Render takes VR180
in (tests/render/privacy/test_vr180.py builds it)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import FootageStore, LayoutNotSupported, add_footage, classify
from render.build import check_renderable
from zorgblik.media.errors import InvalidSpherical
from zorgblik.media.probe import probe
from zorgblik.media.spherical import VR180_BOUNDS, EquirectBounds, inject_spherical, read_spherical
from zorgblik.tools import run_tool
from support import FACES_PHOTO


def _front_half() -> np.ndarray:
    """The front 180° of the fixture: the middle half of its columns, 1:1."""
    pano = cv2.imread(str(FACES_PHOTO), cv2.IMREAD_REDUCED_COLOR_4)  # 1024×512
    return pano[:, 256:768]


def _clip(frame: np.ndarray, folder: Path, name: str) -> Path:
    still = folder / f"{name}.png"
    cv2.imwrite(str(still), frame)
    out = folder / f"{name}-plain.mp4"
    run_tool(["ffmpeg", "-v", "error", "-loop", "1", "-framerate", "10", "-t", "1", "-i", still, "-c:v", "libx264",
              "-preset", "ultrafast", "-pix_fmt", "yuv420p", out])
    return out


@pytest.fixture(scope="module")
def vr180_clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vr180")
    eye = _front_half()
    side_by_side = folder / "vr180_sbs.mp4"
    inject_spherical(_clip(np.hstack([eye, np.roll(eye, 3, axis=1)]), folder, "sbs"), side_by_side,
                     stereo="left-right", bounds=VR180_BOUNDS, versions=("v2",))
    mono = folder / "vr180_mono.mp4"
    inject_spherical(_clip(eye, folder, "mono"), mono, bounds=VR180_BOUNDS, versions=("v2",))
    no_metadata = _clip(np.hstack([eye, np.roll(eye, 3, axis=1)]), folder, "no-metadata")
    return {"left-right": side_by_side, "mono": mono, "none": no_metadata}


def test_bounds_are_written_and_read_back(vr180_clips):
    info = read_spherical(vr180_clips["left-right"])
    assert info.bounds == pytest.approx(VR180_BOUNDS) and info.stereo == "left-right" and info.sources == ("v2",)


def test_bounds_that_leave_nothing_are_refused(vr180_clips, tmp_path):
    with pytest.raises(InvalidSpherical, match="laten geen beeld over"):
        inject_spherical(vr180_clips["none"], tmp_path / "x.mp4", versions=("v2",),
                         bounds=EquirectBounds(0.0, 0.0, 0.5, 0.5))


@pytest.mark.parametrize("stereo", ["left-right", "mono"])
def test_vr180_with_metadata_is_classified_and_taken_in(vr180_clips, settings, catalog, stereo):
    path = vr180_clips[stereo]
    kind = classify(probe(path), path)
    assert (kind.projection, kind.layout, kind.stereo) == ("equirectangular", "vr180", stereo), kind.reasons
    assert kind.vr180_by_metadata and kind.catalog_projection == "equirectangular-vr180"
    assert any("180° in de breedte (VR180)" in r for r in kind.reasons)
    assert not any("verschillen" in r for r in kind.reasons)  # 1:1 per eye, as VR180 should be

    result = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    f = result.footage
    assert result.created and (f.projection, f.stereo) == ("equirectangular-vr180", stereo)

    check_renderable(f, "vr180.yaml")  # render makes scenes of it


def test_vr180_from_the_pixels_alone_is_refused_with_what_to_do(vr180_clips, settings):
    from catalog import Catalog

    path = vr180_clips["none"]
    with Catalog(settings.catalog_url) as catalog, pytest.raises(LayoutNotSupported) as caught:
        add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    line = caught.value.one_line()
    assert "zonder metadata" in line and "'equi' met grenzen" in line and "\n" not in line
    assert not [p for p in settings.store_dir.rglob("*") if p.is_file()]
