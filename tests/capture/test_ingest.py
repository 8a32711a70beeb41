"""Taking real footage in: probe, classify, store once, refuse what is not 360° with one clear line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from capture import FootageStore, NotPanoramic, RejectedName, UnreadableMedia, add_footage, classify, probe
from catalog import queries

CLASSIFIED = [
    ("video/testroom_1920x960_mono.mp4", "video", "equirectangular", "mono"),
    ("video/congo_stereo_tb_1920x1080.mp4", "video", "equirectangular", "top-bottom"),
    ("video/testsrc_320x240_not360.mp4", "video", "not_360", "mono"),
    ("equirect/theta_half_dome_01.jpg", "photo", "equirectangular", "mono"),
    ("equirect/testroom_2048x1024.jpg", "photo", "equirectangular", "mono"),
]


@pytest.mark.parametrize("name,kind,projection,stereo", CLASSIFIED, ids=[c[0] for c in CLASSIFIED])
def test_fixture_is_classified(footage_dir: Path, name, kind, projection, stereo):
    found = probe(footage_dir / name)
    result = classify(found)
    assert (found.media_kind, result.projection, result.stereo) == (kind, projection, stereo)
    assert result.reasons


def test_add_stores_original_read_only_and_records_it(footage_dir, settings, catalog):
    store = FootageStore(settings.store_dir)
    src = footage_dir / "video/testroom_1920x960_mono.mp4"
    first = add_footage(src, catalog=catalog, store=store, category="ouderenzorg")
    assert first.created
    stored = store.path(first.footage.store_path)
    assert stored.read_bytes() == src.read_bytes()
    assert not stored.stat().st_mode & 0o222
    assert (first.footage.width, first.footage.height, first.footage.duration_s) == (1920, 960, 12.0)

    again = add_footage(src, catalog=catalog, store=store)
    assert not again.created and again.footage.id == first.footage.id
    with catalog.session() as db:
        assert len(queries.list_footage(db)) == 1
    assert not list((settings.store_dir / ".incoming").iterdir())


def _truncated(footage_dir, tmp_path):
    path = tmp_path / "afgebroken.mp4"
    path.write_bytes((footage_dir / "video/testroom_1920x960_mono.mp4").read_bytes()[:4000])
    return path


def _empty(footage_dir, tmp_path):
    path = tmp_path / "leeg.mp4"
    path.write_bytes(b"")
    return path


def _photo_named_mp4(footage_dir, tmp_path):
    path = tmp_path / "foto.mp4"
    shutil.copy(footage_dir / "equirect/theta_glowsticks.jpg", path)
    return path


def _not_360(footage_dir, tmp_path):
    return footage_dir / "video/testsrc_320x240_not360.mp4"


def _audio_only(footage_dir, tmp_path):
    from zorgblik.tools import run_tool

    path = tmp_path / "geluid.mp4"
    run_tool(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", path])
    return path


def _text_file(footage_dir, tmp_path):
    path = tmp_path / "notities.txt"
    path.write_text("geen video")
    return path


BAD = [
    (_truncated, UnreadableMedia, "beschadigd"),
    (_empty, UnreadableMedia, "leeg bestand"),
    (_photo_named_mp4, RejectedName, "past niet bij de inhoud"),
    (_not_360, NotPanoramic, "geen 360°-opname"),
    (_audio_only, UnreadableMedia, "alleen geluid"),
    (_text_file, RejectedName, "niet ondersteund"),
]


@pytest.mark.parametrize("make,error,words", BAD, ids=[b[0].__name__.strip("_") for b in BAD])
def test_bad_input_is_refused_with_one_line_and_nothing_stored(footage_dir, tmp_path, settings, catalog, make, error, words):
    path = make(footage_dir, tmp_path)
    store = FootageStore(settings.store_dir)
    with pytest.raises(error) as info:
        add_footage(path, catalog=catalog, store=store)
    line = info.value.one_line()
    assert words in line and str(path) in line and "\n" not in line
    assert info.value.hint
    with catalog.session() as db:
        assert queries.list_footage(db) == []
    assert not [p for p in settings.store_dir.rglob("*") if p.is_file()] if settings.store_dir.exists() else True
