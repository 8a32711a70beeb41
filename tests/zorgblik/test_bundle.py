"""The bundle format has one definition (zorgblik.bundle): a manifest in another format is refused
with what to do, and no module reads a manifest past the model (tests/render/test_bundle_manifest.py
checks a built bundle against it)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from support import bundle_manifest
from zorgblik.bundle import FORMAT, MANIFEST, BundleFile, BundleFormatError, BundleManifest, read_manifest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("cli", "headset_service", "render", "capture", "catalog", "scripts_vr", "zorgblik", "bench")
#: Modules that may spell "manifest.json": the station keeps the service's sync manifest (a list of
#: bundles, not a bundle's manifest) under that name in its folder, and the station command reads it.
SYNC_MANIFEST_KEPT = {"headset_service/station/sync.py", "cli/station.py"}


def a_manifest() -> BundleManifest:
    media = BundleFile(name="scene.quest2.jpg", role="media", profile="quest2", bytes=4, sha256="a" * 64)
    poster = BundleFile(name="poster.jpg", role="poster", bytes=4, sha256="b" * 64)
    return bundle_manifest(key="k", media_kind="photo", files=[media, poster], audience={"routes": ["BOL"], "levels": [3]})


def test_a_manifest_round_trips_through_its_file(tmp_path):
    manifest = a_manifest()
    path = manifest.write(tmp_path)
    assert path == tmp_path / MANIFEST
    assert read_manifest(path) == manifest
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["format"] == FORMAT
    assert "profile" not in on_disk["files"][1]  # a shared file names no profile (the sync's ETag stays the same)


def test_a_manifest_says_vr180_and_one_from_before_vr180_reads_as_the_whole_sphere(tmp_path):
    """#17: a VR180 bundle says so; a manifest written before the field had values other than the
    whole sphere (or without it at all) still reads, as the whole sphere."""
    vr180 = a_manifest().model_copy(update={"projection": "equirectangular-vr180"})
    assert read_manifest(vr180.write(tmp_path)).projection == "equirectangular-vr180"
    older = json.loads(a_manifest().to_json())
    del older["projection"]
    (tmp_path / MANIFEST).write_text(json.dumps(older), encoding="utf-8")
    assert read_manifest(tmp_path / MANIFEST).projection == "equirectangular"


@pytest.mark.parametrize("format", ["zorgblik-bundle/1", "zorgblik-bundle/3", None], ids=["older", "newer", "missing"])
def test_a_manifest_in_another_format_is_refused_with_what_to_do(tmp_path, format):
    data = a_manifest().model_dump(mode="json")
    if format is None:
        del data["format"]
    else:
        data["format"] = format
    path = tmp_path / MANIFEST
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleFormatError) as refused:
        read_manifest(path)
    said = refused.value.one_line()
    assert said.startswith(f"{path}: de bundel heeft ") and FORMAT in said
    assert (f"formaat '{format}'" if format else "geen formaat") in said
    assert refused.value.hint == "bouw de bundel opnieuw met `zorgblik build`"
    with pytest.raises(BundleFormatError):  # the catalog's copy is read through the same model
        BundleManifest.model_validate(data)


def test_a_manifest_that_is_not_one_is_refused_in_one_line(tmp_path):
    path = tmp_path / MANIFEST
    path.write_text(json.dumps({"format": FORMAT, "files": []}), encoding="utf-8")
    with pytest.raises(BundleFormatError, match=r"manifest klopt niet: bundle_key: Field required"):
        read_manifest(path)


def test_the_players_read_only_what_the_manifest_holds():
    """scene.js reads the bundle's manifest.json itself: every field it asks for is the model's."""
    script = (ROOT / "headset_service" / "static" / "player" / "scene.js").read_text(encoding="utf-8")
    asked = set(re.findall(r"(?<![\w\"'])manifest\.(\w+)", script))
    assert {"files", "media_kind", "renditions", "view", "title", "stereo"} <= asked
    assert asked <= set(BundleManifest.model_fields)


def _source_files():
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _read_past_the_model(tree: ast.AST) -> list[str]:
    """``x.manifest["files"]`` or ``x.manifest.get("title")``: a manifest read by string keys."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "manifest":
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "manifest"):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_every_module_reads_bundle_manifests_through_the_model():
    """The file name, the format and the keys are zorgblik.bundle's: elsewhere a bundle's manifest is
    found by ``MANIFEST``, read by ``read_manifest`` (or the catalog's typed column) and used by attribute."""
    wrong = []
    for name, tree in _source_files():
        if name == "zorgblik/bundle.py":
            continue
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        if MANIFEST in strings and name not in SYNC_MANIFEST_KEPT:
            wrong.append(f"{name}: spells {MANIFEST!r} (use zorgblik.bundle.MANIFEST and read_manifest)")
        if any("zorgblik-bundle/" in s for s in strings):
            wrong.append(f"{name}: spells the format (zorgblik.bundle.FORMAT is the one)")
        wrong += [f"{name} {found}" for found in _read_past_the_model(tree)]
    assert wrong == []


def test_test_bundles_are_made_through_the_model():
    """Synthetic bundles in the tests say no format of their own (support.bundle_manifest gives it)."""
    here = Path(__file__).resolve()
    spelled = [path.relative_to(ROOT).as_posix() for path in sorted((ROOT / "tests").rglob("*.py"))
               if path != here and "zorgblik-bundle/" in path.read_text(encoding="utf-8")]
    assert spelled == []
