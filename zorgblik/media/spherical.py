"""Spherical video metadata: read it from 360° MP4/MOV, write it into fresh encodes, verify it.

A headset player only shows a video as a sphere when the file says so. Two schemes exist for
MP4 and both are read and written here, from their published specifications:

* Spherical Video V1 — an RDF/XMP document in a ``uuid`` box
  (``ffcc8263-f855-4a93-8814-587a02521fdd``) inside the video ``trak``;
* Spherical Video V2 — binary ``st3d`` (stereo layout) and ``sv3d`` (``svhd`` + ``proj`` with
  ``prhd`` pose and ``equi`` / ``cbmp`` projection) boxes inside the video sample entry.

The three things this module does::

    info = read_spherical(path)                 # SphericalInfo, or None when the file has none
    inject_spherical(src, dst, stereo="top-bottom", pose=(90, 0, 0))
    inject_spherical(src, dst, projection="cubemap", versions=("v2",))   # a 3×2 cubemap (V2 only)
    inject_spherical(src, dst, stereo="left-right", bounds=VR180_BOUNDS, versions=("v2",))   # VR180
    verify_spherical(dst, "top-bottom")         # our parser and ffprobe must agree

Files are never read whole: the box tree is walked by seeking (:mod:`zorgblik.media.bmff`),
only the ``moov`` box is read into memory, and the media data is streamed when copied. A photo's
360° metadata (XMP GPano) is read by :mod:`zorgblik.media.gpano`. Every failure on a bad file
is a :class:`~zorgblik.media.errors.SphericalMetadataError`.
"""

from __future__ import annotations

import logging
import math
import os
import struct
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from zorgblik import terms
from zorgblik.media.bmff import Box, TopBox, box_name, load_moov, video_traks
from zorgblik.media.errors import (
    InvalidSpherical, NoVideoTrack, SphericalMismatch, UnsupportedLayout, damaged,
)
from zorgblik.media.mesh_projection import ProjectionMesh, read_mshp
from zorgblik.media.probe import ffprobe_json
from zorgblik.media.xmp import namespaced_props, xmp_float

log = logging.getLogger(__name__)

__all__ = [
    "VR180_BOUNDS", "CubemapFormat", "EquirectBounds", "Pose", "STEREO_MODES", "SphericalInfo", "inject_spherical",
    "read_spherical",
    "verify_spherical",
]


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


#: VR180 as equirect: the front half of the sphere, a quarter of the full width left out each side.
VR180_BOUNDS = EquirectBounds(top=0.0, bottom=0.0, left=0.25, right=0.25)


@dataclass(frozen=True)
class CubemapFormat:
    """What a V2 ``cbmp`` box says: the face ``layout`` (0: a 3×2 grid, right left up / down
    front back, the only one the specification defines) and the ``padding`` in pixels round
    each face."""

    layout: int = 0
    padding: int = 0


@dataclass(frozen=True)
class SphericalInfo:
    """What an MP4's video track says about its sphere.

    ``sources`` names the schemes found: ``("v1",)``, ``("v2",)`` or ``("v1", "v2")``. Where
    both are present and differ, V2 wins (as the V2 specification says). ``stereo`` is
    ``"mono"`` when the file is spherical but does not state a layout, ``None`` for a layout
    this module does not know. ``projection`` is ``"equirectangular"``, ``"cubemap"``,
    ``"mesh"`` or ``None`` (unknown); ``cubemap`` the cubemap's layout and padding (V2 only).
    """

    projection: str | None
    stereo: str | None
    pose: Pose = Pose()
    bounds: EquirectBounds | None = None
    sources: tuple[str, ...] = ()
    cubemap: CubemapFormat | None = None
    meshes: tuple[ProjectionMesh, ...] = field(default=(), compare=False)  # V2 mshp: one, or left and right


# ── the boxes written and read ─────────────────────────────────────────────────────────

_SPHERICAL_UUID = bytes.fromhex("ffcc8263f8554a938814587a02521fdd")
_GSPHERICAL_NS = "http://ns.google.com/videos/1.0/spherical/"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# Optional boxes that close a visual sample entry; st3d/sv3d go before them.
_SAMPLE_ENTRY_TAIL = {b"clap", b"pasp", b"btrt"}
_COPY_CHUNK = 1024 * 1024


