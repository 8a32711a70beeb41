"""The footage pages show each projection by its Dutch label, keyed by the value capture stores:
the page looked up ``"dual_fisheye"`` while capture stores ``"dual-fisheye"``, so a dual-fisheye
upload showed the raw key instead of "dubbele fisheye (nog te stitchen)" (issue #18)."""

from __future__ import annotations

from capture.classify import Classification
from catalog.models import Footage

DUAL_FISHEYE = Classification("fisheye", "mono", 0.9, ("twee cirkels",), "dual-fisheye").catalog_projection


def test_a_dual_fisheye_upload_shows_its_dutch_label(harness):
    with harness.catalog.session() as db:
        footage = Footage(sha256="d" * 64, original_name="dubbel.jpg", store_path="dd/d", size_bytes=1,
                          media_kind="photo", codec="mjpeg", width=3840, height=1920, projection=DUAL_FISHEYE,
                          stereo="mono")
        db.add(footage)
        db.flush()
        footage_id = footage.id
    comms = harness.staff("comms")
    for path in ("/beeldmateriaal", f"/beeldmateriaal/{footage_id}"):
        page = comms.get(path)
        assert page.status_code == 200, page.text
        assert "dubbele fisheye (nog te stitchen)" in page.text, path


def test_the_capture_page_shows_the_level_estimate(harness):
    """Footage without a pose in its metadata: the page says how crooked the picture looks (#17)."""
    ids = []
    with harness.catalog.session() as db:
        for n, estimate in enumerate(({"yaw": 0.0, "pitch": -3.0, "roll": 88.0, "lines": 120}, {})):
            footage = Footage(sha256=f"{n}" * 64, original_name=f"scheef{n}.jpg", store_path=f"dd/{n}", size_bytes=1,
                              media_kind="photo", codec="mjpeg", width=3840, height=1920,
                              projection="equirectangular", stereo="mono", level_estimate=estimate)
            db.add(footage)
            db.flush()
            ids.append(footage.id)
    comms = harness.staff("comms")
    assert "scheef: roll 88°, pitch −3° (geschat)" in comms.get(f"/beeldmateriaal/{ids[0]}").text
    assert "geen schatting" in comms.get(f"/beeldmateriaal/{ids[1]}").text
