"""Taking a footage file in: check the name and size, probe, classify, accept, store, record.

All or nothing: a file that is refused leaves nothing in the store or the catalog.

Which layouts capture takes in, for now::

    full equirect, mono or stereo        yes
    partial equirect                     only when GPano / V2 metadata says where the crop is
    dual-fisheye (two circles)           yes, recorded as "dual-fisheye": render stitches it later
    VR180 as equirect 180°               only when V2 metadata says so (``equi`` bounds of a quarter
                                         left and right), recorded as "equirectangular-vr180"
    cubemap, EAC or 3×2, mono            yes: turned into equirect here (ffmpeg v360); the equirect is
                                         the footage, the original stays in the store beside it
    one fisheye lens image               no: not 360° on its own
    V2 mesh projection (mshp)            yes: resampled to equirect 180° here (capture.mesh180), taken in
                                         as VR180; the original stays in the store beside it
    VR180 from the pixels alone          no, not yet
    stereo cubemap                       no, not yet
    not 360°                             no
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from capture.classify import DUAL_FISHEYE, EQUIRECT, FISHEYE_HALF, FULL, PARTIAL, VR180, Classification, classify
from capture.cubemap import convert_to_equirect
from capture.mesh180 import mesh_to_vr180
from capture.errors import LayoutNotSupported, NotPanoramic, RejectedName, TooLarge
from capture.level_estimate import estimate_footage
from capture.store import FootageStore, StoredFile
from catalog import Catalog, Footage, queries
from zorgblik.media.bmff import media_end
from zorgblik.media.errors import UnreadableMedia
from zorgblik.media.probe import Probe, header_size, probe
from zorgblik.media.spherical import read_spherical
from zorgblik.terms import CUBEMAP_LAYOUTS, PHOTO_SUFFIXES, VIDEO_SUFFIXES

_SUFFIX_FOR_CODEC = {"mjpeg": ".jpg", "png": ".png"}
#: The largest photo taken in: 16384×8192 (134 megapixel). An 11K 360° camera's photo is
#: 11008×5504; a PNG of 20000×10000 costs a decoder over 600 MB before anything can refuse it.
MAX_PHOTO_SIDE = 16384
MAX_PHOTO_PIXELS = 16384 * 8192


@dataclass(frozen=True)
class Ingested:
    footage: Footage
    created: bool
    classification: Classification
    converted_from: Classification | None = None  # a cubemap taken in as the equirect made of it


def check_name(path: Path, name: str | None = None) -> str:
    """The suffix of ``name`` (default: the file's own name), when capture takes that name in.

    ``name`` is what the catalog records as the original name (an upload's file name, say): a
    plain name, never a path.
    """
    name = path.name if name is None else name
    where = str(path) if name == path.name else f"{path} (naam {name!r})"
    if (not name or name.strip(". ") == "" or ".." in name or any(c in name for c in "/\\\x00")
            or any(ord(c) < 32 for c in name) or len(name) > 255):
        raise RejectedName("ongeldige bestandsnaam: geen mappen, '..' of stuurtekens in de naam",
                           where=where, hint="geef een gewone bestandsnaam, zoals opname.mp4")
    suffix = Path(name).suffix.lower()
    if suffix not in VIDEO_SUFFIXES | PHOTO_SUFFIXES:
        raise RejectedName(
            f"extensie '{suffix or '(geen)'}' wordt niet ondersteund",
            where=where,
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
            hint=f"hernoem het bestand naar {path.stem}{_SUFFIX_FOR_CODEC.get(found.codec, sorted(expected)[0])}",
        )


def check_size(path: Path, max_bytes: int | None) -> int:
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise TooLarge(
            f"bestand is {_gb(size)}, groter dan de grens van {_gb(max_bytes)}",
            where=str(path),
            hint="knip de opname in delen of verhoog ZORGBLIK_MAX_FOOTAGE_BYTES",
        )
    return size


def check_pixels(path: Path) -> tuple[int, int] | None:
    """The size a PNG or JPEG declares in its header (None for a video), refused above the
    photo limit before ffprobe or OpenCV decode it: they allocate the whole image first."""
    size = header_size(path)
    if size is not None:
        width, height = size
        if max(width, height) > MAX_PHOTO_SIDE or width * height > MAX_PHOTO_PIXELS:
            raise TooLarge(
                f"foto van {width}×{height} pixels ({width * height / 1e6:.0f} megapixel) is groter dan de grens van "
                f"{MAX_PHOTO_SIDE} pixels breed of hoog en {MAX_PHOTO_PIXELS / 1e6:.0f} megapixel",
                where=str(path),
                hint=f"verklein de foto tot hoogstens {MAX_PHOTO_SIDE}×{MAX_PHOTO_PIXELS // MAX_PHOTO_SIDE} pixels "
                     "(een 8K-360°-foto is 7680×3840)",
            )
    return size


def check_complete(path: Path, found: Probe) -> None:
    """Refuse a video whose media data runs past the end of the file: cut off while copying.
    ffprobe reads such a file without complaint when its index is at the front; the build
    would be the first to fail on it."""
    if found.media_kind != "video":
        return
    missing = media_end(path) - path.stat().st_size
    if missing > 0:
        raise UnreadableMedia(
            f"video is afgebroken: er ontbreken {_gb(missing)} aan het eind",
            where=str(path),
            hint="de opname is afgebroken of niet helemaal gekopieerd; kopieer het bestand opnieuw van de camera",
        )


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n:,} bytes".replace(",", ".")


def check_accepted(path: Path, kind: Classification) -> None:
    """Refuse, with one line, what capture cannot use (see the table in the module docstring)."""
    where = str(path)
    if kind.layout == FISHEYE_HALF:
        raise NotPanoramic(
            "één fisheye-lensbeeld, op zichzelf geen 360°-opname",
            where=where,
            hint="lever beide lensbeelden naast elkaar in één bestand (dual-fisheye) of het gestitchte 2:1-bestand aan",
        )
    if not kind.is_360:
        raise NotPanoramic(
            "geen 360°-opname: " + "; ".join(kind.reasons),
            where=where,
            hint="film met een 360°-camera en lever het gestitchte (equirectangular) bestand aan",
        )
    if kind.layout == VR180:
        check_vr180_accepted(path, kind)
        return
    if kind.layout == PARTIAL and kind.crop is None:
        raise LayoutNotSupported(
            "bijgesneden panorama (breder dan 2:1) zonder metadata over waar de bijsnijding zit",
            where=where,
            hint="exporteer met GPano-metadata (CroppedArea…) of lever het volledige 2:1-beeld aan",
        )
    if kind.layout not in (FULL, PARTIAL, DUAL_FISHEYE) or (kind.layout != DUAL_FISHEYE and kind.projection != EQUIRECT):
        raise LayoutNotSupported(
            f"projectie '{kind.projection}' ({kind.layout}) wordt nog niet ondersteund",
            where=where,
            hint="lever equirectangular aan (2:1, of 1:1 / 4:1 voor stereo)",
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
    name: str | None = None,
    max_bytes: int | None = None,
) -> Ingested:
    """Take ``path`` in. Importing the same bytes twice returns the existing footage.

    ``name`` is the original name to record (default: the file's own); ``max_bytes`` the size
    limit (the CLI passes the setting ``max_footage_bytes``).
    """
    path = Path(path)
    suffix = check_name(path, name)
    check_size(path, max_bytes)
    check_pixels(path)
    found = probe(path)
    _check_suffix_fits(path, suffix, found)
    check_complete(path, found)
    kind = classify(found, path)
    if kind.is_cubemap:
        return _add_cubemap(path, suffix, found, kind, catalog=catalog, store=store, category=category,
                            location=location, team=team, progress=progress, name=name)
    if kind.projection == "mesh":
        return _add_mesh(path, suffix, found, kind, catalog=catalog, store=store, category=category,
                         location=location, team=team, progress=progress, name=name)
    check_accepted(path, kind)
    level = estimate_footage(path, found, kind)
    stored = store.put(path, suffix, progress=progress)
    try:
        with catalog.session() as db:
            existing = queries.footage_by_sha256(db, stored.sha256)
            if existing is not None:
                return Ingested(existing, False, kind)
            footage = Footage(
                sha256=stored.sha256,
                original_name=name or path.name,
                store_path=stored.relpath,
                size_bytes=stored.size,
                media_kind=found.media_kind,
                codec=found.codec,
                width=found.width,
                height=found.height,
                fps=found.fps,
                duration_s=found.duration_s,
                has_audio=found.has_audio,
                projection=kind.catalog_projection,
                stereo=kind.stereo,
                confidence=kind.confidence,
                reasons=list(kind.reasons),
                pose_yaw=kind.pose.yaw,
                pose_pitch=kind.pose.pitch,
                pose_roll=kind.pose.roll,
                level_estimate=level,
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


# ── cubemaps ────────────────────────────────────────────────────────────────────────────


def check_cubemap_accepted(path: Path, kind: Classification) -> None:
    """Refuse, with one line, a cubemap capture cannot turn into equirect yet."""
    if kind.stereo != "mono":
        raise LayoutNotSupported(
            f"stereo-kubus ({kind.stereo}) wordt nog niet ondersteund",
            where=str(path),
            hint="lever de kubus per oog als mono aan, of exporteer stereo equirectangular (1:1 boven-onder)",
        )


def _add_cubemap(path: Path, suffix: str, found: Probe, kind: Classification, *, catalog: Catalog,
                 store: FootageStore, category: str | None, location: str | None, team: str | None,
                 progress: Callable[[int], None] | None, name: str | None) -> Ingested:
    """Turn the cubemap ``path`` into equirect, take that in as the footage, and keep the original
    in the store beside it; its reasons say what it was made from. All or nothing, as add_footage."""
    check_cubemap_accepted(path, kind)
    original_name = name or path.name
    with tempfile.TemporaryDirectory(prefix="zorgblik-cubemap-") as tmp:
        out = Path(tmp) / f"{Path(original_name).stem}-equirect{suffix}"
        convert_to_equirect(path, out, kind.layout, found, padding=kind.cube_padding, pose=kind.pose,
                            max_width=MAX_PHOTO_SIDE)
        return _take_in_converted(
            out, path, suffix, kind, catalog=catalog, store=store, progress=progress,
            fields=dict(category=category, location=location, team=team),
            provenance=lambda original: (
                f"omgezet naar equirectangular uit {original_name} ({CUBEMAP_LAYOUTS[kind.layout]}, "
                f"{found.width}×{found.height}, sha256 {original.sha256[:12]}…); het origineel is bewaard"))


# ── V2 mesh projection ──────────────────────────────────────────────────────────────────


def _add_mesh(path: Path, suffix: str, found: Probe, kind: Classification, *, catalog: Catalog,
              store: FootageStore, category: str | None, location: str | None, team: str | None,
              progress: Callable[[int], None] | None, name: str | None) -> Ingested:
    """Resample the mesh-projection clip ``path`` to equirect 180° (VR180), take that in as the
    footage, and keep the original in the store beside it; its reasons say what it was made from.
    All or nothing, as add_footage."""
    info = read_spherical(path)
    if info is None or not info.meshes:
        raise LayoutNotSupported("meshprojectie zonder mesh", where=str(path),
                                 hint="exporteer de opname opnieuw uit de camera-app, of als equirectangular 180°")
    original_name = name or path.name
    with tempfile.TemporaryDirectory(prefix="zorgblik-mesh-") as tmp:
        out = Path(tmp) / f"{Path(original_name).stem}-vr180{suffix}"
        width, height = mesh_to_vr180(path, out, info.meshes, kind.stereo, found)
        triangles = sum(len(m.triangles) for m in info.meshes)
        return _take_in_converted(
            out, path, suffix, kind, catalog=catalog, store=store, progress=progress,
            fields=dict(category=category, location=location, team=team),
            provenance=lambda original: (
                f"omgezet naar equirectangular 180° (VR180, {width}×{height}) uit {original_name} "
                f"(meshprojectie van Spherical Video V2: {len(info.meshes)} mesh(es), {triangles} driehoeken, "
                f"{found.width}×{found.height}, sha256 {original.sha256[:12]}…); het origineel is bewaard"))


def _take_in_converted(out: Path, path: Path, suffix: str, kind: Classification, *, catalog: Catalog,
                       store: FootageStore, progress: Callable[[int], None] | None, fields: dict,
                       provenance: Callable[[StoredFile], str]) -> Ingested:
    """Take in ``out`` (made from ``path``) as the footage, keep the original ``path`` in the store
    beside it (or undo the footage), and put what it was made from first among its reasons."""
    ingested = add_footage(out, catalog=catalog, store=store, **fields)
    try:
        original = store.put(path, suffix, progress=progress)
    except BaseException:
        if ingested.created:
            _forget(catalog, store, ingested.footage)
        raise
    with catalog.session() as db:
        footage = db.get(Footage, ingested.footage.id)
        added = [r for r in (*kind.reasons, provenance(original)) if r not in footage.reasons]
        footage.reasons = added + list(footage.reasons)
    return Ingested(footage, ingested.created, ingested.classification, converted_from=kind)


def _forget(catalog: Catalog, store: FootageStore, footage: Footage) -> None:
    """Undo a footage row and its stored file that were made a moment ago."""
    with catalog.session() as db:
        row = db.get(Footage, footage.id)
        if row is not None:
            db.delete(row)
    store.remove(footage.store_path)


# ── VR180 ───────────────────────────────────────────────────────────────────────────────


def check_vr180_accepted(path: Path, kind: Classification) -> None:
    """VR180 is taken in as equirect 180° when the file's metadata says so; two similar halves
    alone could as well be a side-by-side 3D film."""
    if not kind.vr180_by_metadata:
        raise LayoutNotSupported(
            "VR180 (halve bol) herkend aan de pixels alleen, zonder metadata: " + "; ".join(kind.reasons),
            where=str(path),
            hint="exporteer als equirectangular 180° naast elkaar met Spherical Video V2-metadata "
                 "('equi' met grenzen van 25 % links en rechts), of lever een volledige 360°-opname aan",
        )