# ── reading ─────────────────────────────────────────────────────────────────────────────


def read_spherical(path: Path) -> SphericalInfo | None:
    """The spherical metadata of an MP4/MOV's first video track that has any, else None.

    Raises :class:`NotAnMp4` or :class:`DamagedMedia` for files it cannot walk.
    """
    path = Path(path)
    _, _, moov = load_moov(path)
    for trak in video_traks(moov):
        info = _track_info(trak, str(path))
        if info is not None:
            return info
    return None


def _track_info(trak: Box, where: str) -> SphericalInfo | None:
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
        cubemap=merged.get("cubemap"),
        meshes=merged.get("meshes", ()),
        sources=tuple(name for name, part in (("v1", v1), ("v2", v2)) if part is not None),
    )


def _read_v2(entry: Box, where: str) -> dict | None:
    st3d, sv3d = entry.child(b"st3d"), entry.child(b"sv3d")
    if st3d is None and sv3d is None:
        return None
    found: dict = {}
    if st3d is not None:
        if len(st3d.data) < 5:
            raise damaged(where, "de stereo-box (st3d) is te kort")
        mode = st3d.data[4]
        found["stereo"] = STEREO_MODES[mode] if mode < len(STEREO_MODES) else f"mode-{mode}"
    proj = sv3d.child(b"proj") if sv3d is not None else None
    if proj is not None:
        prhd = proj.child(b"prhd")
        if prhd is not None:
            if len(prhd.data) < 16:
                raise damaged(where, "de oriëntatie-box (prhd) is te kort")
            yaw, pitch, roll = struct.unpack_from(">iii", prhd.data, 4)
            found["pose"] = Pose(yaw / 65536, pitch / 65536, roll / 65536)
        equi = proj.child(b"equi")
        if equi is not None:
            if len(equi.data) < 20:
                raise damaged(where, "de projectie-box (equi) is te kort")
            found["projection"] = "equirectangular"
            edges = [v / 2**32 for v in struct.unpack_from(">IIII", equi.data, 4)]
            found["bounds"] = EquirectBounds(*edges)
        elif (cbmp := proj.child(b"cbmp")) is not None:
            if len(cbmp.data) < 12:
                raise damaged(where, "de kubus-box (cbmp) is te kort")
            found["projection"] = "cubemap"
            found["cubemap"] = CubemapFormat(*struct.unpack_from(">II", cbmp.data, 4))
        elif (mshp := proj.child(b"mshp")) is not None:
            found["projection"] = "mesh"
            found["meshes"] = read_mshp(mshp.data, where)
    return found


def _read_v1(trak: Box, where: str) -> dict | None:
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
    props = namespaced_props(root, _GSPHERICAL_NS)
    if props.get("Spherical", "").strip().lower() != "true":
        return None
    found: dict = {"projection": props.get("ProjectionType", "equirectangular").strip().lower()}
    if "StereoMode" in props:
        found["stereo"] = props["StereoMode"].strip().lower()
    angles = [xmp_float(props.get(f"InitialView{n}Degrees")) for n in ("Heading", "Pitch", "Roll")]
    if any(a is not None for a in angles):
        found["pose"] = Pose(*(a or 0.0 for a in angles))
    crop = [xmp_float(props.get(name)) for name in _V1_CROP]
    if all(v is not None for v in crop) and crop[2] > 0 and crop[3] > 0:
        width, height, full_w, full_h, left, top = crop
        found["bounds"] = EquirectBounds(top=top / full_h, bottom=(full_h - top - height) / full_h,
                                         left=left / full_w, right=(full_w - left - width) / full_w)
    return found


# ── writing ─────────────────────────────────────────────────────────────────────────────


