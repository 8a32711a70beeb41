"""``zorgblik build``: a VR script and its footage in, scene bundles and catalog versions out.

    build_script(path, settings=…, catalog=…)
        load the script → record its version → per scene: resolve footage → plan → build bundle
        → record the scene version (→ publish)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from capture import FootageStore, add_footage
from catalog import Catalog, Footage, queries
from render.errors import FootageMissing
from render.plan import Caption, Hotspot, ScenePlan
from render.profiles import HeadsetProfile, get_profile
from render.stages import Progress, build_bundle
from scripts_vr import load_script
from scripts_vr.model import FootageRef, VRScript, plain
from scripts_vr.model import Scene as ScriptScene
from zorgblik.settings import Settings


@dataclass(frozen=True)
class BuiltScene:
    scene_key: str
    bundle_key: str
    bundle_dir: Path
    version: int
    status: str


def _texts(text) -> dict[str, str]:
    return {lang: value for lang, value in (("nl", text.nl), ("en", getattr(text, "en", None))) if value}


def resolve_footage(ref: FootageRef, *, script_path: Path, catalog: Catalog, store: FootageStore, where: str) -> Footage:
    """The footage a scene's ``footage:`` field names: ``sha256:…``, ``footage:ID`` or a path,
    which is taken in (once) on the way."""
    if ref.kind == "path":
        path = (script_path.parent / ref.value).resolve()
        if not path.is_file():
            raise FootageMissing(f"bestand {ref} bestaat niet", where=where, hint="controleer het pad ten opzichte van het script")
        return add_footage(path, catalog=catalog, store=store).footage
    with catalog.session() as db:
        if ref.kind == "catalog":
            found = db.get(Footage, int(ref.value))
        else:
            found = queries.footage_by_sha256(db, ref.value)
    if found is None:
        raise FootageMissing(f"{ref} staat niet in de catalogus", where=where,
                             hint="voeg het bestand toe met 'zorgblik capture add' of verwijs naar het bestand zelf")
    return found


def plan_scene(script: VRScript, scene: ScriptScene, position: int, *, script_name: str, script_sha256: str, footage: Footage,
               store: FootageStore, profile: HeadsetProfile, preset: str = "medium") -> ScenePlan:
    """Everything that decides this scene's bundle, from the script and the footage."""
    video = footage.media_kind == "video"
    in_s = scene.in_point if video else None
    out_s = (scene.out_point if scene.out_point is not None else footage.duration_s) if video else None
    if scene.level is not None:
        level = (scene.level.yaw, scene.level.pitch, scene.level.roll)
    else:  # the camera's own record of how it was held
        level = (0.0, -footage.pose_pitch, -footage.pose_roll)
    if video:
        width, height = profile.fit(footage.width, footage.height, footage.fps or 30.0)
    else:
        width, height = profile.fit_photo(footage.width, footage.height)
    return ScenePlan(
        script_name=script_name,
        scene_key=scene.id,
        position=position,
        title=_texts(scene.title),
        source_path=str(store.path(footage.store_path)),
        source_sha256=footage.sha256,
        media_kind=footage.media_kind,
        stereo=footage.stereo,
        has_audio=footage.has_audio,
        source_fps=footage.fps,
        in_s=in_s,
        out_s=out_s,
        level=tuple(round(float(a), 4) for a in level),
        view=(float(scene.view.yaw), float(scene.view.pitch)),
        profile=profile,
        preset=preset,
        out_width=width,
        out_height=height,
        captions=tuple(Caption(c.start, c.end, _texts(c.text)) for c in scene.captions),
        hotspots=tuple(
            Hotspot(h.id, str(h.kind), h.yaw, h.pitch, h.start, h.end, _texts(h.label), _texts(h.text)) for h in scene.hotspots
        ),
        contexts=tuple(str(c) for c in scene.contexts),
        prompts=tuple({"text": _texts(p.text), "contexts": [str(c) for c in (p.contexts or [])]} for p in scene.prompts),
        script_sha256=script_sha256,
    )


def build_script(
    path: Path,
    *,
    settings: Settings,
    catalog: Catalog,
    profile: str = "quest2",
    publish: bool = False,
    progress: Progress | None = None,
    on_scene: Callable[[BuiltScene], None] | None = None,
) -> list[BuiltScene]:
    path = Path(path)
    script = load_script(path)
    source = path.read_text(encoding="utf-8")
    sha = hashlib.sha256(source.encode()).hexdigest()
    name = path.stem
    chosen = get_profile(profile)
    store = FootageStore(settings.store_dir)
    with catalog.session() as db:
        script_version = queries.record_script_version(
            db, name=name, organisation=str(plain(script.organisation.name)), care_category=str(script.care_category),
            sha256=sha, source=source,
        )
    built = []
    for position, scene in enumerate(script.scenes):
        where = f"{path}: scène {scene.id}"
        footage = resolve_footage(scene.footage, script_path=path, catalog=catalog, store=store, where=where)
        plan = plan_scene(script, scene, position, script_name=name, script_sha256=sha, footage=footage,
                          store=store, profile=chosen, preset=settings.encoder_preset)
        bundle_dir = build_bundle(plan, settings.bundles_dir, settings.cache_dir, progress)
        manifest = json.loads((bundle_dir / "manifest.json").read_text(encoding="utf-8"))
        with catalog.session() as db:
            db.add(script_version)
            scene_row = queries.scene_for(db, script_version.script, scene.id, position)
            version = queries.record_scene_version(
                db, scene=scene_row, bundle_key=plan.bundle_key(), script_version=script_version,
                footage=db.merge(footage), title=plan.title["nl"], manifest=manifest,
            )
            if publish:
                queries.publish(db, version)
            result = BuiltScene(scene.id, plan.bundle_key(), bundle_dir, version.number, version.status)
        built.append(result)
        if on_scene:
            on_scene(result)
    return built
