"""360° photo metadata: XMP GPano in a JPEG's APP1 segments, read by :func:`read_gpano`.

    pano = read_gpano(path)                     # PanoInfo, or None when the photo has none

The segments are walked by seeking; only APP1 (XMP) and frame-header segments are read.
"""

from __future__ import annotations

import logging
import os
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zorgblik.media.errors import NotAJpeg, SphericalMetadataError, damaged
from zorgblik.media.xmp import namespaced_props, xmp_float, xmp_int

log = logging.getLogger(__name__)

__all__ = ["PanoInfo", "read_gpano"]


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
        for key, value in namespaced_props(root, _GPANO_NS).items():
            props.setdefault(key, value)
    if not props:
        return None
    projection = props.get("ProjectionType")
    return PanoInfo(
        projection=projection.strip().lower() if projection else None,
        full_width=xmp_int(props.get("FullPanoWidthPixels")),
        full_height=xmp_int(props.get("FullPanoHeightPixels")),
        cropped_width=xmp_int(props.get("CroppedAreaImageWidthPixels")),
        cropped_height=xmp_int(props.get("CroppedAreaImageHeightPixels")),
        cropped_left=xmp_int(props.get("CroppedAreaLeftPixels")),
        cropped_top=xmp_int(props.get("CroppedAreaTopPixels")),
        heading_deg=xmp_float(props.get("PoseHeadingDegrees")),
        pitch_deg=xmp_float(props.get("PosePitchDegrees")),
        roll_deg=xmp_float(props.get("PoseRollDegrees")),
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
            raise damaged(where, "een JPEG-segment is afgebroken", photo=True)
        length = struct.unpack(">H", raw_len)[0] - 2
        if marker == 0xE1 or marker in _SOF_MARKERS:
            payload = f.read(length)
            if len(payload) < length:
                raise damaged(where, "een JPEG-segment is afgebroken", photo=True)
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
        raise damaged(where, "tussen de JPEG-segmenten staat onzin", photo=True)
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
