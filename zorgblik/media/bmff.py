"""MP4 / MOV (ISO-BMFF) box walking: the structure both the spherical metadata and the check for
a cut-off file read.

Two walks, for two purposes:

* a strict one (:func:`load_moov`) for reading and rewriting metadata: the top-level boxes are
  found by seeking from header to header, only the ``moov`` box (the index, small next to the
  media data) is read into memory, as a tree of :class:`Box`, and a broken structure raises
  :class:`~zorgblik.media.errors.DamagedMedia` or :class:`~zorgblik.media.errors.NotAnMp4`;
* a forgiving one (:func:`media_end`) that stops at the first thing that is no box and reads
  the sample tables to learn where the media data ends: past the end of a cut-off file.
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from zorgblik.media.errors import NotAnMp4, SphericalMetadataError, UnsupportedLayout, damaged

# ── the strict walk: the moov as a tree ───────────────────────────────────────────────

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
VISUAL_SAMPLE_ENTRY_FIELDS = 78  # SampleEntry (8) + VisualSampleEntry fields (70)

#: The largest moov read: an hour of 60 fps video indexes in a few MB.
MAX_MOOV = 256 * 1024 * 1024
_MAX_DEPTH = 24
_MAX_TOP_LEVEL_BOXES = 100_000


@dataclass
class Box:
    """One box of the in-memory ``moov`` tree; leaves keep their payload as bytes."""

    type: bytes
    data: bytes = b""  # a leaf's payload (after the header; a uuid's usertype included)
    prefix: bytes = b""  # a container's own fields before its children
    children: list[Box] | None = None
    trailer: bytes = b""  # bytes after the last child too short to be a box

    def child(self, kind: bytes) -> Box | None:
        return next((c for c in self.children or () if c.type == kind), None)

    def path(self, *kinds: bytes) -> Box | None:
        box: Box | None = self
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
class TopBox:
    """One top-level box of a file: its type, where it starts and how long it is."""

    type: bytes
    offset: int
    size: int


def _box_header(buf: bytes, pos: int, end: int, where: str, *, at: int | None = None,
                room: int | None = None) -> tuple[bytes, int, int]:
    """(type, header length, box size) of the box at ``pos`` in ``buf[:end]``. ``at``: where the box
    lies in the file (default ``pos``); ``room``: how many bytes there are from its start to the end
    of what holds it (default ``end - pos``; a walker reading only each box's head gives the file's)."""
    at = pos if at is None else at
    room = end - pos if room is None else room
    if end - pos < 8:
        raise damaged(where, f"een box-kop op positie {at} is afgebroken")
    size, kind = struct.unpack_from(">I4s", buf, pos)
    header = 8
    if size == 1:
        if end - pos < 16:
            raise damaged(where, f"de 64-bits box-kop van '{box_name(kind)}' is afgebroken")
        (size,) = struct.unpack_from(">Q", buf, pos + 8)
        header = 16
    elif size == 0:
        size = room
    if size < header or size > room:
        raise damaged(where, f"box '{box_name(kind)}' op positie {at} zegt {size} bytes groot te zijn, "
                             f"maar er zijn er maar {room}")
    return kind, header, size


def _parse_boxes(buf: bytes, start: int, end: int, where: str, depth: int = 0) -> list[Box]:
    if depth > _MAX_DEPTH:
        raise damaged(where, "de boxen zijn onwaarschijnlijk diep genest")
    boxes = []
    pos = start
    while pos < end:
        kind, header, size = _box_header(buf, pos, end, where)
        body_start, body_end = pos + header, pos + size
        skip = _CONTAINERS.get(kind)
        if skip is None:
            boxes.append(Box(kind, data=bytes(buf[body_start:body_end])))
        else:
            if body_end - body_start < skip:
                raise damaged(where, f"box '{box_name(kind)}' is te kort")
            boxes.append(
                Box(
                    kind,
                    prefix=bytes(buf[body_start : body_start + skip]),
                    children=_parse_boxes(buf, body_start + skip, body_end, where, depth + 1),
                )
            )
        pos = body_end
    return boxes


def _open_visual_entries(trak: Box, where: str) -> None:
    """Parse the sample entries of a video track's ``stsd`` into containers, in place."""
    stsd = trak.path(b"mdia", b"minf", b"stbl", b"stsd")
    if stsd is None:
        return
    for entry in stsd.children or ():
        if entry.children is not None:
            continue
        payload = entry.data
        if len(payload) < VISUAL_SAMPLE_ENTRY_FIELDS:
            raise damaged(where, f"de video-beschrijving '{box_name(entry.type)}' is te kort")
        # Some writers end the entry with a few bytes that are no box; kept as they are.
        pos, end, children = VISUAL_SAMPLE_ENTRY_FIELDS, len(payload), []
        while end - pos >= 8:
            size = _box_header(payload, pos, end, where)[2]
            children.extend(_parse_boxes(payload, pos, pos + size, where, depth=2))
            pos += size
        entry.prefix = payload[:VISUAL_SAMPLE_ENTRY_FIELDS]
        entry.trailer = payload[pos:]
        entry.children = children
        entry.data = b""


