"""The thin path: a real script, real footage, a real encode; the output is probed again.

The scenes that tests only read are built once for the module (``built``), with the session's
shared render cache; the tests that count encodes or look into the cache have their own."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog import Catalog, queries, signoffs
from render import FootageNotReady, build_script
from render.build import BuiltScene, footage_lookup
from scripts_vr import ScriptInvalid, lint_file
from scripts_vr.templates import minimal_script
from support import BACK_LENS, FRONT_LENS, GLOWSTICKS_PHOTO, MONO_VIDEO, STEREO_VIDEO, approve_profile, own_render_cache
from zorgblik.media.probe import ffprobe_json
from zorgblik.media.spherical import read_spherical
from zorgblik.settings import Settings
from zorgblik.tools import run_tool

SCRIPT = minimal_script("""\
{scenes}
""")

VIDEO_SCENE = """\
  - id: {id}
    title: {{nl: {title}}}
    footage: {footage}
    in: {in_}
    out: {out}
    captions:
      - {{start: 0, end: 1, text: {caption}}}
    hotspots:
      - {{id: tafel, yaw: 30, pitch: -10, kind: info, label: Tafel, text: Hier wordt gegeten}}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""

PHOTO_SCENE = """\
  - id: foto
    title: {{nl: Een foto}}
    footage: {footage}
    view: {{yaw: 90, pitch: 0}}
    contexts: [werkveldorientatie]
    audience: {{routes: [BBL], levels: [4]}}
"""


def rel(path: Path, folder: Path) -> str:
    """Scripts name footage relative to their own folder."""
    return os.path.relpath(path, folder)


def write_script(folder: Path, *scenes: str, name: str = "testzorg") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(SCRIPT.format(scenes="".join(scenes)), encoding="utf-8")
    return path


def video_scene(folder: Path, *, id="ochtend", title="Ochtend", in_=1, out=3, caption="Goedemorgen",
                footage: Path = MONO_VIDEO) -> str:
    return VIDEO_SCENE.format(id=id, title=title, footage=rel(footage, folder), in_=in_, out=out, caption=caption)


def photo_scene(folder: Path, footage: Path = GLOWSTICKS_PHOTO) -> str:
    return PHOTO_SCENE.format(footage=rel(footage, folder))


@pytest.fixture
def fast(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, encoder_preset="ultrafast")


def encode_count(settings: Settings) -> int:
    return len(list((settings.cache_dir / "encode").glob("*.*")))


@dataclass(frozen=True)
class Built:
    settings: Settings
    script: Path  # the mono video scene's script
    video: BuiltScene  # a mono video, 1 s to 3 s
    stereo: BuiltScene  # a top-bottom stereo video, 0 s to 1 s ...
    photo: BuiltScene  # ... and a photo, in one script


@pytest.fixture(scope="module")
def built(tmp_path_factory, render_cache_dir) -> Built:
    """The scenes the tests below only read, built once for the module (quest2, ultrafast)."""
    folder = tmp_path_factory.mktemp("built")
    settings = Settings.from_env({}, data_dir=folder / "data", port=0, encoder_preset="ultrafast",
                                 render_cache_dir=str(render_cache_dir))
    script = write_script(folder, video_scene(folder))
    both = write_script(folder, video_scene(folder, id="stereo", footage=STEREO_VIDEO, in_=0, out=1),
                        photo_scene(folder), name="stereo-en-foto")
    with Catalog(settings.catalog_url) as catalog:
        [video] = build_script(script, settings=settings, catalog=catalog, profiles=["quest2"])
        stereo, photo = build_script(both, settings=settings, catalog=catalog, profiles=["quest2"])
    return Built(settings, script, video, stereo, photo)


@pytest.mark.slow
def test_video_scene_builds_and_reprobes(built):
    scene = built.video
    manifest = json.loads((scene.bundle_dir / "manifest.json").read_text())
    media = scene.bundle_dir / "scene.quest2.mp4"

    info = ffprobe_json(media)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1920, 960)
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.1
    assert video["level"] == 52
    kinds = {d["side_data_type"] for d in video.get("side_data_list", [])}
    assert "Spherical Mapping" in kinds
    assert read_spherical(media).stereo == "mono"
    # keyframe every second at 30 fps
    frames = run_tool(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=key_frame",
                       "-of", "csv=p=0", media]).split()
    assert [i for i, k in enumerate(frames) if k.startswith("1")] == [0, 30]

    poster = ffprobe_json(scene.bundle_dir / "poster.jpg")["streams"][0]
    assert (poster["width"], poster["height"]) == (1280, 720)
    assert "Goedemorgen" in (scene.bundle_dir / "captions.nl.vtt").read_text()
    assert json.loads((scene.bundle_dir / "hotspots.json").read_text())[0]["id"] == "tafel"
    for f in manifest["files"]:
        assert (scene.bundle_dir / f["name"]).stat().st_size == f["bytes"]
    assert manifest["source_footage"] and manifest["stereo"] == "mono"
    assert not list(built.settings.bundles_dir.glob(".building-*"))


