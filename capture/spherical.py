"""Spherical metadata: read it from 360° video and photos, write it into fresh encodes.

A headset player only shows a video as a sphere when the file says so. Two schemes exist for
MP4 and both are read and written here, from their published specifications:

* Spherical Video V1 — an RDF/XMP document in a ``uuid`` box
  (``ffcc8263-f855-4a93-8814-587a02521fdd``) inside the video ``trak``;
* Spherical Video V2 — binary ``st3d`` (stereo layout) and ``sv3d`` (``svhd`` + ``proj`` with
  ``prhd`` pose and ``equi`` / ``cbmp`` projection) boxes inside the video sample entry.

Photos carry XMP GPano in a JPEG APP1 segment, read by :func:`read_gpano`.

The four things this module does::

    info = read_spherical(path)                 # SphericalInfo, or None when the file has none
    pano = read_gpano(path)                     # PanoInfo, or None when the photo has none
    inject_spherical(src, dst, stereo="top-bottom", pose=(90, 0, 0))
    verify_spherical(dst, "top-bottom")         # our parser and ffprobe must agree

Files are never read whole: the box tree is walked by seeking, only the ``moov`` box (the index,
small next to the media data) is read into memory, and the media data is streamed when copied.

Errors (every failure on a bad file is one of these, never a bare ``struct.error``)::

    SphericalMetadataError (ZorgblikError)
    ├── NotAnMp4             not an ISO-BMFF / QuickTime file at all (empty, a photo, noise)
    ├── NotAJpeg             read_gpano got something that is not a JPEG
    ├── DamagedMedia         the box or segment structure is broken (truncated, garbage)
    ├── NoVideoTrack         an MP4 without a video track cannot be made spherical
    ├── UnsupportedLayout    a valid file this module will not rewrite (fragmented MP4)
    ├── InvalidSpherical     a wrong argument: unknown stereo mode, pose out of range
    └── SphericalMismatch    verify_spherical: the metadata is missing or ffprobe disagrees
"""

from __future__ import annotations

import logging
import math
import os
import struct
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from zorgblik import terms
from zorgblik.errors import ZorgblikError
from zorgblik.tools import ffprobe_json

log = logging.getLogger(__name__)

__all__ = [
    "DamagedMedia", "EquirectBounds", "InvalidSpherical", "NoVideoTrack", "NotAJpeg",
    "NotAnMp4", "PanoInfo", "Pose", "STEREO_MODES", "SphericalInfo", "SphericalMetadataError",
    "SphericalMismatch", "UnsupportedLayout", "inject_spherical", "read_gpano",
    "read_spherical", "verify_spherical",
]

# ── errors ──────────────────────────────────────────────────────────────────────────────


class SphericalMetadataError(ZorgblikError):
    """Spherical metadata cannot be read, written or confirmed."""


class NotAnMp4(SphericalMetadataError):
    """The file is not an MP4 / MOV (ISO-BMFF) file."""


class NotAJpeg(SphericalMetadataError):
    """The file is not a JPEG photo."""


class DamagedMedia(SphericalMetadataError):
    """The file's structure is broken: truncated, or garbage where boxes should be."""


class NoVideoTrack(SphericalMetadataError):
    """The MP4 holds no video track to mark as spherical."""


class UnsupportedLayout(SphericalMetadataError):
    """A valid file whose layout this module does not rewrite."""


class InvalidSpherical(SphericalMetadataError, ValueError):
    """An argument that cannot be written: unknown stereo mode, pose out of range."""


class SphericalMismatch(SphericalMetadataError):
    """After writing, the metadata is missing, or our reader and ffprobe disagree."""


# ── what the readers return ─────────────────────────────────────────────────────────────

STEREO_MODES = tuple(terms.STEREO_MODES)
"""Stereo layouts, by their V1 names (``zorgblik.terms``); the V2 ``stereo_mode`` byte is the index."""


class Pose(NamedTuple):
    """Initial view rotation in degrees; a plain ``(yaw, pitch, roll)`` tuple works too."""

    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0


@dataclass(frozen=True)
class EquirectBounds:
    """How much of the sphere a cropped equirectangular frame leaves out, per edge.

    Fractions of the frame (V2's 0.32 fixed point); all zero means the full sphere.
    """

    top: float
    bottom: float
    left: float
    right: float

    @property
    def is_cropped(self) -> bool:
        return any((self.top, self.bottom, self.left, self.right))