def _handler(trak: Box) -> bytes:
    hdlr = trak.path(b"mdia", b"hdlr")
    return hdlr.data[8:12] if hdlr is not None and len(hdlr.data) >= 12 else b""


def video_traks(moov: Box) -> list[Box]:
    return [c for c in moov.children or () if c.type == b"trak" and _handler(c) == b"vide"]


def _scan_top_level(f: BinaryIO, file_size: int, where: str) -> list[TopBox]:
    """The top-level boxes of a file, found by seeking from header to header."""
    if file_size == 0:
        raise NotAnMp4(
            "het bestand is leeg", where=where, hint="kopieer of exporteer de video opnieuw"
        )
    boxes: list[TopBox] = []
    pos = 0
    while pos < file_size:
        if len(boxes) >= _MAX_TOP_LEVEL_BOXES:
            raise damaged(where, "onwaarschijnlijk veel boxen op het hoogste niveau")
        f.seek(pos)
        head = f.read(16)
        if not boxes and (len(head) < 8 or head[4:8] not in _FIRST_BOX_TYPES):
            raise NotAnMp4(
                "dit is geen MP4- of MOV-bestand",
                where=where,
                hint="lever de video aan als MP4 (H.264 of H.265), zoals de camera-app exporteert",
            )
        if len(head) < 8:
            raise damaged(where, f"het bestand eindigt midden in een box-kop (positie {pos})")
        kind, _, size = _box_header(head, 0, len(head), where, at=pos, room=file_size - pos)
        boxes.append(TopBox(kind, pos, size))
        pos += size
    return boxes


def _read_moov(f: BinaryIO, top: list[TopBox], where: str) -> tuple[TopBox, Box]:
    moovs = [b for b in top if b.type == b"moov"]
    if not moovs:
        raise damaged(where, "de index (moov-box) ontbreekt; de opname is niet afgesloten")
    if len(moovs) > 1:
        raise damaged(where, "het bestand heeft meer dan één index (moov-box)")
    moov = moovs[0]
    if moov.size > MAX_MOOV:
        raise UnsupportedLayout(
            f"de index (moov-box) is {moov.size // 2**20} MiB, groter dan verwacht",
            where=where,
            hint="knip de video in kortere stukken",
        )
    f.seek(moov.offset)
    raw = f.read(moov.size)
    if len(raw) != moov.size:
        raise damaged(where, "het bestand werd korter tijdens het lezen")
    [tree] = _parse_boxes(raw, 0, len(raw), where)
    for trak in video_traks(tree):
        _open_visual_entries(trak, where)
    return moov, tree


def load_moov(path: Path) -> tuple[list[TopBox], TopBox, Box]:
    """The top-level boxes of ``path``, its moov among them, and the moov read as a tree (with
    the video tracks' sample entries opened into containers)."""
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


def box_name(kind: bytes) -> str:
    """A box type as printable text, for messages."""
    return kind.decode("latin-1").encode("ascii", "backslashreplace").decode("ascii")


# ── where the media data ends ─────────────────────────────────────────────────────────


