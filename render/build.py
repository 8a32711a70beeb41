"""``zorgblik build``: a VR script and its footage in, scene bundles and catalog versions out.

    build_script(path, settings=…, catalog=…, profiles=("quest2", "web"), executor=…)

runs :data:`STAGES` over a :class:`ScriptBuild` (one :class:`SceneTask` per scene), top to bottom:

    read_script            load and lint the script with what the catalog knows of its footage
    resolve_scene_footage  each scene's footage (a path is taken in, once); lint again
    plan_scenes            each scene's plan, with who may stay unblurred (decide_privacy)
    make_bundles           scenes that need an encoder go to the executor, in parallel; the rest
                           (e.g. after a caption edit) are quick and run here. With a render store
                           (dask --store URL) the workers build from the store's footage into it,
                           and the results are taken into the render cache first (render.store)
    record_versions        the catalog's writes, all at the end: script version, scene versions,
                           and publishing when asked (scenes waiting for a privacy sign-off or the
                           profile's approvals stay drafts)
    report_refusals        raise SignoffRequired / ApprovalRequired naming the drafts

Levelling: the script's ``level`` is the correction; without one the footage's own pose
(GPano / Spherical V2, read at ingest) is undone (:mod:`render.level`).

Before anything is encoded, the script is linted with what the catalog knows of its footage
(:func:`footage_lookup`): footage not in the catalog, in/out beyond the footage's length, times on
a photo. The build then fails with the lint line (``file:line:col: field: message``), never with
ffmpeg's own message. Footage named by a path is checked once it has been taken in.

Privacy: every face is blurred unless the script's ``privacy.keep_unblurred`` names it *and* the
consent register confirms it (:func:`decide_privacy`): the footage's Consent row for that person
ref has status ``given`` and its form_ref is the entry's ``consent_ref``. Anything less (no row,
refused, unknown, withdrawn, another or no form on record) blurs the face, and the build says
why in one Dutch line per entry. ``blur_regions`` always apply.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from capture.store import FootageStore
from capture.consent import consent_state
from catalog import ApprovalRequired, Catalog, Footage, SceneVersion, SignoffRequired, approvals, queries
from catalog.models import Consent
from render.cache import needs_encode, remembered, sha256_file
from render.errors import FootageMissing, FootageNotReady, LevelUnknown, RenderError
from render.events import BuildEvents
from render.executors import Executor, InlineExecutor
from render.level import correction_for_pose
from render.plan import VR180, Caption, Hotspot, PrivacyPlan, Rendition, ScenePlan
from render.profiles import DEFAULT_PROFILES, HeadsetProfile, get_profile
from render.stages import BundleResult, Progress, build_bundle
from scripts_vr import KnownFootage, load_script
from scripts_vr.checks import FootageLookup
from scripts_vr.digest import profile_sha256
from scripts_vr.model import FootageRef, VRScript, plain
from scripts_vr.model import Scene as ScriptScene
from zorgblik.bundle import MANIFEST, read_manifest
from zorgblik.settings import Settings
from zorgblik.terms import CONSENT_STATUSES, label


@dataclass(frozen=True)
class BuiltScene:
    scene_slug: str
    bundle_key: str
    bundle_dir: Path
    version: int
    status: str
    encoded: int = 0  # renditions encoded in this build
    privacy_notes: tuple[str, ...] = ()  # why a keep_unblurred person was blurred after all
    needs_signoff: bool = False  # publishing waits for a person to sign the review sheet off
    privacy_pass_ran: bool = False  # False: no face search ran (a clip's tracks, a photo's picture came from the cache)


def _texts(text) -> dict[str, str]:
    return {lang: value for lang, value in (("nl", text.nl), ("en", getattr(text, "en", None))) if value}


def resolve_footage(ref: FootageRef, *, script_path: Path, catalog: Catalog, store: FootageStore, where: str,
                    sha_cache: Path | None = None) -> Footage:
    """The footage a scene's ``footage:`` field names: ``sha256:…``, ``footage:ID`` or a path,
    which is taken in (once) on the way; with ``sha_cache``, a path whose bytes the catalog
    already holds is found without taking it in again."""
    if ref.kind == "path":
        path = (script_path.parent / ref.value).resolve()
        if not path.is_file():
            raise FootageMissing(f"bestand {ref} bestaat niet", where=where, hint="controleer het pad ten opzichte van het script")
        if sha_cache is not None:  # known bytes: no probe, no classification, no copy
            digest = remembered(path, "footage-sha256", sha_cache, lambda: sha256_file(path))
            with catalog.session() as db:
                known = queries.footage_by_sha256(db, digest)
            if known is not None:
                return known
        from capture.ingest import add_footage  # probing and classifying (OpenCV): only for new footage

        return add_footage(path, catalog=catalog, store=store).footage
    with catalog.session() as db:
        found = queries.footage_by_ref(db, ref.kind, ref.value)
    if found is None:
        raise FootageMissing(f"{ref} staat niet in de catalogus", where=where,
                             hint="voeg het bestand toe met 'zorgblik capture add' of verwijs naar het bestand zelf")
    return found


def known_footage(row: Footage) -> KnownFootage:
    return KnownFootage(row.media_kind, row.duration_s, row.original_name,
                        level_known=bool(row.pose_pitch or row.pose_roll or row.level_estimate))


def footage_lookup(catalog: Catalog, resolved: dict[FootageRef, Footage] | None = None) -> FootageLookup:
    """What the catalog knows of the footage a script names, for lint's footage checks;
    ``resolved`` adds footage already found for path references (a path alone is not looked up)."""
    resolved = resolved or {}

    @functools.lru_cache(maxsize=None)
    def lookup(ref: FootageRef) -> KnownFootage | None:
        if ref in resolved:
            return known_footage(resolved[ref])
        with catalog.session(read_first=True) as db:  # only reads: called inside a page that may hold the write lock
            row = queries.footage_by_ref(db, ref.kind, ref.value)
            return None if row is None else known_footage(row)

    return lookup


def check_renderable(footage: Footage, where: str) -> None:
    """Render makes scenes of whole equirect pictures and of VR180 (the front half, per eye); anything
    else gets one line saying what to do."""
    if footage.projection == "dual-fisheye":
        raise FootageNotReady(
            f"footage:{footage.id} ({footage.original_name}) is dual-fisheye en nog niet gestitcht", where=where,
            hint="stitch het met 'zorgblik capture stitch BESTAND --lens-front … --lens-back …' en verwijs naar het resultaat")
    if footage.projection not in ("equirectangular", VR180):
        raise FootageNotReady(
            f"footage:{footage.id} ({footage.original_name}) heeft projectie {footage.projection}; "
            "render maakt alleen scènes van volledige 360°-beelden en VR180", where=where,
            hint="lever het volledige 2:1-beeld aan (of 1:1 / 4:1 voor stereo), of VR180 met V2-metadata")


def scene_level(scene: ScriptScene, footage: Footage, *, where: str) -> tuple[float, float, float]:
    """The v360 (yaw, pitch, roll) that levels the scene: the script's ``level``; without one the
    camera's own record of how it was held, undone; with ``level: auto`` that record, or where the
    metadata gave none the level capture read from the picture (:mod:`capture.level_estimate`)."""
    if scene.level is not None and scene.level != "auto":
        return scene.level.yaw, scene.level.pitch, scene.level.roll
    posed = bool(footage.pose_pitch or footage.pose_roll)
    if scene.level == "auto" and not posed:
        estimate = footage.level_estimate
        if not estimate:
            why = "het beeld gaf te weinig rechte lijnen (geen schatting)" if estimate == {} else "er is geen schatting"
            raise LevelUnknown(
                f"level: auto, maar van footage:{footage.id} ({footage.original_name}) is de stand onbekend: geen stand "
                f"in de metadata en {why}", where=where,
                hint="zet level: {yaw: …, pitch: …, roll: …} in de scène (of laat level weg: dan blijft het beeld zoals het is)")
        return float(estimate["yaw"]), float(estimate["pitch"]), float(estimate["roll"])
    return correction_for_pose(footage.pose_pitch or 0.0, footage.pose_roll or 0.0)


def decide_privacy(scene: ScriptScene, consents: Sequence[Consent], state: str) -> PrivacyPlan:
    """Who in ``scene`` stays sharp: the keep_unblurred entries the footage's consent register
    confirms (same person ref, status given, form_ref equal to the entry's consent_ref)."""
    register = {c.person: c for c in consents}
    keep, notes = [], []
    for entry in scene.privacy.keep_unblurred:
        person, form = str(entry.person), str(entry.consent_ref)
        row = register.get(person)
        if row is None:
            why = "staat niet in het toestemmingsregister van deze opname"
        elif row.status != "given":
            why = f"toestemming is {label(CONSENT_STATUSES, row.status)}"
        elif row.form_ref != form:
            why = f"formulier {form} staat niet bij deze persoon in het register (daar: {row.form_ref or 'geen'})"
        else:
            keep.append(entry)
            continue
        notes.append(f"scène {scene.id}: {person} wordt toch vervaagd, want {why}")
    regions = tuple(scene.privacy.blur_regions)
    return PrivacyPlan(keep=tuple(keep), regions=regions, consent_state=state, notes=tuple(notes))


def plan_scene(script: VRScript, scene: ScriptScene, position: int, *, script_name: str, script_sha256: str, footage: Footage,
               store: FootageStore, profiles: Sequence[HeadsetProfile], preset: str = "medium",
               privacy: PrivacyPlan = PrivacyPlan(), face_model: str = "") -> ScenePlan:
    """Everything that decides this scene's bundle, from the script and the footage."""
    video = footage.media_kind == "video"
    in_s = scene.in_point if video else None
    out_s = (scene.out_point if scene.out_point is not None else footage.duration_s) if video else None
    level = scene_level(scene, footage, where=f"scène {scene.id}")
    if scene.camera_height is not None and footage.projection == VR180:  # the grounded sphere is a whole one
        raise RenderError(f"camera_height gaat alleen bij 360°-beelden; footage:{footage.id} ({footage.original_name}) "
                          "is VR180", where=f"scène {scene.id}", hint="laat camera_height weg bij deze scène")
    renditions = []
    for profile in profiles:
        if video:
            width, height = profile.fit(footage.width, footage.height, footage.fps or 30.0)
        else:
            width, height = profile.fit_photo(footage.width, footage.height)
        renditions.append(Rendition(profile, width, height))
    return ScenePlan(
        script_name=script_name,
        scene_slug=scene.id,
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
        renditions=tuple(renditions),
        preset=preset,
        captions=tuple(Caption(c.start, c.end, _texts(c.text)) for c in scene.captions),
        hotspots=tuple(
            Hotspot(h.id, str(h.kind), h.yaw, h.pitch, h.start, h.end, _texts(h.label), _texts(h.text)) for h in scene.hotspots
        ),
        contexts=tuple(str(c) for c in scene.contexts),
        audience_routes=tuple(str(r) for r in scene.audience.routes),
        audience_levels=tuple(int(n) for n in scene.audience.levels),
        prompts=tuple({"text": _texts(p.text), "contexts": [str(c) for c in (p.contexts or [])]} for p in scene.prompts),
        privacy=privacy,
        source_size=(footage.width, footage.height),
        script_sha256=script_sha256,
        projection=footage.projection,
        camera_height=scene.camera_height,
        face_model=face_model,
    )


def _build_one(item: tuple[ScenePlan, Path, Path], progress: Progress) -> BundleResult:
    plan, bundles_dir, cache_dir = item
    return build_bundle(plan, bundles_dir, cache_dir, progress)


def check_face_model(name: str) -> None:
    """A face model the privacy pass knows (empty: the default), or one line before anything is built."""
    from render.privacy import MODELS, model_name

    if model_name(name) not in MODELS:
        raise RenderError(f"onbekend gezichtsmodel '{name}'",
                          hint=f"kies uit {', '.join(sorted(MODELS))} (build --face-model of de instelling "
                               "ZORGBLIK_FACE_MODEL)")


def build_script(
    path: Path,
    *,
    settings: Settings,
    catalog: Catalog,
    profiles: Sequence[str] = DEFAULT_PROFILES,
    publish: bool = False,
    progress: Progress | None = None,
    on_scene: Callable[[BuiltScene], None] | None = None,
    executor: Executor | None = None,
    events: BuildEvents | None = None,
) -> list[BuiltScene]:
    """Build every scene of the script at ``path`` for ``profiles`` and record the scene versions;
    returns them in script order.

    Progress goes to ``events``; without them the build keeps its own progress file in
    ``settings.builds_dir`` and leaves it finished, failed or done, whatever happens."""
    if events is not None:  # the caller's: the caller finishes them
        return _build_script(path, settings=settings, catalog=catalog, profiles=profiles, publish=publish,
                             progress=progress, on_scene=on_scene, executor=executor, events=events)
    events = BuildEvents(settings.builds_dir)
    with events.running():
        built = _build_script(path, settings=settings, catalog=catalog, profiles=profiles,
                              publish=publish, progress=progress, on_scene=on_scene, executor=executor, events=events)
    return built


@dataclass
class SceneTask:
    """One scene of a script on its way through the stages; each stage fills in its part."""

    scene: ScriptScene
    position: int
    where: str
    footage: Footage | None = None  # resolve_footage: the catalog row (detached)
    plan: ScenePlan | None = None  # plan_scenes
    result: BundleResult | None = None  # make_bundles
    built: BuiltScene | None = None  # record_versions
    refusal: SignoffRequired | ApprovalRequired | None = None  # publish refused (the version stays a draft)


@dataclass
class ScriptBuild:
    """The build of one script: what the stages share, read at the start, written at the end."""

    path: Path
    settings: Settings
    catalog: Catalog
    profiles: list[HeadsetProfile]
    publish: bool
    events: BuildEvents
    executor: Executor
    progress: Progress | None = None
    on_scene: Callable[[BuiltScene], None] | None = None
    script: VRScript | None = None
    source: str = ""
    tasks: list[SceneTask] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()

    def report(self, scene_slug: str, fraction: float) -> None:
        self.events.scene(f"{self.name}/{scene_slug}", fraction)
        if self.progress:
            self.progress(scene_slug, fraction)


def read_script(build: ScriptBuild) -> None:
    """Load and lint the script with what the catalog knows of its footage: before any ffmpeg, so
    a problem is the lint line, not ffmpeg's."""
    build.script = load_script(build.path, footage=footage_lookup(build.catalog))
    build.source = build.path.read_text(encoding="utf-8")
    build.tasks = [SceneTask(scene, position, f"{build.path}: scène {scene.id}")
                   for position, scene in enumerate(build.script.scenes)]


def resolve_scene_footage(build: ScriptBuild) -> None:
    """The footage of every scene (a path is taken in, once); then lint again with what is now known."""
    store = FootageStore(build.settings.store_dir)
    rows = {}
    for task in build.tasks:
        ref = task.scene.footage
        if ref not in rows:
            rows[ref] = resolve_footage(ref, script_path=build.path, catalog=build.catalog, store=store,
                                        where=task.where, sha_cache=build.settings.cache_dir)
    if any(ref.kind == "path" for ref in rows):  # footage taken in just now: its length and kind are known
        load_script(build.path, footage=footage_lookup(build.catalog, rows))
    with build.catalog.session() as db:
        for task in build.tasks:
            row = queries.get_footage(db, rows[task.scene.footage].id)
            check_renderable(row, task.where)
            scene_level(task.scene, row, where=task.where)  # level: auto without anything known fails here, before ffmpeg
            row.consents  # noqa: B018 - loaded now, read by plan_scenes after the session
            db.expunge(row)
            task.footage = row


def plan_scenes(build: ScriptBuild) -> None:
    """Everything that decides each scene's bundle, privacy included (who may stay unblurred)."""
    store = FootageStore(build.settings.store_dir)
    for task in build.tasks:
        footage = task.footage
        privacy = decide_privacy(task.scene, list(footage.consents), consent_state(footage))
        task.plan = plan_scene(build.script, task.scene, task.position, script_name=build.name,
                               script_sha256=build.sha256, footage=footage, store=store, profiles=build.profiles,
                               preset=build.settings.encoder_preset, privacy=privacy,
                               face_model=build.settings.face_model)


def make_bundles(build: ScriptBuild) -> None:
    """The bundles: scenes that run an encoder or the privacy pass go to the executor (in parallel);
    the rest (after a caption edit, say) are quick and run here. With the executor's render store,
    the workers make the heavy scenes' cache files there; they are taken into the cache here, and
    every bundle is then made here from the cache."""
    settings = build.settings
    item = lambda plan: (plan, settings.bundles_dir, settings.cache_dir)  # noqa: E731
    heavy = [t for t in build.tasks if needs_encode(t.plan, settings.cache_dir)]
    store = getattr(build.executor, "store", None)
    if store and heavy:
        from render.store import RenderStore, build_in_store

        render_store = RenderStore(store)
        render_store.check()
        scenes = [render_store.scene_task(t.plan, settings.cache_dir, t.where) for t in heavy]
        for task, made in zip(heavy, build.executor.map(build_in_store, scenes, build.report)):
            render_store.take(made.results, settings.cache_dir, task.where)
            here = _build_one(item(task.plan), build.report)  # from the cache: what the worker did is what counts
            task.result = dataclasses.replace(here, encoded=made.encoded, privacy_pass_ran=made.privacy_pass_ran)
        heavy = []
    for task, result in zip(heavy, build.executor.map(_build_one, [item(t.plan) for t in heavy], build.report)):
        task.result = result
    for task in build.tasks:
        if task.result is None:
            task.result = _build_one(item(task.plan), build.report)


def record_versions(build: ScriptBuild) -> None:
    """The catalog's writes, all here at the end (a build that fails before records nothing): the
    script version, the profile it was built from (an approval of another profile is withdrawn),
    each scene version, and, when asked, publishing each (a refusal keeps it as a draft)."""
    script, name = build.script, build.name
    with build.catalog.session() as db:
        script_version = queries.record_script_version(
            db, name=name, organisation=str(plain(script.organisation.name)), care_category=str(script.care_category),
            sha256=build.sha256, source=build.source,
        )
        approvals.profile_seen(db, name, profile_sha256(script), reason="het profiel in het scriptbestand is gewijzigd "
                               "(gezien bij het bouwen)")
    for task in build.tasks:
        plan, result = task.plan, task.result
        manifest = read_manifest(result.bundle_dir / MANIFEST)
        with build.catalog.session() as db:
            db.add(script_version)
            scene_row = queries.scene_for(db, script_version.script, task.scene.id, task.position)
            version_id = queries.record_scene_version(
                db, scene=scene_row, bundle_key=plan.bundle_key(), script_version=script_version,
                footage=db.merge(task.footage), title=plan.title["nl"], manifest=manifest,
            ).id
        if build.publish:  # its own transaction: a refusal keeps the version, as a draft
            try:
                with build.catalog.session() as db:
                    queries.publish(db, db.get(SceneVersion, version_id))
            except (SignoffRequired, ApprovalRequired) as refusal:
                task.refusal = refusal
        with build.catalog.session() as db:
            version = db.get(SceneVersion, version_id)
            task.built = BuiltScene(task.scene.id, plan.bundle_key(), result.bundle_dir, version.number, version.status,
                                    result.encoded, plan.privacy.notes, manifest.privacy.needs_signoff, result.privacy_pass_ran)
        build.events.scene(f"{name}/{task.scene.id}", 1.0, state="done", bundle_key=plan.bundle_key(),
                           encoded=result.encoded)
        if build.on_scene:
            build.on_scene(task.built)


def report_refusals(build: ScriptBuild) -> None:
    """Scenes left as drafts say why, once: the profile's approvals, or the privacy sign-offs."""
    refused = [(t.scene.id, t.refusal) for t in build.tasks if t.refusal is not None]
    unapproved = [refusal for _, refusal in refused if isinstance(refusal, ApprovalRequired)]
    if unapproved:  # the same for every scene: the script's profile waits for its approvals
        raise unapproved[0]
    if refused:
        name = build.name
        raise refused[0][1] if len(refused) == 1 else SignoffRequired(
            f"{len(refused)} scènes van {name} wachten op privacy-aftekening en zijn niet gepubliceerd: "
            + ", ".join(f"{name}/{key}" for key, _ in refused),
            hint=f"bekijk per scène het reviewblad en teken af: zorgblik privacy signoff {name}/SCENE --by NAAM",
        )


#: A script's build, top to bottom: the catalog is read at the start and written at the end.
STAGES: tuple[Callable[[ScriptBuild], None], ...] = (
    read_script, resolve_scene_footage, plan_scenes, make_bundles, record_versions, report_refusals)


def _build_script(path: Path, *, settings: Settings, catalog: Catalog, profiles: Sequence[str], publish: bool,
                  progress: Progress | None, on_scene: Callable[[BuiltScene], None] | None,
                  executor: Executor | None, events: BuildEvents) -> list[BuiltScene]:
    check_face_model(settings.face_model)
    build = ScriptBuild(Path(path), settings, catalog, [get_profile(p) for p in dict.fromkeys(profiles)], publish,
                        events, executor or InlineExecutor(), progress, on_scene)
    for stage in STAGES:
        stage(build)
    return [task.built for task in build.tasks]
