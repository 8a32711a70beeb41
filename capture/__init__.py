"""capture: taking 360° footage in — probe, classify, store, record.

    ingested = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
"""

from capture.classify import Classification, classify
from capture.errors import CaptureError, NotPanoramic, RejectedName, UnreadableMedia
from capture.ingest import Ingested, add_footage
from capture.probe import Probe, probe
from capture.store import FootageStore, StoredFile

__all__ = [
    "CaptureError", "Classification", "FootageStore", "Ingested", "NotPanoramic", "Probe",
    "RejectedName", "StoredFile", "UnreadableMedia", "add_footage", "classify", "probe",
]