@dataclass(frozen=True)
class SphericalInfo:
    """What an MP4's video track says about its sphere.

    ``sources`` names the schemes found: ``("v1",)``, ``("v2",)`` or ``("v1", "v2")``. Where
    both are present and differ, V2 wins (as the V2 specification says). ``stereo`` is
    ``"mono"`` when the file is spherical but does not state a layout, ``None`` for a layout
    this module does not know. ``projection`` is ``"equirectangular"``, ``"cubemap"``,
    ``"mesh"`` or ``None`` (unknown).
    """

    projection: str | None
    stereo: str | None
    pose: Pose = Pose()
    bounds: EquirectBounds | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class PanoInfo:
    """XMP GPano of a panorama photo, plus the pixel size the JPEG really has.

    Cameras write the size of the full-resolution original; a resized copy keeps those
    numbers (the Theta samples claim 5376×2688 on an 800×400 picture), so trust
    ``image_width``/``image_height`` for pixels and the GPano sizes only for ratios.
    """

    projection: str | None
    full_width: int | None = None
    full_height: int | None = None
    cropped_width: int | None = None
    cropped_height: int | None = None
    cropped_left: int | None = None
    cropped_top: int | None = None
    heading_deg: float | None = None
    pitch_deg: float | None = None
    roll_deg: float | None = None
    image_width: int | None = None
    image_height: int | None = None

    @property
    def size_matches_pixels(self) -> bool:
        """Whether the claimed full-pano size is the size of the picture itself."""
        return (self.full_width, self.full_height) == (self.image_width, self.image_height)


# ── ISO-BMFF boxes ──────────────────────────────────────────────────────────────────────

_SPHERICAL_UUID = bytes.fromhex("ffcc8263f8554a938814587a02521fdd")
_GSPHERICAL_NS = "http://ns.google.com/videos/1.0/spherical/"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# Boxes that may start a file; anything else in the first eight bytes is not an MP4.
_FIRST_BOX_TYPES = {
    b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"uuid", b"pnot",
    b"sidx", b"moof",
}
# Containers walked into, and how many bytes of their own fields precede the child boxes.
_CONTAINERS = {
    b"moov": 0, b"trak": 0, b"mdia": 0, b"minf": 0, b"stbl": 0, b"mvex": 0,
    b"stsd": 8,  # FullBox header + entry_count
    b"sv3d": 0, b"proj": 0,
}
_VISUAL_SAMPLE_ENTRY_FIELDS = 78  # SampleEntry (8) + VisualSampleEntry fields (70)
# Optional boxes that close a visual sample entry; st3d/sv3d go before them.
_SAMPLE_ENTRY_TAIL = {b"clap", b"pasp", b"btrt"}

_MAX_MOOV = 256 * 1024 * 1024
_MAX_DEPTH = 24
_MAX_TOP_LEVEL_BOXES = 100_000
_COPY_CHUNK = 1024 * 1024


@dataclass
class _Box:
    """One box of the in-memory ``moov`` tree; leaves keep their payload as bytes."""

    type: bytes
    data: bytes = b""  # a leaf's payload (after the header; a uuid's usertype included)
    prefix: bytes = b""  # a container's own fields before its children
    children: list[_Box] | None = None
    trailer: bytes = b""  # bytes after the last child too short to be a box

    def child(self, kind: bytes) -> _Box | None:
        return next((c for c in self.children or () if c.type == kind), None)

    def path(self, *kinds: bytes) -> _Box | None:
        box: _Box | None = self
        for kind in kinds:
            box = box.child(kind) if box else None
        return box

    def to_bytes(self) -> bytes:
        if self.children is None:
            body = self.data
        else:
            body = self.prefix + b"".join(c.to_bytes() for c in self.children) + self.trailer
        if len(body) + 8 <= 0xFFFFFFFF:
            return struct.pack(">I4s", len(body) + 8, self.type) + body
        return struct.pack(">I4sQ", 1, self.type, len(body) + 16) + body


@dataclass(frozen=True)
class _TopBox:
    type: bytes
    offset: int
    size: int


def _box_header(buf: bytes, pos: int, end: int, where: str) -> tuple[bytes, int, int]:
    """(type, header length, box size) of the box at ``pos`` in ``buf[:end]``."""
    if end - pos < 8:
        raise _damaged(where, f"een box-kop op positie {pos} is afgebroken")
    size, kind = struct.unpack_from(">I4s", buf, pos)
    header = 8
    if size == 1:
        if end - pos < 16:
            raise _damaged(where, f"de 64-bits box-kop van '{_name(kind)}' is afgebroken")
        (size,) = struct.unpack_from(">Q", buf, pos + 8)
        header = 16
    elif size == 0:
        size = end - pos
    if size < header or pos + size > end:
        raise _damaged(
            where,
            f"box '{_name(kind)}' op positie {pos} zegt {size} bytes groot te zijn, "
            f"maar er zijn er maar {end - pos}",
        )
    return kind, header, size