def test_a_built_scene_is_published_once_signed_off(built):
    with Catalog(built.settings.catalog_url) as catalog:
        approve_profile(catalog, built.script)
        with catalog.session() as db:  # nobody on the consent register: a person signs the review sheet off
            version = queries.scene_version_by_bundle_key(db, built.video.bundle_key)
            signoffs.sign_off(db, version, by="test")
            queries.publish(db, version)
        with catalog.session() as db:
            [published] = queries.published_scene_versions(db)
            assert published.bundle_key == built.video.bundle_key


@pytest.mark.slow
def test_rebuild_reuses_and_caption_edit_reencodes_nothing(tmp_path, fast, catalog):
    fast = own_render_cache(fast)  # it counts the encodes in the cache: an empty one of its own
    script = write_script(tmp_path, video_scene(tmp_path))
    [first] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert encode_count(fast) == 1

    [same] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert same.bundle_key == first.bundle_key and same.version == first.version

    script = write_script(tmp_path, video_scene(tmp_path, caption="Welkom op de afdeling"))
    [edited] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert edited.encoded == 0
    assert edited.bundle_key != first.bundle_key and edited.version == 2
    assert encode_count(fast) == 1, "a caption edit must not re-encode"
    assert "Welkom op de afdeling" in (edited.bundle_dir / "captions.nl.vtt").read_text()

    script = write_script(tmp_path, video_scene(tmp_path, in_=2, out=3))
    build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert encode_count(fast) == 2, "a new in point re-encodes"

    [laddered] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2", "web"])
    assert laddered.encoded == 1 and encode_count(fast) == 3, "adding a profile encodes only that rendition"


@pytest.mark.slow
def test_stereo_video_and_photo_build(built):
    stereo, photo = built.stereo, built.photo
    assert read_spherical(stereo.bundle_dir / "scene.quest2.mp4").stereo == "top-bottom"
    still = ffprobe_json(photo.bundle_dir / "scene.quest2.jpg")["streams"][0]
    assert (still["width"], still["height"]) == (800, 400)
    manifest = json.loads((photo.bundle_dir / "manifest.json").read_text())
    assert manifest["view"] == {"yaw": 90.0, "pitch": 0.0}
    assert (manifest["contexts"], manifest["audience"]) == (["werkveldorientatie"], {"routes": ["BBL"], "levels": [4]})


def test_footage_not_in_the_catalog_fails_the_build_with_the_lint_line(tmp_path, fast, catalog):
    script = write_script(tmp_path, VIDEO_SCENE.format(id="weg", title="Weg", footage="sha256:" + "0" * 64, in_=0,
                                                       out=1, caption="x"))
    with pytest.raises(ScriptInvalid) as info:
        build_script(script, settings=fast, catalog=catalog)
    [problem] = info.value.problems
    assert str(problem).startswith(f"{script}:43:14: scenes.0.footage: sha256:{'0' * 64} staat niet in de catalogus")
    assert "capture add" in str(problem)


@pytest.fixture
def no_ffmpeg(monkeypatch):
    """Fails a test in which the build runs ffmpeg to make a scene (probing at intake is fine)."""
    def refuse(args, **kwargs):
        raise AssertionError(f"ffmpeg ran: {args}")

    monkeypatch.setattr("render.stages.run_tool", refuse)


