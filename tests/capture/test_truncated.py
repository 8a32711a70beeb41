"""A video cut off while copying is refused at capture, not at build (#14, 10).

With the index (moov) at the front, ffprobe reads a cut-off MP4 without complaint: the header
is whole, only the media data it points to is short. The cut-off files are byte slices of the
demo clip, remuxed (not encoded) into each layout.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from capture import FootageStore, add_dual_fisheye, add_footage
from capture.ingest import check_complete
from catalog import queries
from zorgblik.media.bmff import media_end
from zorgblik.media.errors import UnreadableMedia
from zorgblik.media.probe import probe
from zorgblik.tools import run_tool
from support import BACK_CALIBRATION, FRONT_CALIBRATION, GLOWSTICKS_PHOTO, MONO_VIDEO

#: How each layout is made from the demo clip (index at the end, as cameras write it).
LAYOUTS = {"moov-achteraan": None, "moov-vooraan": "+faststart", "gefragmenteerd": "frag_keyframe+empty_moov"}


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> dict[str, Path]:
    clip = MONO_VIDEO
    folder = tmp_path_factory.mktemp("heel")
    made = {}
    for layout, flags in LAYOUTS.items():
        made[layout] = clip if flags is None else folder / f"{layout}.mp4"
        if flags is not None:
            run_tool(["ffmpeg", "-v", "error", "-i", clip, "-c", "copy", "-movflags", flags, made[layout]])
    return made


def cut(source: Path, folder: Path, keep: int) -> Path:
    path = folder / "afgebroken.mp4"
    path.write_bytes(source.read_bytes()[:keep])
    return path


def last_frame_start(path: Path) -> int:
    """Where the last video frame's bytes begin: a cut there leaves every other frame whole."""
    out = run_tool(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos",
                    "-of", "csv=p=0", path])
    return max(int(line) for line in out.split())


CUTS = [(layout, share) for layout in LAYOUTS for share in (0.6, 0.9, 0.99)] + [("moov-vooraan", "laatste-frame")]


@pytest.mark.parametrize("layout,share", CUTS, ids=[f"{layout}-{share}" for layout, share in CUTS])
def test_a_cut_off_video_is_refused_with_one_line_and_nothing_stored(whole, tmp_path, settings, catalog, layout, share):
    source = whole[layout]
    keep = last_frame_start(source) if share == "laatste-frame" else int(source.stat().st_size * share)
    path = cut(source, tmp_path, keep)
    with pytest.raises(UnreadableMedia) as info:
        add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    line = info.value.one_line()
    assert "afgebroken" in line and str(path) in line and "\n" not in line
    assert "kopieer het bestand opnieuw van de camera" in info.value.hint
    with catalog.session() as db:
        assert queries.list_footage(db) == []
    assert not [p for p in settings.store_dir.rglob("*") if p.is_file()] if settings.store_dir.exists() else True


def test_the_message_says_how_much_is_missing(whole, tmp_path):
    source = whole["moov-vooraan"]
    path = cut(source, tmp_path, source.stat().st_size - 50_000)
    with pytest.raises(UnreadableMedia) as info:
        check_complete(path, probe(path))
    assert info.value.message == "video is afgebroken: er ontbreken 50.000 bytes aan het eind"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_whole_video_passes(whole, layout):
    check_complete(whole[layout], probe(whole[layout]))
    assert 0 < media_end(whole[layout]) <= whole[layout].stat().st_size


def test_a_whole_moov_at_front_video_is_taken_in(whole, settings, catalog):
    result = add_footage(whole["moov-vooraan"], catalog=catalog, store=FootageStore(settings.store_dir))
    assert result.created and result.footage.duration_s == 12.0


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_boxes_past_4_gb_and_to_the_end_of_the_file_are_read(tmp_path):
    """Long 5.7K captures pass 4 GB: their mdat gives its size in 64 bits; a size of 0 means
    'up to the end of the file'."""
    ftyp = _box(b"ftyp", b"isom\0\0\0\0isom")
    large = tmp_path / "groot.mp4"
    large.write_bytes(ftyp + struct.pack(">I4sQ", 1, b"mdat", 16 + 5_000_000_000) + bytes(100))
    assert media_end(large) == len(ftyp) + 16 + 5_000_000_000
    to_end = tmp_path / "tot_het_eind.mp4"
    to_end.write_bytes(ftyp + struct.pack(">I4s", 0, b"mdat") + bytes(100))
    assert media_end(to_end) == to_end.stat().st_size


def test_the_sample_tables_find_a_cut_when_the_mdat_runs_to_the_end(whole, tmp_path):
    """An mdat of size 0 ('up to the end of the file') cannot be cut off by its own account:
    the moov's sample tables say where the last frame ends."""
    data = bytearray(whole["moov-vooraan"].read_bytes())
    at = data.index(b"mdat") - 4
    data[at:at + 4] = bytes(4)
    path = tmp_path / "tot_het_eind.mp4"
    path.write_bytes(data)
    assert media_end(path) == len(data)
    path.write_bytes(data[:-100])
    with pytest.raises(UnreadableMedia) as info:
        check_complete(path, probe(path))
    assert info.value.message == "video is afgebroken: er ontbreken 100 bytes aan het eind"


def test_bytes_after_the_last_box_are_no_cut(whole, tmp_path):
    """Some cameras (Insta360) put a trailer of their own after the moov: not a box, no cut."""
    path = tmp_path / "met_trailer.mp4"
    path.write_bytes(whole["moov-achteraan"].read_bytes() + b"\x7f\xff\xff\xf0trl!" + bytes(64))
    assert media_end(path) <= path.stat().st_size


def test_photos_are_not_checked():
    path = GLOWSTICKS_PHOTO
    check_complete(path, probe(path))
    assert media_end(path) == 0


def test_stitching_refuses_a_cut_off_video_before_it_stitches(whole, tmp_path, settings, catalog,
                                                              monkeypatch):
    def stitched(*args, **kwargs):
        raise AssertionError("a cut-off video was stitched")

    monkeypatch.setattr("capture.dual_fisheye.stitch_video", stitched)
    source = whole["moov-vooraan"]
    path = cut(source, tmp_path, int(source.stat().st_size * 0.9))
    with pytest.raises(UnreadableMedia) as info:
        add_dual_fisheye([path], front_lens=FRONT_CALIBRATION, back_lens=BACK_CALIBRATION,
                         catalog=catalog, store=FootageStore(settings.store_dir))
    assert "video is afgebroken" in info.value.one_line()