def _parse_boxes(buf: bytes, start: int, end: int, where: str, depth: int = 0) -> list[_Box]:
    if depth > _MAX_DEPTH:
        raise _damaged(where, "de boxen zijn onwaarschijnlijk diep genest")
    boxes = []
    pos = start
    while pos < end:
        kind, header, size = _box_header(buf, pos, end, where)
        body_start, body_end = pos + header, pos + size
        skip = _CONTAINERS.get(kind)
        if skip is None:
            boxes.append(_Box(kind, data=bytes(buf[body_start:body_end])))
        else:
            if body_end - body_start < skip:
                raise _damaged(where, f"box '{_name(kind)}' is te kort")
            boxes.append(
                _Box(
                    kind,
                    prefix=bytes(buf[body_start : body_start + skip]),
                    children=_parse_boxes(buf, body_start + skip, body_end, where, depth + 1),
                )
            )
        pos = body_end
    return boxes


def _open_visual_entries(trak: _Box, where: str) -> None:
    """Parse the sample entries of a video track's ``stsd`` into containers, in place."""
    stsd = trak.path(b"mdia", b"minf", b"stbl", b"stsd")
    if stsd is None:
        return
    for entry in stsd.children or ():
        if entry.children is not None:
            continue
        payload = entry.data
        if len(payload) < _VISUAL_SAMPLE_ENTRY_FIELDS:
            raise _damaged(where, f"de video-beschrijving '{_name(entry.type)}' is te kort")
        # Some writers end the entry with a few bytes that are no box; kept as they are.
        pos, end, children = _VISUAL_SAMPLE_ENTRY_FIELDS, len(payload), []
        while end - pos >= 8:
            size = _box_header(payload, pos, end, where)[2]
            children.extend(_parse_boxes(payload, pos, pos + size, where, depth=2))
            pos += size
        entry.prefix = payload[:_VISUAL_SAMPLE_ENTRY_FIELDS]
        entry.trailer = payload[pos:]
        entry.children = children
        entry.data = b""


def _handler(trak: _Box) -> bytes:
    hdlr = trak.path(b"mdia", b"hdlr")
    return hdlr.data[8:12] if hdlr is not None and len(hdlr.data) >= 12 else b""


def _video_traks(moov: _Box) -> list[_Box]:
    return [c for c in moov.children or () if c.type == b"trak" and _handler(c) == b"vide"]


def _scan_top_level(f: BinaryIO, file_size: int, where: str) -> list[_TopBox]:
    """The top-level boxes of a file, found by seeking from header to header."""
    if file_size == 0:
        raise NotAnMp4(
            "het bestand is leeg", where=where, hint="kopieer of exporteer de video opnieuw"
        )
    boxes: list[_TopBox] = []
    pos = 0
    while pos < file_size:
        if len(boxes) >= _MAX_TOP_LEVEL_BOXES:
            raise _damaged(where, "onwaarschijnlijk veel boxen op het hoogste niveau")
        f.seek(pos)
        head = f.read(16)
        if not boxes and (len(head) < 8 or head[4:8] not in _FIRST_BOX_TYPES):
            raise NotAnMp4(
                "dit is geen MP4- of MOV-bestand",
                where=where,
                hint="lever de video aan als MP4 (H.264 of H.265), zoals de camera-app exporteert",
            )
        if len(head) < 8:
            raise _damaged(where, f"het bestand eindigt midden in een box-kop (positie {pos})")
        size, kind = struct.unpack_from(">I4s", head, 0)
        header = 8
        if size == 1:
            if len(head) < 16:
                raise _damaged(where, f"de 64-bits box-kop van '{_name(kind)}' is afgebroken")
            (size,) = struct.unpack_from(">Q", head, 8)
            header = 16
        elif size == 0:
            size = file_size - pos
        if size < header or pos + size > file_size:
            raise _damaged(
                where,
                f"box '{_name(kind)}' op positie {pos} zegt {size} bytes groot te zijn, "
                f"maar het bestand houdt na {file_size - pos} bytes op",
            )
        boxes.append(_TopBox(kind, pos, size))
        pos += size
    return boxes