def inject_spherical(
    src: Path,
    dst: Path,
    *,
    stereo: str = "mono",
    pose: tuple[float, float, float] = (0.0, 0.0, 0.0),
    versions: Collection[str] = ("v1", "v2"),
    projection: str = "equirectangular",
    cubemap: CubemapFormat = CubemapFormat(),
    bounds: EquirectBounds | None = None,
    mshp: bytes | None = None,
) -> SphericalInfo:
    """Mark the first video track of ``src`` as equirectangular 360° and write ``dst``.

    ``projection="cubemap"`` marks it as a cubemap (``cbmp`` with ``cubemap``'s layout and
    padding) instead; V1 knows no cubemaps, so that is V2 only. ``bounds`` marks an equirect
    that holds only part of the sphere (VR180: :data:`VR180_BOUNDS`): V2 as the ``equi`` box's
    edges, V1 as its cropped area in pixels of one eye (``CroppedAreaImageWidthPixels``,
    ``FullPanoWidthPixels``, ``CroppedAreaLeftPixels`` … from the track's frame size).
    ``projection="mesh"`` writes ``mshp`` (the box's payload, version and flags first:
    :mod:`zorgblik.media.mesh_projection` reads it) as it is; V2 only.

    Writes V1 (XMP ``uuid`` box in the track) and V2 (``st3d`` + ``sv3d`` in the sample
    entry), replacing any that were there. Whether the index sits before the media data
    (``-movflags +faststart``) or after it, the result plays: when the grown index pushes the
    media data back, every track's chunk offsets move with it. ``dst`` is written through a
    temporary file beside it and swapped in whole; ``dst`` may be ``src``.

    ``pose`` is (yaw, pitch, roll) in degrees. Returns the metadata read back from ``dst``.
    """
    src, dst = Path(src), Path(dst)
    pose = _check_arguments(stereo, pose, versions)
    _check_projection(projection, cubemap, versions, bounds, mshp)
    where = str(src)
    top, moov_at, moov = load_moov(src)
    if moov.child(b"mvex") is not None:
        raise UnsupportedLayout(
            "gefragmenteerde MP4 wordt niet ondersteund",
            where=where,
            hint="encodeer zonder -movflags frag_keyframe/empty_moov",
        )
    traks = video_traks(moov)
    if not traks:
        raise NoVideoTrack(
            "het bestand heeft geen videospoor",
            where=where,
            hint="alleen video kan als 360°-video gemarkeerd worden",
        )
    trak = traks[0]
    _mark_track(trak, stereo, pose, versions, where, _projection_box(projection, cubemap, bounds, mshp), bounds)
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


def _check_projection(projection: str, cubemap: CubemapFormat, versions: Collection[str],
                      bounds: EquirectBounds | None, mshp: bytes | None = None) -> None:
    if projection not in ("equirectangular", "cubemap", "mesh"):
        raise InvalidSpherical(f"onbekende projectie {projection!r}", hint="kies equirectangular, cubemap of mesh")
    if projection == "mesh" and ("v1" in versions or not mshp):
        raise InvalidSpherical("een meshprojectie is alleen V2 en heeft de inhoud van haar mshp-box nodig",
                               hint="geef mshp=… en versions=('v2',)")
    if projection == "cubemap" and "v1" in versions:
        raise InvalidSpherical("Spherical Video V1 kent geen kubusprojectie", hint="schrijf alleen V2 (versions=('v2',))")
    if not all(0 <= v <= 0xFFFFFFFF for v in (cubemap.layout, cubemap.padding)):
        raise InvalidSpherical(f"kubusindeling {cubemap} past niet in de cbmp-box", hint="layout en padding van 0 tot 2³²−1")
    if bounds is not None:
        edges = (bounds.top, bounds.bottom, bounds.left, bounds.right)
        if (projection != "equirectangular" or not all(0 <= e < 1 for e in edges)
                or bounds.top + bounds.bottom >= 1 or bounds.left + bounds.right >= 1):
            raise InvalidSpherical(f"grenzen {bounds} laten geen beeld over of horen niet bij equirectangular",
                                   hint="elke rand van 0 tot 1, samen per richting minder dan 1")


