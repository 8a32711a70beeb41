"""capture: taking 360° footage in — probe, classify, store, record, consent.

    ingested = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    kind = classify(probe(path), path)          # projection, layout, stereo, pose, confidence
    record_consent(db, footage_id, person="F-17", role="client", status="given")
"""

from capture.classify import Classification, classify
from capture.consent import consent_state, record_consent, withdraw
from capture.errors import (
    CaptureError, ConsentError, LayoutNotSupported, NotPanoramic, RejectedName, TooLarge, UnreadableMedia,
)
from capture.ingest import Ingested, add_footage
from capture.probe import Probe, probe
from capture.store import FootageStore, StoredFile

__all__ = [
    "CaptureError", "Classification", "ConsentError", "FootageStore", "Ingested", "LayoutNotSupported",
    "NotPanoramic", "Probe", "RejectedName", "StoredFile", "TooLarge", "UnreadableMedia", "add_footage",
    "classify", "consent_state", "probe", "record_consent", "withdraw",
]