def test_what_lint_knows_of_the_footage_fails_the_build_before_any_ffmpeg(tmp_path, fast, catalog, no_ffmpeg):
    photo = photo_scene(tmp_path) + "    captions: [{start: 0, end: 2, text: Hallo}]\n"
    script = write_script(tmp_path, video_scene(tmp_path, in_=1, out=20), photo)  # the video lasts 12 s
    with pytest.raises(ScriptInvalid) as info:
        build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert [(p.line, p.path, p.message.split(";")[0]) for p in info.value.problems] == [
        (45, "scenes.0.out", "ligt na het einde van de opname, die 0:12 duurt"),
        (58, "scenes.1.captions.0", "een foto heeft geen tijdlijn voor ondertitels"),
    ]
    assert "eerste op regel 45: scenes.0.out: ligt na het einde van de opname" in info.value.one_line()
    assert not fast.bundles_dir.exists() or not list(fast.bundles_dir.iterdir())
    # footage named by a path is known only once taken in (as the build just did); by sha256, lint knows it
    with catalog.session() as db:
        video = next(f for f in queries.list_footage(db) if f.media_kind == "video")
    by_hash = write_script(tmp_path, video_scene(tmp_path, in_=1, out=20).replace(
        rel(MONO_VIDEO, tmp_path), f"sha256:{video.sha256}"), name="op-hash")
    assert [p.path for p in lint_file(by_hash, footage=footage_lookup(catalog))] == ["scenes.0.out"]


def test_unstitched_dual_fisheye_is_refused_with_what_to_do(tmp_path, fast, catalog):
    import cv2
    import numpy as np

    halves = [cv2.imread(str(lens)) for lens in (FRONT_LENS, BACK_LENS)]
    raw = tmp_path / "dubbel.jpg"
    cv2.imwrite(str(raw), np.hstack(halves))
    script = write_script(tmp_path, PHOTO_SCENE.format(footage=rel(raw, tmp_path)))
    with pytest.raises(FootageNotReady) as info:
        build_script(script, settings=fast, catalog=catalog)
    line = info.value.one_line()
    assert "scène foto" in line and "dual-fisheye en nog niet gestitcht" in line and "zorgblik capture stitch" in line
    assert not list(fast.bundles_dir.glob("*")) if fast.bundles_dir.exists() else True


def test_a_remade_cache_file_is_hashed_again(tmp_path):
    """What is remembered about a cached encode (its sha256, its checked probe) holds for that
    file only: an encode made again (a pruned cache, another machine's bytes) is hashed again."""
    from render.cache import remembered, sha256_file

    encode = tmp_path / "encode" / "abc.mp4"
    encode.parent.mkdir()
    encode.write_bytes(b"first encode")
    calls = []

    def digest() -> str:
        calls.append(1)
        return sha256_file(encode)

    first = remembered(encode, "sha256", tmp_path, digest)
    assert remembered(encode, "sha256", tmp_path, digest) == first and len(calls) == 1
    encode.unlink()
    encode.write_bytes(b"second encode, other bytes")
    assert remembered(encode, "sha256", tmp_path, digest) == sha256_file(encode) != first
    assert len(calls) == 2


def test_a_failing_poster_fails_the_build_and_leaves_no_bundle(tmp_path, fast, catalog, monkeypatch):
    """The poster runs beside the encode; its failure still reaches the build, with no half
    bundle and no half poster in the cache."""
    from render import stages
    from zorgblik.errors import ZorgblikError

    fast = own_render_cache(fast)  # a shared cache may hold this poster already, and it looks into the cache

    def broken(plan, src, seek, poster, thumb):
        return ["ffmpeg", "-v", "error", "-i", str(src.with_suffix(".bestaat-niet")), str(poster)]

    monkeypatch.setattr(stages, "poster_command", broken)
    script = write_script(tmp_path, photo_scene(tmp_path))
    with pytest.raises(ZorgblikError) as info:
        build_script(script, settings=fast, catalog=catalog)
    assert "ffmpeg" in info.value.one_line() and "scène foto" in info.value.one_line()
    assert not fast.bundles_dir.exists() or not any(fast.bundles_dir.iterdir())
    assert not list((fast.cache_dir / "poster").glob("*.jpg"))
    with catalog.session() as db:  # the catalog is written at the end: a failed build records nothing (#14, 14)
        from catalog.models import ScriptVersion
        from sqlalchemy import func, select

        assert db.scalar(select(func.count()).select_from(ScriptVersion)) == 0


def test_a_build_that_stops_early_leaves_its_progress_file_failed(tmp_path, fast, catalog):
    """The service lists builds from their progress files: one that stopped before encoding (here
    at missing footage) must not stay 'running' for ever."""
    script = write_script(tmp_path, VIDEO_SCENE.format(id="weg", title="Weg", footage="sha256:" + "0" * 64, in_=0,
                                                       out=1, caption="x"))
    with pytest.raises(ScriptInvalid):
        build_script(script, settings=fast, catalog=catalog)
    [progress] = [json.loads(p.read_text()) for p in fast.builds_dir.glob("*.json")]
    assert progress["state"] == "failed" and "scenes.0.footage: sha256:" in progress["error"]