def _boxes(read: Callable[[int, int], bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the ISO BMFF boxes from ``start`` to ``end``. A box may
    say it ends past ``end`` (it was cut off); the walk stops at what is no box."""
    pos = start
    while pos + 8 <= end:
        head = read(pos, 16)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1 and len(head) == 16:  # the size follows in 64 bits: an mdat past 4 GB
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:  # up to the end
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, pos + size
        pos += size


def _numbers(data: bytes, start: int, count: int, width: int) -> array:
    """``count`` big-endian unsigned numbers of ``width`` bytes (1, 2, 4 or 8) from ``data[start:]``."""
    raw = data[start:start + count * width]
    numbers = array({1: "B", 2: "H", 4: "I", 8: "Q"}[width], raw[:len(raw) - len(raw) % width])
    if width > 1 and sys.byteorder == "little":
        numbers.byteswap()
    return numbers


def _count(data: bytes, at: int) -> int:
    return struct.unpack(">I", data[at:at + 4])[0]


def _track_end(moov: bytes, table: dict[bytes, int]) -> int:
    """The furthest byte one track's samples reach: each chunk's offset plus its samples' sizes.
    ``table`` holds where the payload of each box in the track's stbl starts."""
    if b"stsz" in table:
        at = table[b"stsz"]
        same, count = _count(moov, at + 4), _count(moov, at + 8)
        sizes = None if same else _numbers(moov, at + 12, count, 4)
    elif b"stz2" in table and moov[table[b"stz2"] + 7] in (8, 16):  # (4-bit sizes: no video)
        at = table[b"stz2"]
        same, count = 0, _count(moov, at + 8)
        sizes = _numbers(moov, at + 12, count, moov[at + 7] // 8)
    else:
        return 0
    if b"stsc" not in table or not {b"stco", b"co64"} & set(table):
        return 0
    at = table.get(b"co64", table.get(b"stco"))
    offsets = _numbers(moov, at + 8, _count(moov, at + 4), 8 if b"co64" in table else 4)
    at = table[b"stsc"]
    runs = _numbers(moov, at + 8, 3 * _count(moov, at + 4), 4)  # (first chunk, samples per chunk, description)
    furthest, sample = 0, 0
    firsts = [*runs[0::3], len(offsets) + 1]
    for first, following, per_chunk in zip(firsts, firsts[1:], runs[1::3]):
        for chunk in range(first, min(following, len(offsets) + 1)):
            n = min(per_chunk, count - sample)
            if n <= 0:
                return furthest
            size = same * n if same else sum(sizes[sample:sample + n])
            furthest = max(furthest, offsets[chunk - 1] + size)
            sample += n
    return furthest


def _samples_end(moov: bytes) -> int:
    """The furthest byte any track in ``moov`` (its payload) points to."""
    def read(pos: int, n: int) -> bytes:
        return moov[pos:pos + n]

    def child(box: tuple[int, int], name: bytes) -> tuple[int, int] | None:
        return next(((inner, min(end, box[1])) for kind, inner, end in _boxes(read, *box) if kind == name), None)

    furthest = 0
    for kind, inner, end in _boxes(read, 0, len(moov)):
        box = (inner, min(end, len(moov))) if kind == b"trak" else None
        for name in (b"mdia", b"minf", b"stbl"):
            box = box and child(box, name)
        if box:
            table = {name: at for name, at, _ in _boxes(read, *box)}
            furthest = max(furthest, _track_end(moov, table))
    return furthest


def media_end(path: Path) -> int:
    """Where an MP4's or MOV's media data ends, by its own account: past the end of the file when
    the file was cut off. 0 for a file that is no MP4 or MOV.

    ffprobe only reads the header: with the moov at the front (and in fragmented MP4) a cut-off
    file probes as whole. Decoding the last seconds does not find a cut either: a decoder stops
    without complaint at a cut between two frames. The sample tables say where every frame is,
    so reading them costs milliseconds, not a decode, whatever the size of the file.
    """
    size = path.stat().st_size
    furthest = 0
    with open(path, "rb") as f:
        def read(pos: int, n: int) -> bytes:
            f.seek(pos)
            return f.read(n)

        for kind, inner, end in _boxes(read, 0, size):
            if kind in (b"mdat", b"moof") or (kind == b"moov" and end > size):
                furthest = max(furthest, end)
            elif kind == b"moov" and end - inner <= MAX_MOOV:
                try:
                    furthest = max(furthest, _samples_end(read(inner, end - inner)))
                except (IndexError, ValueError, struct.error):  # an index ffprobe read and we cannot: its word stands
                    pass
            if end > size:
                break
    return furthest