def _read_moov(f: BinaryIO, top: list[_TopBox], where: str) -> tuple[_TopBox, _Box]:
    moovs = [b for b in top if b.type == b"moov"]
    if not moovs:
        raise _damaged(where, "de index (moov-box) ontbreekt; de opname is niet afgesloten")
    if len(moovs) > 1:
        raise _damaged(where, "het bestand heeft meer dan één index (moov-box)")
    moov = moovs[0]
    if moov.size > _MAX_MOOV:
        raise UnsupportedLayout(
            f"de index (moov-box) is {moov.size // 2**20} MiB, groter dan verwacht",
            where=where,
            hint="knip de video in kortere stukken",
        )
    f.seek(moov.offset)
    raw = f.read(moov.size)
    if len(raw) != moov.size:
        raise _damaged(where, "het bestand werd korter tijdens het lezen")
    [tree] = _parse_boxes(raw, 0, len(raw), where)
    for trak in _video_traks(tree):
        _open_visual_entries(trak, where)
    return moov, tree


def _load(path: Path) -> tuple[list[_TopBox], _TopBox, _Box]:
    where = str(path)
    try:
        with open(path, "rb") as f:
            file_size = os.fstat(f.fileno()).st_size
            top = _scan_top_level(f, file_size, where)
            moov, tree = _read_moov(f, top, where)
    except OSError as exc:
        raise SphericalMetadataError(
            f"het bestand kan niet gelezen worden: {exc.strerror or exc}",
            where=where,
            hint="controleer of het bestand bestaat en leesbaar is",
        ) from exc
    return top, moov, tree


# ── reading ─────────────────────────────────────────────────────────────────────────────


def read_spherical(path: Path) -> SphericalInfo | None:
    """The spherical metadata of an MP4/MOV's first video track that has any, else None.

    Raises :class:`NotAnMp4` or :class:`DamagedMedia` for files it cannot walk.
    """
    path = Path(path)
    _, _, moov = _load(path)
    for trak in _video_traks(moov):
        info = _track_info(trak, str(path))
        if info is not None:
            return info
    return None


def _track_info(trak: _Box, where: str) -> SphericalInfo | None:
    v1 = _read_v1(trak, where)
    v2 = None
    stsd = trak.path(b"mdia", b"minf", b"stbl", b"stsd")
    for entry in (stsd.children or []) if stsd else []:
        v2 = _read_v2(entry, where)
        if v2 is not None:
            break
    if v1 is None and v2 is None:
        return None
    merged: dict = {}
    for part in (v1, v2):  # V2 last: it wins where both speak
        merged.update({k: v for k, v in (part or {}).items() if v is not None})
    stereo = merged.get("stereo", "mono")
    return SphericalInfo(
        projection=merged.get("projection"),
        stereo=stereo if stereo in STEREO_MODES else None,
        pose=merged.get("pose", Pose()),
        bounds=merged.get("bounds"),
        sources=tuple(name for name, part in (("v1", v1), ("v2", v2)) if part is not None),
    )


def _read_v2(entry: _Box, where: str) -> dict | None:
    st3d, sv3d = entry.child(b"st3d"), entry.child(b"sv3d")
    if st3d is None and sv3d is None:
        return None
    found: dict = {}
    if st3d is not None:
        if len(st3d.data) < 5:
            raise _damaged(where, "de stereo-box (st3d) is te kort")
        mode = st3d.data[4]
        found["stereo"] = STEREO_MODES[mode] if mode < len(STEREO_MODES) else f"mode-{mode}"
    proj = sv3d.child(b"proj") if sv3d is not None else None
    if proj is not None:
        prhd = proj.child(b"prhd")
        if prhd is not None:
            if len(prhd.data) < 16:
                raise _damaged(where, "de oriëntatie-box (prhd) is te kort")
            yaw, pitch, roll = struct.unpack_from(">iii", prhd.data, 4)
            found["pose"] = Pose(yaw / 65536, pitch / 65536, roll / 65536)
        equi = proj.child(b"equi")
        if equi is not None:
            if len(equi.data) < 20:
                raise _damaged(where, "de projectie-box (equi) is te kort")
            found["projection"] = "equirectangular"
            edges = [v / 2**32 for v in struct.unpack_from(">IIII", equi.data, 4)]
            found["bounds"] = EquirectBounds(*edges)
        elif proj.child(b"cbmp") is not None:
            found["projection"] = "cubemap"
        elif proj.child(b"mshp") is not None:
            found["projection"] = "mesh"
    return found