def test_vr180_footage_is_rendered_and_a_cropped_equirect_is_refused_saying_what_is():
    """Render makes VR180 scenes (#17: tests/render/privacy/test_vr180.py builds them); a cropped
    equirect that is no VR180 is still refused in one line that names both kinds it takes."""
    from catalog.models import Footage
    from render.build import check_renderable

    check_renderable(Footage(id=7, original_name="halve-bol.mp4", projection="equirectangular-vr180"), "scène tuin")
    with pytest.raises(FootageNotReady) as info:
        check_renderable(Footage(id=8, original_name="strook.mp4", projection="equirectangular-partial"), "scène tuin")
    line = info.value.one_line()
    assert "equirectangular-partial" in line and "VR180" in line and "\n" not in line


def test_a_plan_without_a_camera_height_keeps_its_bundle_key():
    """camera_height is opt-in: every scene built before it keeps its bundle key (a new key is a new
    scene version, signed off again). The keys are the ones these plans had before the field."""
    from dataclasses import replace

    from render.plan import Rendition, ScenePlan
    from render.profiles import get_profile

    renditions = tuple(Rendition(get_profile(p), 1920, 960) for p in ("quest2", "web"))
    plan = ScenePlan("s", "a", 0, {"nl": "a"}, "x.mp4", "0" * 64, "video", "mono", False, 30.0, 1.0, 3.0,
                     (0.0, 0.0, 0.0), (0.0, 0.0), renditions, "ultrafast", source_size=(1920, 960))
    assert plan.bundle_key() == "84e54bae5a26ec8d863d"
    assert replace(plan, projection="equirectangular-vr180").bundle_key() == "560275d85d8f8893a6d5"
    grounded = replace(plan, camera_height=1.5)
    assert grounded.bundle_key() not in ("84e54bae5a26ec8d863d", replace(plan, camera_height=1.2).bundle_key())
    assert grounded.privacy_key() == plan.privacy_key()  # the picture is the same: nothing is blurred again


def test_a_scene_with_a_camera_height_gets_the_grounded_sphere(tmp_path, fast, catalog):
    """sphere.obj of a scene whose script gives camera_height has its floor flat at that height
    below the camera, and the manifest says so; a scene without one has no ``mesh`` in its manifest."""
    from zorgblik.bundle import read_manifest

    scene = photo_scene(tmp_path).replace("    view:", "    camera_height: 1.2\n    view:").replace("id: foto", "id: vloer")
    photo, plain = build_script(write_script(tmp_path, scene, photo_scene(tmp_path)), settings=fast, catalog=catalog,
                                profiles=["quest2"])
    manifest = read_manifest(photo.bundle_dir / "manifest.json")
    assert manifest.mesh is not None and (manifest.mesh.shape, manifest.mesh.camera_height) == ("grounded", 1.2)
    assert "sphere.obj" in [f.name for f in manifest.files]
    ys = [float(line.split()[2]) for line in (photo.bundle_dir / "sphere.obj").read_text().splitlines()
          if line.startswith("v ")]
    assert min(ys) == pytest.approx(-1.2, abs=1e-6) and max(ys) == pytest.approx(10.0, abs=1e-6)
    assert sum(abs(y + 1.2) < 1e-6 for y in ys) > 100  # the floor: every ring below 6.9° down
    assert "mesh" not in json.loads((plain.bundle_dir / "manifest.json").read_text())
    assert read_manifest(plain.bundle_dir / "manifest.json").mesh is None
    assert (plain.bundle_dir / "sphere.obj").read_text() != (photo.bundle_dir / "sphere.obj").read_text()


def test_a_camera_height_on_vr180_footage_is_refused_in_one_line(tmp_path):
    """The grounded sphere is a whole one: a VR180 scene with a camera height is refused, saying what to do."""
    from types import SimpleNamespace

    from render.build import plan_scene
    from render.errors import RenderError
    from scripts_vr import load_script

    scene = photo_scene(tmp_path).replace("    view:", "    camera_height: 1.2\n    view:")
    script = load_script(write_script(tmp_path, scene))
    footage = SimpleNamespace(id=7, original_name="halve-bol.mp4", projection="equirectangular-vr180", media_kind="photo",
                              pose_pitch=None, pose_roll=None)
    with pytest.raises(RenderError) as info:
        plan_scene(script, script.scenes[0], 0, script_name="s", script_sha256="", footage=footage, store=None,
                   profiles=[])
    line = info.value.one_line()
    assert "camera_height" in line and "VR180" in line and "scène foto" in line and "\n" not in line
