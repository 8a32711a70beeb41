"""Taking a footage file in: check the name, probe, classify, store, record. All or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from capture.classify import Classification, classify
from capture.errors import NotPanoramic, RejectedName
from capture.probe import Probe, probe
from capture.store import FootageStore
from catalog import Catalog, Footage, queries

VIDEO_SUFFIXES = {".mp4", ".mov"}
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}


@dataclass(frozen=True)
class Ingested:
    footage: Footage
    created: bool
    classification: Classification


def check_name(path: Path) -> str:
    """The file's suffix, when its name is one capture takes in."""
    name = path.name
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise RejectedName("ongeldige bestandsnaam", where=str(path), hint="geef een gewone bestandsnaam")
    suffix = path.suffix.lower()
    if suffix not in VIDEO_SUFFIXES | PHOTO_SUFFIXES:
        raise RejectedName(
            f"extensie '{suffix or '(geen)'}' wordt niet ondersteund",
            where=str(path),
            hint="lever MP4/MOV-video of JPEG/PNG-foto's aan",
        )
    return suffix


def _check_suffix_fits(path: Path, suffix: str, found: Probe) -> None:
    expected = VIDEO_SUFFIXES if found.media_kind == "video" else PHOTO_SUFFIXES
    if suffix not in expected:
        kind = "een video" if found.media_kind == "video" else "een foto"
        raise RejectedName(
            f"extensie '{suffix}' past niet bij de inhoud: het is {kind} ({found.codec})",
            where=str(path),
            hint=f"hernoem het bestand naar {path.stem}{sorted(expected)[0]}",
        )


def add_footage(
    path: Path,
    *,
    catalog: Catalog,
    store: FootageStore,
    category: str | None = None,
    location: str | None = None,
    team: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Ingested:
    """Take ``path`` in. Importing the same bytes twice returns the existing footage."""
    path = Path(path)
    suffix = check_name(path)
    found = probe(path)
    _check_suffix_fits(path, suffix, found)
    kind = classify(found)
    if not kind.is_360:
        raise NotPanoramic(
            "geen 360°-opname: " + "; ".join(kind.reasons),
            where=str(path),
            hint="film met een 360°-camera en lever het gestitchte (equirectangular) bestand aan",
        )
    stored = store.put(path, suffix, progress=progress)
    try:
        with catalog.session() as db:
            existing = queries.footage_by_sha256(db, stored.sha256)
            if existing is not None:
                return Ingested(existing, False, kind)
            footage = Footage(
                sha256=stored.sha256,
                original_name=path.name,
                store_path=stored.relpath,
                size_bytes=stored.size,
                media_kind=found.media_kind,
                codec=found.codec,
                width=found.width,
                height=found.height,
                fps=found.fps,
                duration_s=found.duration_s,
                has_audio=found.has_audio,
                projection=kind.projection,
                stereo=kind.stereo,
                confidence=kind.confidence,
                reasons=list(kind.reasons),
                probe=found.raw,
                category=category,
                location=location,
                team=team,
            )
            db.add(footage)
        return Ingested(footage, True, kind)
    except BaseException:
        if stored.created:
            store.remove(stored.relpath)
        raise