def _read_v1(trak: _Box, where: str) -> dict | None:
    box = next(
        (c for c in trak.children or () if c.type == b"uuid" and c.data[:16] == _SPHERICAL_UUID),
        None,
    )
    if box is None:
        return None
    try:
        root = ET.fromstring(box.data[16:].rstrip(b"\0 \r\n\t"))
    except ET.ParseError as exc:
        log.warning("%s: V1-bolmetadata is geen geldige XML (%s); genegeerd", where, exc)
        return None
    props = _namespaced_props(root, _GSPHERICAL_NS)
    if props.get("Spherical", "").strip().lower() != "true":
        return None
    found: dict = {"projection": props.get("ProjectionType", "equirectangular").strip().lower()}
    if "StereoMode" in props:
        found["stereo"] = props["StereoMode"].strip().lower()
    angles = [_float(props.get(f"InitialView{n}Degrees")) for n in ("Heading", "Pitch", "Roll")]
    if any(a is not None for a in angles):
        found["pose"] = Pose(*(a or 0.0 for a in angles))
    return found


def _namespaced_props(root: ET.Element, namespace: str) -> dict[str, str]:
    """Properties in ``namespace``, written as elements or attributes; the first one wins."""
    prefix = "{" + namespace + "}"
    props: dict[str, str] = {}
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.startswith(prefix):
                props.setdefault(key[len(prefix) :], value)
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            props.setdefault(element.tag[len(prefix) :], (element.text or "").strip())
    return props


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _int(text: str | None) -> int | None:
    value = _float(text)
    return int(value) if value is not None else None


# ── JPEG / GPano ────────────────────────────────────────────────────────────────────────

_GPANO_NS = "http://ns.google.com/photos/1.0/panorama/"
_XMP_MAIN = b"http://ns.adobe.com/xap/1.0/\0"
_XMP_EXTENSION = b"http://ns.adobe.com/xmp/extension/\0"
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_MAX_EXTENDED_XMP = 16 * 1024 * 1024
_MAX_SEGMENTS = 10_000


def read_gpano(path: Path) -> PanoInfo | None:
    """The XMP GPano properties of a JPEG, or None when it has none.

    Reads the main XMP packet and any extended XMP, tolerating properties written as elements
    or as attributes and repeated ``rdf:Description`` blocks (the first value wins).
    """
    path = Path(path)
    where = str(path)
    try:
        with open(path, "rb") as f:
            packets, size = _jpeg_xmp_packets(f, where)
    except OSError as exc:
        raise SphericalMetadataError(
            f"de foto kan niet gelezen worden: {exc.strerror or exc}",
            where=where,
            hint="controleer of het bestand bestaat en leesbaar is",
        ) from exc
    props: dict[str, str] = {}
    for packet in packets:
        try:
            root = ET.fromstring(packet.rstrip(b"\0 \r\n\t"))
        except ET.ParseError as exc:
            log.warning("%s: XMP is geen geldige XML (%s); genegeerd", where, exc)
            continue
        for key, value in _namespaced_props(root, _GPANO_NS).items():
            props.setdefault(key, value)
    if not props:
        return None
    projection = props.get("ProjectionType")
    return PanoInfo(
        projection=projection.strip().lower() if projection else None,
        full_width=_int(props.get("FullPanoWidthPixels")),
        full_height=_int(props.get("FullPanoHeightPixels")),
        cropped_width=_int(props.get("CroppedAreaImageWidthPixels")),
        cropped_height=_int(props.get("CroppedAreaImageHeightPixels")),
        cropped_left=_int(props.get("CroppedAreaLeftPixels")),
        cropped_top=_int(props.get("CroppedAreaTopPixels")),
        heading_deg=_float(props.get("PoseHeadingDegrees")),
        pitch_deg=_float(props.get("PosePitchDegrees")),
        roll_deg=_float(props.get("PoseRollDegrees")),
        image_width=size[0] if size else None,
        image_height=size[1] if size else None,
    )


def _jpeg_xmp_packets(
    f: BinaryIO, where: str
) -> tuple[list[bytes], tuple[int, int] | None]:
    """XMP packets (main first, then complete extended ones) and the frame size, if seen."""
    if f.read(2) != b"\xff\xd8":
        raise NotAJpeg(
            "dit is geen JPEG-foto",
            where=where,
            hint="lever 360°-foto's aan als JPEG, zoals de camera ze maakt",
        )
    main: list[bytes] = []
    extended: dict[bytes, tuple[int, dict[int, bytes]]] = {}
    frame_size = None
    for _ in range(_MAX_SEGMENTS):
        marker = _next_marker(f, where)
        if marker is None or marker in (0xD9, 0xDA):  # end of file, end of image, scan data
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length field
            continue
        raw_len = f.read(2)
        if len(raw_len) < 2 or struct.unpack(">H", raw_len)[0] < 2:
            raise _damaged(where, "een JPEG-segment is afgebroken", photo=True)
        length = struct.unpack(">H", raw_len)[0] - 2
        if marker == 0xE1 or marker in _SOF_MARKERS:
            payload = f.read(length)
            if len(payload) < length:
                raise _damaged(where, "een JPEG-segment is afgebroken", photo=True)
            if marker in _SOF_MARKERS and len(payload) >= 5:
                height, width = struct.unpack_from(">HH", payload, 1)
                frame_size = frame_size or (width, height)
            elif payload.startswith(_XMP_MAIN):
                main.append(payload[len(_XMP_MAIN) :])
            elif payload.startswith(_XMP_EXTENSION):
                _collect_extended(payload[len(_XMP_EXTENSION) :], extended)
        else:
            f.seek(length, os.SEEK_CUR)
    packets = list(main)
    for total, parts in extended.values():
        blob = b"".join(parts[k] for k in sorted(parts))
        if len(blob) == total:
            packets.append(blob)
    return packets, frame_size