def _projection_box(projection: str, cubemap: CubemapFormat, bounds: EquirectBounds | None,
                    mshp: bytes | None = None) -> Box:
    if projection == "mesh":
        return Box(b"mshp", data=mshp)
    if projection == "cubemap":
        return _full_box(b"cbmp", struct.pack(">II", cubemap.layout, cubemap.padding))
    edges = (bounds.top, bounds.bottom, bounds.left, bounds.right) if bounds else (0, 0, 0, 0)
    return _full_box(b"equi", struct.pack(">IIII", *(min(round(e * 2**32), 0xFFFFFFFF) for e in edges)))


def _full_box(kind: bytes, payload: bytes) -> Box:
    return Box(kind, data=b"\0\0\0\0" + payload)  # version 0, flags 0


def _v2_boxes(stereo: str, pose: Pose, projection_box: Box) -> list[Box]:
    fixed = [round(v * 65536) for v in pose]
    return [
        _full_box(b"st3d", bytes([STEREO_MODES.index(stereo)])),
        Box(
            b"sv3d",
            children=[
                _full_box(b"svhd", b"zorgblik\0"),
                Box(
                    b"proj",
                    children=[
                        _full_box(b"prhd", struct.pack(">iii", *fixed)),
                        projection_box,
                    ],
                ),
            ],
        ),
    ]


#: V1's cropped area (the Spherical Video RFC's GPano-like fields), in pixels of one eye.
_V1_CROP = ("CroppedAreaImageWidthPixels", "CroppedAreaImageHeightPixels", "FullPanoWidthPixels",
            "FullPanoHeightPixels", "CroppedAreaLeftPixels", "CroppedAreaTopPixels")


def _v1_crop(bounds: EquirectBounds, eye: tuple[int, int]) -> dict[str, str]:
    """V1's cropped-area fields for an eye of ``eye`` (width, height) pixels showing ``bounds``."""
    width, height = eye
    full_w = round(width / (1 - bounds.left - bounds.right))
    full_h = round(height / (1 - bounds.top - bounds.bottom))
    values = (width, height, full_w, full_h, round(full_w * bounds.left), round(full_h * bounds.top))
    return {name: str(v) for name, v in zip(_V1_CROP, values)}


def _eye_size(entry: Box, stereo: str, where: str) -> tuple[int, int]:
    """One eye's size in the picture a visual sample entry describes (width, height at bytes 24-27)."""
    prefix = getattr(entry, "prefix", b"")
    if len(prefix) < 28:
        raise damaged(where, "de video-beschrijving noemt geen beeldgrootte")
    width, height = struct.unpack_from(">HH", prefix, 24)
    cols, rows = {"left-right": (2, 1), "top-bottom": (1, 2)}.get(stereo, (1, 1))
    return width // cols, height // rows


def _v1_box(stereo: str, pose: Pose, crop: dict[str, str] | None = None) -> Box:
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
        **(crop or {}),
    }
    for name, value in values.items():
        ET.SubElement(root, f"{{{_GSPHERICAL_NS}}}{name}").text = value
    xml = b'<?xml version="1.0"?>' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return Box(b"uuid", data=_SPHERICAL_UUID + xml)


def _mark_track(trak: Box, stereo: str, pose: Pose, versions, where: str, projection_box: Box,
                bounds: EquirectBounds | None = None) -> None:
    assert trak.children is not None
    trak.children = [
        c for c in trak.children if not (c.type == b"uuid" and c.data[:16] == _SPHERICAL_UUID)
    ]
    stsd = trak.path(b"mdia", b"minf", b"stbl", b"stsd")
    if stsd is None or not stsd.children:
        raise damaged(where, "het videospoor heeft geen beschrijving (stsd)")
    if "v1" in versions:
        crop = _v1_crop(bounds, _eye_size(stsd.children[0], stereo, where)) if bounds and bounds.is_cropped else None
        trak.children.append(_v1_box(stereo, pose, crop))
    for entry in stsd.children:
        kept = [c for c in entry.children or () if c.type not in (b"st3d", b"sv3d")]
        if "v2" in versions:
            at = next((i for i, c in enumerate(kept) if c.type in _SAMPLE_ENTRY_TAIL), len(kept))
            kept[at:at] = _v2_boxes(stereo, pose, projection_box)
        entry.children = kept


