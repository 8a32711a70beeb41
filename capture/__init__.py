"""capture: taking 360° footage in — probe, classify, store, record, consent.

    ingested = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    kind = classify(probe(path), path)          # projection, layout, stereo, pose, confidence
    record_consent(db, footage_id, person="F-17", role="client", status="given")
    store = UploadStore(settings.data_dir / "uploads", ...)   # resumable uploads (tus) end in add_footage
    add_dual_fisheye([front.jpg, back.jpg], front_lens=…, back_lens=…, catalog=…, store=…)  # stitched in
    pano = stitch_dual_fisheye(front_img, back_img, MeiLens.from_yaml(f), MeiLens.from_yaml(b), out_width=3840)
"""

from capture.classify import Classification, classify
from capture.consent import consent_state, record_consent, withdraw
from capture.dual_fisheye import add_dual_fisheye
from capture.errors import (
    CaptureError, ConsentError, LayoutNotSupported, NotPanoramic, RejectedName, TooLarge, UnreadableMedia,
)
from capture.ingest import Ingested, add_footage
from capture.probe import Probe, probe
from capture.stitch import (
    DualFisheyeRig, DualFisheyeStitcher, LensPose, MeiLens, SeamMeasure, StitchError, measure_seam,
    side_by_side_stitcher, stitch_dual_fisheye, stitch_side_by_side, stitch_video,
)
from capture.store import FootageStore, StoredFile
from capture.upload import Upload, UploadError, UploadStore

__all__ = [
    "CaptureError", "Classification", "ConsentError", "DualFisheyeRig", "DualFisheyeStitcher", "FootageStore",
    "Ingested", "LayoutNotSupported", "LensPose", "MeiLens", "NotPanoramic", "Probe", "RejectedName",
    "SeamMeasure", "StitchError", "StoredFile", "TooLarge", "UnreadableMedia", "Upload", "UploadError", "UploadStore", "add_dual_fisheye", "add_footage", "classify",
    "consent_state", "measure_seam", "probe", "record_consent", "side_by_side_stitcher", "stitch_dual_fisheye",
    "stitch_side_by_side", "stitch_video", "withdraw",
]