def _next_marker(f: BinaryIO, where: str) -> int | None:
    byte = f.read(1)
    if not byte:
        return None
    if byte != b"\xff":
        raise _damaged(where, "tussen de JPEG-segmenten staat onzin", photo=True)
    while byte == b"\xff":  # fill bytes
        byte = f.read(1)
    return byte[0] if byte else None


def _collect_extended(body: bytes, extended: dict[bytes, tuple[int, dict[int, bytes]]]) -> None:
    if len(body) < 40:
        return
    guid = body[:32]
    total, offset = struct.unpack_from(">II", body, 32)
    if total > _MAX_EXTENDED_XMP:
        return
    extended.setdefault(guid, (total, {}))[1][offset] = body[40:]


# ── writing ─────────────────────────────────────────────────────────────────────────────


def inject_spherical(
    src: Path,
    dst: Path,
    *,
    stereo: str = "mono",
    pose: tuple[float, float, float] = (0.0, 0.0, 0.0),
    versions: Collection[str] = ("v1", "v2"),
) -> SphericalInfo:
    """Mark the first video track of ``src`` as equirectangular 360° and write ``dst``.

    Writes V1 (XMP ``uuid`` box in the track) and V2 (``st3d`` + ``sv3d`` in the sample
    entry), replacing any that were there. Whether the index sits before the media data
    (``-movflags +faststart``) or after it, the result plays: when the grown index pushes the
    media data back, every track's chunk offsets move with it. ``dst`` is written through a
    temporary file beside it and swapped in whole; ``dst`` may be ``src``.

    ``pose`` is (yaw, pitch, roll) in degrees. Returns the metadata read back from ``dst``.
    """
    src, dst = Path(src), Path(dst)
    pose = _check_arguments(stereo, pose, versions)
    where = str(src)
    top, moov_at, moov = _load(src)
    if moov.child(b"mvex") is not None:
        raise UnsupportedLayout(
            "gefragmenteerde MP4 wordt niet ondersteund",
            where=where,
            hint="encodeer zonder -movflags frag_keyframe/empty_moov",
        )
    traks = _video_traks(moov)
    if not traks:
        raise NoVideoTrack(
            "het bestand heeft geen videospoor",
            where=where,
            hint="alleen video kan als 360°-video gemarkeerd worden",
        )
    trak = traks[0]
    _mark_track(trak, stereo, pose, versions, where)
    new_moov = _relocate(moov, moov_at, where)
    log.debug("%s: moov %d → %d bytes", where, moov_at.size, len(new_moov))
    _write_replacing_moov(src, dst, top, moov_at, new_moov)
    info = read_spherical(dst)
    if info is None:  # cannot happen unless the file changed under us
        raise SphericalMismatch(
            "de metadata is na het schrijven niet terug te lezen", where=str(dst)
        )
    return info


def _check_arguments(stereo: str, pose, versions: Collection[str]) -> Pose:
    if stereo not in STEREO_MODES:
        raise InvalidSpherical(
            f"onbekende stereo-indeling {stereo!r}",
            hint="kies uit " + ", ".join(STEREO_MODES),
        )
    unknown = set(versions) - {"v1", "v2"}
    if unknown or not versions:
        raise InvalidSpherical(
            f"onbekende metadata-versie(s) {sorted(unknown)}", hint="kies 'v1' en/of 'v2'"
        )
    try:
        yaw, pitch, roll = (float(v) for v in pose)
    except (TypeError, ValueError) as exc:
        raise InvalidSpherical(
            f"oriëntatie {pose!r} is geen (yaw, pitch, roll)", hint="drie getallen in graden"
        ) from exc
    limits = (("yaw", yaw, 180.0), ("pitch", pitch, 90.0), ("roll", roll, 180.0))
    for name, value, limit in limits:
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise InvalidSpherical(
                f"{name} {value} valt buiten het bereik",
                hint=f"gebruik -{limit:g} tot {limit:g} graden",
            )
    return Pose(yaw, pitch, roll)


