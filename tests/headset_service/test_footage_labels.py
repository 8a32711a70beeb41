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