def _chunk_tables(moov: Box) -> Iterator[Box]:
    for trak in moov.children or ():
        if trak.type == b"trak":
            stbl = trak.path(b"mdia", b"minf", b"stbl")
            for box in (stbl.children or ()) if stbl else ():
                if box.type in (b"stco", b"co64"):
                    yield box


def _offsets(box: Box, where: str) -> list[int]:
    if len(box.data) < 8:
        raise damaged(where, f"de tabel '{box_name(box.type)}' is te kort")
    (count,) = struct.unpack_from(">I", box.data, 4)
    width = 4 if box.type == b"stco" else 8
    if len(box.data) < 8 + count * width:
        raise damaged(where, f"de tabel '{box_name(box.type)}' is korter dan zij zegt")
    return list(struct.unpack_from(f">{count}{'I' if width == 4 else 'Q'}", box.data, 8))


def _relocate(moov: Box, moov_at: TopBox, where: str) -> bytes:
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
    src: Path, dst: Path, top: list[TopBox], moov_at: TopBox, new_moov: bytes
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
                        raise damaged(str(src), "het bestand werd korter tijdens het kopiëren")
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


def _check_bounds(path: Path, info: SphericalInfo, expected: EquirectBounds, hint: str) -> None:
    """Each scheme in the file gives ``expected``'s edges (V1's are whole pixels: 1 % slack)."""
    _, _, moov = load_moov(path)
    trak = video_traks(moov)[0]
    stsd = trak.path(b"mdia", b"minf", b"stbl", b"stsd")
    found = {"v1": (_read_v1(trak, str(path)) or {}).get("bounds"),
             "v2": next(((_read_v2(e, str(path)) or {}).get("bounds") for e in stsd.children or ()), None)}
    want = (expected.top, expected.bottom, expected.left, expected.right)
    for version in info.sources:
        got = found[version] or EquirectBounds(0.0, 0.0, 0.0, 0.0)
        if any(abs(a - b) > 0.01 for a, b in zip((got.top, got.bottom, got.left, got.right), want)):
            raise SphericalMismatch(f"{version.upper()} zegt grenzen {got}, verwacht {expected}", where=str(path),
                                    hint=hint)

_FFPROBE_STEREO = {"mono": {None, "2D"}, "top-bottom": {"top and bottom"},
                   "left-right": {"side by side"}}


def verify_spherical(
    path: Path,
    expected_stereo: str,
    *,
    expected_projection: str = "equirectangular",
    require: Collection[str] = ("v1", "v2"),
    probed: dict | None = None,
    expected_bounds: EquirectBounds | None = None,
) -> SphericalInfo:
    """Confirm that ``path`` is marked as spherical the way the render stage meant it.

    Re-reads the file with :func:`read_spherical` and asks ffprobe for its side data
    ("Spherical Mapping", "Stereo 3D"); both must show ``expected_projection`` and
    ``expected_stereo``, the poses must agree, and every scheme in ``require`` must be
    present; with ``expected_bounds`` (VR180) our reader must find those edges (V1 and V2 agreeing,
    each within a pixel's rounding) and ffprobe a tiled equirectangular. Raises
    :class:`SphericalMismatch` otherwise; ffprobe failing raises ToolError.
    Returns what :func:`read_spherical` found. ``probed``: ffprobe's output for ``path``
    (:func:`zorgblik.media.probe.ffprobe_json`) when the caller has it already.
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
    if expected_bounds is not None:
        _check_bounds(path, info, expected_bounds, hint)
    streams = (probed or ffprobe_json(path)).get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    side = {d.get("side_data_type"): d for d in (video or {}).get("side_data_list", [])}
    mapping = side.get("Spherical Mapping")
    # ffprobe calls an equirect with bounds "tiled equirectangular"
    ffprobe_projection = ("tiled equirectangular" if expected_bounds is not None and expected_bounds.is_cropped
                          else expected_projection)
    if mapping is None or mapping.get("projection") != ffprobe_projection:
        seen = mapping.get("projection") if mapping else "geen"
        raise SphericalMismatch(
            f"ffprobe ziet projectie {seen}, verwacht {ffprobe_projection}",
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