def _full_box(kind: bytes, payload: bytes) -> _Box:
    return _Box(kind, data=b"\0\0\0\0" + payload)  # version 0, flags 0


def _v2_boxes(stereo: str, pose: Pose) -> list[_Box]:
    fixed = [round(v * 65536) for v in pose]
    return [
        _full_box(b"st3d", bytes([STEREO_MODES.index(stereo)])),
        _Box(
            b"sv3d",
            children=[
                _full_box(b"svhd", b"zorgblik\0"),
                _Box(
                    b"proj",
                    children=[
                        _full_box(b"prhd", struct.pack(">iii", *fixed)),
                        _full_box(b"equi", struct.pack(">IIII", 0, 0, 0, 0)),
                    ],
                ),
            ],
        ),
    ]


def _v1_box(stereo: str, pose: Pose) -> _Box:
    ET.register_namespace("rdf", _RDF_NS)
    ET.register_namespace("GSpherical", _GSPHERICAL_NS)
    root = ET.Element(f"{{{_RDF_NS}}}SphericalVideo")
    values = {
        "Spherical": "true",
        "Stitched": "true",
        "StitchingSoftware": "zorgblik",
        "ProjectionType": "equirectangular",
        "StereoMode": stereo,
        "InitialViewHeadingDegrees": f"{pose.yaw:g}",
        "InitialViewPitchDegrees": f"{pose.pitch:g}",
        "InitialViewRollDegrees": f"{pose.roll:g}",
    }
    for name, value in values.items():
        ET.SubElement(root, f"{{{_GSPHERICAL_NS}}}{name}").text = value
    xml = b'<?xml version="1.0"?>' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return _Box(b"uuid", data=_SPHERICAL_UUID + xml)


def _mark_track(trak: _Box, stereo: str, pose: Pose, versions, where: str) -> None:
    assert trak.children is not None
    trak.children = [
        c for c in trak.children if not (c.type == b"uuid" and c.data[:16] == _SPHERICAL_UUID)
    ]
    if "v1" in versions:
        trak.children.append(_v1_box(stereo, pose))
    stsd = trak.path(b"mdia", b"minf", b"stbl", b"stsd")
    if stsd is None or not stsd.children:
        raise _damaged(where, "het videospoor heeft geen beschrijving (stsd)")
    for entry in stsd.children:
        kept = [c for c in entry.children or () if c.type not in (b"st3d", b"sv3d")]
        if "v2" in versions:
            at = next((i for i, c in enumerate(kept) if c.type in _SAMPLE_ENTRY_TAIL), len(kept))
            kept[at:at] = _v2_boxes(stereo, pose)
        entry.children = kept


def _chunk_tables(moov: _Box) -> Iterator[_Box]:
    for trak in moov.children or ():
        if trak.type == b"trak":
            stbl = trak.path(b"mdia", b"minf", b"stbl")
            for box in (stbl.children or ()) if stbl else ():
                if box.type in (b"stco", b"co64"):
                    yield box


def _offsets(box: _Box, where: str) -> list[int]:
    if len(box.data) < 8:
        raise _damaged(where, f"de tabel '{_name(box.type)}' is te kort")
    (count,) = struct.unpack_from(">I", box.data, 4)
    width = 4 if box.type == b"stco" else 8
    if len(box.data) < 8 + count * width:
        raise _damaged(where, f"de tabel '{_name(box.type)}' is korter dan zij zegt")
    return list(struct.unpack_from(f">{count}{'I' if width == 4 else 'Q'}", box.data, 8))


def _relocate(moov: _Box, moov_at: _TopBox, where: str) -> bytes:
    """The new moov's bytes, with chunk offsets moved by however much the moov grew.

    Media stored after the old moov shifts by the change in its size; media before it stays.
    A 32-bit table whose offsets no longer fit becomes a 64-bit one, which grows the moov
    again, hence the loop.
    """
    tables = [(box, _offsets(box, where)) for box in _chunk_tables(moov)]
    old_end = moov_at.offset + moov_at.size
    new = moov.to_bytes()
    for _ in range(8):
        delta = len(new) - moov_at.size
        for box, original in tables:
            moved = [o + delta if o >= old_end else o for o in original]
            if box.type == b"stco" and moved and max(moved) > 0xFFFFFFFF:
                box.type = b"co64"
            fmt = "I" if box.type == b"stco" else "Q"
            box.data = box.data[:4] + struct.pack(f">I{len(moved)}{fmt}", len(moved), *moved)
        again = moov.to_bytes()
        if len(again) == len(new):
            return again
        new = again
    raise UnsupportedLayout("de chunk-offsets kwamen niet tot rust", where=where)


