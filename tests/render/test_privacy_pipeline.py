"""The privacy pass inside the build: every face blurred before any rendition is encoded, consent
deciding who stays sharp, sign-off before publishing, and consent withdrawal rebuilding blurred."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture.consent import record_consent
from sqlalchemy import select

from catalog import Catalog, SceneVersion, SignoffRequired, queries, signoffs
from render import build_script
from render.privacy import Tile, blur_frame, render_tile
from render.withdrawal import withdraw_consent
from scripts_vr.templates import minimal_script
from support import FACES_PHOTO, MONO_VIDEO, STEREO_VIDEO, approve_profile, own_render_cache
from zorgblik.settings import Settings

HEAD = minimal_script("")


def scene(footage: Path, folder: Path, *, id: str = "plein", video: str = "", caption: str = "Welkom", keep: str = "") -> str:
    captions = f"    captions:\n      - {{start: 0, end: 1, text: {caption}}}\n" if video else ""  # a photo has no timeline
    text = (f"  - id: {id}\n    title: {{nl: Het plein}}\n    footage: {os.path.relpath(footage, folder)}\n{video}"
            f"{captions}    contexts: [intake]\n    audience: {{routes: [BOL], levels: [3]}}\n")
    if keep:
        text += f"    privacy:\n      keep_unblurred:\n        - {keep}\n"
    return text


def write(folder: Path, *scenes: str, name: str = "testzorg") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(HEAD + "".join(scenes), encoding="utf-8")
    return path


@pytest.fixture
def fast(settings):
    return replace(settings, encoder_preset="ultrafast")


def sharpness(image: np.ndarray, face: dict) -> float:
    """Laplacian variance of a straight-on view of ``face`` (an item of privacy.json)."""
    view = render_tile(image, Tile(face["yaw"], face["pitch"], max(3.0, 0.7 * face["height"]), 64, 64))
    return float(cv2.Laplacian(cv2.cvtColor(view, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def bundle_privacy(built) -> tuple[dict, dict]:
    manifest = json.loads((built.bundle_dir / "manifest.json").read_text())
    return manifest, json.loads((built.bundle_dir / "privacy.json").read_text())


def faces_of(summary: dict, kind: str = "face") -> list[dict]:
    return [i for i in summary["pass"]["items"] if i["kind"] == kind]


def test_faces_blur_unless_the_register_confirms_consent(tmp_path, fast, catalog):
    fast = own_render_cache(fast)  # that a confirmed keep entry runs the face search again is for its own cache to say
    source = cv2.imread(str(FACES_PHOTO))
    script = write(tmp_path, scene(FACES_PHOTO, tmp_path))
    [built] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    manifest, summary = bundle_privacy(built)
    blurred = faces_of(summary)
    assert blurred and manifest["privacy"]["blurred_faces"] == len(blurred) and manifest["privacy"]["needs_signoff"]
    face = max(blurred, key=lambda f: f["height"])
    out = cv2.imread(str(built.bundle_dir / "scene.quest2.jpg"))
    assert sharpness(out, face) < 0.35 * sharpness(source, face)
    assert (built.bundle_dir / "review.png").is_file()
    assert not {"review.png", "privacy.json"} & {f["name"] for f in manifest["files"]}  # never synced

    keep = f"{{person: P-1, consent_ref: FORM-1, yaw: {face['yaw']}, pitch: {face['pitch']}}}"
    write(tmp_path, scene(FACES_PHOTO, tmp_path, keep=keep))
    [unconfirmed] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert unconfirmed.privacy_notes == ("scène plein: P-1 wordt toch vervaagd, want staat niet in het "
                                         "toestemmingsregister van deze opname",)
    assert unconfirmed.encoded == 0  # same pixels as before: nobody to keep, nothing new to encode

    with catalog.session() as db:
        footage_id = queries.scene_version_by_bundle_key(db, built.bundle_key).footage_id
        record_consent(db, footage_id, person="P-1", role="client", status="given", form_ref="FORM-1")
    [kept] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    _, summary = bundle_privacy(kept)
    assert kept.privacy_notes == () and kept.privacy_pass_ran
    assert [k["label"] for k in faces_of(summary, "kept")] == ["P-1 (FORM-1)"]
    out = cv2.imread(str(kept.bundle_dir / "scene.quest2.jpg"))
    assert sharpness(out, face) > 0.7 * sharpness(source, face)

    withdrawal = withdraw_consent("P-1", footage_id=footage_id, settings=fast, catalog=catalog)  # blurred again
    [(name, rebuilt)] = withdrawal.rebuilt
    assert name == "testzorg" and rebuilt.status == "draft" and rebuilt.needs_signoff
    assert "toestemming is ingetrokken" in rebuilt.privacy_notes[0]
    out = cv2.imread(str(rebuilt.bundle_dir / "scene.quest2.jpg"))
    assert sharpness(out, face) < 0.35 * sharpness(source, face)


def test_publishing_waits_for_signoff_and_withdrawal_takes_the_version_off(tmp_path, fast, catalog):
    script = write(tmp_path, scene(FACES_PHOTO, tmp_path))
    with pytest.raises(SignoffRequired, match="zorgblik privacy signoff testzorg/plein --by NAAM"):
        build_script(script, settings=fast, catalog=catalog, profiles=["quest2"], publish=True)
    approve_profile(catalog, script)
    with catalog.session() as db:
        [version] = db.scalars(select(SceneVersion))
        assert version.status == "draft" and queries.published_scene_versions(db) == []
        record_consent(db, version.footage_id, person="P-2", role="staff", status="given", form_ref="FORM-2")
        signoffs.sign_off(db, signoffs.latest_version(db, "testzorg/plein"), by="Anne")
        queries.publish(db, version)
        footage_id, first_key = version.footage_id, version.bundle_key
        assert version.status == "published"

    withdrawal = withdraw_consent("P-2", footage_id=footage_id, settings=fast, catalog=catalog)
    assert [str(v) for v in withdrawal.withdrawn] == ["testzorg/plein versie 1 (was gepubliceerd)"]
    [(_, rebuilt)] = withdrawal.rebuilt
    assert rebuilt.encoded == 0 and not rebuilt.privacy_pass_ran  # nobody was kept: the same blurred pixels
    with catalog.session() as db:
        assert queries.scene_version_by_bundle_key(db, first_key).status == "withdrawn"
        assert queries.published_scene_versions(db) == []  # headsets drop it at their next sync
        new = queries.scene_version_by_bundle_key(db, rebuilt.bundle_key)
        assert new.number == 2 and new.status == "draft"
        with pytest.raises(SignoffRequired):
            queries.publish(db, new)


def test_a_shared_cache_lends_no_data_folder_another_ones_consent_or_signoff(tmp_path):
    """Two data folders sharing one render cache (render_cache_dir): who stays sharp is in the
    cache's keys, and each data folder's own consent register decides it; sign-offs stay in each
    catalog. Folder A confirms P-1's consent, keeps P-1 sharp and signs its version off; folder B
    builds the same script from the same footage with nobody on its register: P-1 blurred (the
    picture A's first build left in the cache), and no publishing without a sign-off of B's own."""
    a = Settings.from_env({}, data_dir=tmp_path / "a" / "data", port=0, encoder_preset="ultrafast",
                          render_cache_dir=str(tmp_path / "gedeeld"))
    b = replace(a, data_dir=tmp_path / "b" / "data")
    source = cv2.imread(str(FACES_PHOTO))
    folder = tmp_path / "scripts"
    folder.mkdir()
    script = write(folder, scene(FACES_PHOTO, folder))
    with Catalog(a.catalog_url) as in_a, Catalog(b.catalog_url) as in_b:
        [first] = build_script(script, settings=a, catalog=in_a, profiles=["quest2"])
        face = max(faces_of(bundle_privacy(first)[1]), key=lambda f: f["height"])
        with in_a.session() as db:
            footage_id = queries.scene_version_by_bundle_key(db, first.bundle_key).footage_id
            record_consent(db, footage_id, person="P-1", role="client", status="given", form_ref="FORM-1")
        write(folder, scene(FACES_PHOTO, folder,
                            keep=f"{{person: P-1, consent_ref: FORM-1, yaw: {face['yaw']}, pitch: {face['pitch']}}}"))
        [kept] = build_script(script, settings=a, catalog=in_a, profiles=["quest2"])
        assert kept.privacy_notes == () and kept.privacy_pass_ran
        assert sharpness(cv2.imread(str(kept.bundle_dir / "scene.quest2.jpg")), face) > 0.7 * sharpness(source, face)
        approve_profile(in_a, script)
        with in_a.session() as db:
            signoffs.sign_off(db, signoffs.latest_version(db, "testzorg/plein"), by="Anne")
            queries.publish(db, queries.scene_version_by_bundle_key(db, kept.bundle_key))

        [other] = build_script(script, settings=b, catalog=in_b, profiles=["quest2"])
        assert not other.privacy_pass_ran and other.encoded == 0  # from the shared cache ...
        assert other.privacy_notes == ("scène plein: P-1 wordt toch vervaagd, want staat niet in het "
                                       "toestemmingsregister van deze opname",)
        out = cv2.imread(str(other.bundle_dir / "scene.quest2.jpg"))  # ... but the blurred picture
        assert sharpness(out, face) < 0.35 * sharpness(source, face)
        assert other.bundle_key != kept.bundle_key and other.needs_signoff and other.status == "draft"
        approve_profile(in_b, script)
        with in_b.session() as db:
            with pytest.raises(SignoffRequired):
                queries.publish(db, queries.scene_version_by_bundle_key(db, other.bundle_key))
            assert queries.published_scene_versions(db) == []


def test_caption_edit_runs_no_face_search_and_no_encode(tmp_path, fast, catalog):
    fast = own_render_cache(fast)  # it counts searches and encodes, and the privacy passes in the cache
    clip = MONO_VIDEO
    video = "    in: 1\n    out: 2\n"
    script = write(tmp_path, scene(clip, tmp_path, video=video))
    [first] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    assert first.privacy_pass_ran and first.encoded == 1
    write(tmp_path, scene(clip, tmp_path, video=video, caption="Goedemiddag"))
    [edited] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2", "web"])
    assert edited.bundle_key != first.bundle_key
    assert not edited.privacy_pass_ran and edited.encoded == 1  # only the new profile's rendition
    assert len(list((fast.cache_dir / "privacy").glob("*.json"))) == 1


def test_stereo_is_searched_and_blurred_per_eye(pano_with_face):
    frame, _ = pano_with_face
    stacked = np.vstack([cv2.resize(frame, (1024, 512)), cv2.resize(frame, (1024, 512))])
    out, report = blur_frame(stacked, stereo="top-bottom")
    labels = sorted(i.label for i in report.items if i.kind == "face")
    assert "linkeroog" in labels and "rechteroog" in labels and report.keyframes == 1
    assert not np.array_equal(out[:512], stacked[:512]) and not np.array_equal(out[512:], stacked[512:])


def test_stereo_scene_builds(tmp_path, fast, catalog):
    script = write(tmp_path, scene(STEREO_VIDEO, tmp_path, video="    in: 0\n    out: 1\n"))
    [built] = build_script(script, settings=fast, catalog=catalog, profiles=["quest2"])
    manifest, summary = bundle_privacy(built)
    assert manifest["stereo"] == "top-bottom" and (manifest["width"], manifest["height"]) == (1920, 1080)
    assert summary["pass"]["width"] == 1920 and summary["pass"]["height"] == 1920  # each eye 2:1


@pytest.fixture(scope="module")
def pano_with_face():
    frame = cv2.imread(str(FACES_PHOTO))
    return cv2.resize(frame, (2048, 1024), interpolation=cv2.INTER_AREA), None