def _write_replacing_moov(
    src: Path, dst: Path, top: list[_TopBox], moov_at: _TopBox, new_moov: bytes
) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
            for box in top:
                if box == moov_at:
                    out.write(new_moov)
                    continue
                f.seek(box.offset)
                left = box.size
                while left:
                    chunk = f.read(min(left, _COPY_CHUNK))
                    if not chunk:
                        raise _damaged(str(src), "het bestand werd korter tijdens het kopiëren")
                    out.write(chunk)
                    left -= len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, os.stat(src).st_mode & 0o7777)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ── verifying ───────────────────────────────────────────────────────────────────────────

_FFPROBE_STEREO = {"mono": {None, "2D"}, "top-bottom": {"top and bottom"},
                   "left-right": {"side by side"}}


def verify_spherical(
    path: Path,
    expected_stereo: str,
    *,
    expected_projection: str = "equirectangular",
    require: Collection[str] = ("v1", "v2"),
    probed: dict | None = None,
) -> SphericalInfo:
    """Confirm that ``path`` is marked as spherical the way the render stage meant it.

    Re-reads the file with :func:`read_spherical` and asks ffprobe for its side data
    ("Spherical Mapping", "Stereo 3D"); both must show ``expected_projection`` and
    ``expected_stereo``, the poses must agree, and every scheme in ``require`` must be
    present. Raises :class:`SphericalMismatch` otherwise; ffprobe failing raises ToolError.
    Returns what :func:`read_spherical` found. ``probed``: ffprobe's output for ``path``
    (:func:`zorgblik.tools.ffprobe_json`) when the caller has it already.
    """
    path = Path(path)
    where = str(path)
    hint = "encodeer de scène opnieuw; meld het als het blijft gebeuren"
    if expected_stereo not in STEREO_MODES:
        raise InvalidSpherical(f"onbekende stereo-indeling {expected_stereo!r}")
    info = read_spherical(path)
    if info is None:
        raise SphericalMismatch("de video heeft geen 360°-metadata", where=where, hint=hint)
    missing = [v for v in require if v not in info.sources]
    if missing:
        raise SphericalMismatch(
            f"360°-metadata {', '.join(missing).upper()} ontbreekt", where=where, hint=hint
        )
    if (info.projection, info.stereo) != (expected_projection, expected_stereo):
        raise SphericalMismatch(
            f"de metadata zegt {info.projection}/{info.stereo}, "
            f"verwacht {expected_projection}/{expected_stereo}",
            where=where,
            hint=hint,
        )
    streams = (probed or ffprobe_json(path)).get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    side = {d.get("side_data_type"): d for d in (video or {}).get("side_data_list", [])}
    mapping = side.get("Spherical Mapping")
    if mapping is None or mapping.get("projection") != expected_projection:
        seen = mapping.get("projection") if mapping else "geen"
        raise SphericalMismatch(
            f"ffprobe ziet projectie {seen}, verwacht {expected_projection}",
            where=where,
            hint=hint,
        )
    stereo_type = side.get("Stereo 3D", {}).get("type")
    if stereo_type not in _FFPROBE_STEREO[expected_stereo]:
        raise SphericalMismatch(
            f"ffprobe ziet stereo-indeling {stereo_type or 'geen'}, verwacht {expected_stereo}",
            where=where,
            hint=hint,
        )
    # ffprobe takes the pose from V2 only (it ignores V1's InitialView*) and prints whole
    # degrees, truncated; ours keeps the 16.16 fraction.
    for name, ours in info.pose._asdict().items() if "v2" in info.sources else ():
        theirs = mapping.get(name, 0)
        if not isinstance(theirs, (int, float)) or abs(float(theirs) - ours) >= 1.0:
            raise SphericalMismatch(
                f"ffprobe ziet {name} {theirs}, de metadata zegt {ours:g}", where=where, hint=hint
            )
    return info


# ── helpers ─────────────────────────────────────────────────────────────────────────────


def _name(kind: bytes) -> str:
    return kind.decode("latin-1").encode("ascii", "backslashreplace").decode("ascii")


def _damaged(where: str, what: str, *, photo: bool = False) -> DamagedMedia:
    source = "de foto" if photo else "de video"
    return DamagedMedia(
        f"{source} is beschadigd of onvolledig: {what}",
        where=where,
        hint="kopieer het bestand opnieuw van de camera of exporteer het opnieuw",
    )
