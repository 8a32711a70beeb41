"""The stages that turn a :class:`ScenePlan` into a scene bundle, in the order they run.

Each stage is a small function of the :class:`BundleJob`; :data:`STAGES` lists them in one
place, so the whole flow reads in one screen::

    privacy_pass      a clip: one pass (below) that blurs every face (per eye for stereo) and
                      encodes every rendition not in the cache, keeps the poster's frame, and writes
                      the review sheet and summary (on a Dask cluster: the search, then the encode
                      in GOP-aligned chunks over its workers, joined: render.chunks); a photo: the
                      blurred intermediate, sheet and summary; cached by the plan's privacy key
                      (the face tracks by its tracks key)
    make_poster       a perspective view at the scene's initial view direction, and a thumbnail:
                      a clip's from the pass's kept frame, a photo's from its intermediate
    encode_media      a photo's renditions from its intermediate (MEDIA_STEPS); every rendition
                      placed into the bundle from the cache
    check_media       probe every fresh rendition again: codec, size, spatial metadata
    write_review      review.png and privacy.json into the bundle folder for staff: they are not
                      in the manifest's file list, so no headset is sent them (headset_service.sync)
    write_captions    WebVTT per language
    write_hotspots    hotspots.json
    write_sphere_mesh the viewing sphere (shared, content-addressed) for mesh-based players
    write_manifest    manifest.json: files, sizes, sha256 and what the bundle is (once the
                      background work is done)

A clip's picture on its way through: decoded once, no rendition is encoded from anything but the
blurred frames, and no intermediate video is written::

    reader (ffmpeg)       trim at the input (frame-accurate, decodes only what is kept)
                          → each eye stretched to 2:1 (ScenePlan.intermediate_size)
                          (VR180: levelled here by v360, padded to the whole sphere)
    render.level          each eye levelled (OpenCV remap, v360's angles and meaning)
    render.privacy        faces searched on keyframes and at cuts (skipped where the cached
                          tracks have them), blurred in place, consent deciding who stays
    one ffmpeg process    raw frames in → split → per rendition MEDIA_STEPS (scale) → that
                          profile's encoder, beside the source's trimmed sound
                          (render.ffmpeg_commands.ladder_command); then V1 + V2 spatial metadata

The write_ stages are the bundle writer's (render.bundle_writer). The stages run the ffmpeg
commands render.ffmpeg_commands builds (MEDIA_STEPS among them) and keep what they make in the
content-keyed cache, render.cache.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from render import privacy  # lazy: OpenCV and the face model load when the pass runs
from render.bundle_writer import write_captions, write_hotspots, write_manifest, write_review, write_sphere_mesh
from render.cache import (PrivacyFiles, atomic_output, cached_media, cached_posters, cached_tracks, link_or_copy,
                          media_suffix, missing_media, remembered, sha256_file)
from render.chunks import SEARCH_SHARE, ChunkTask, chunk_folder, encode_chunk, join_rendition, plan_chunks, remove_chunks
from render.errors import OutputInvalid
from render.events import building_prefix
from render.executors import ChunkMap, chunk_map
from render.ffmpeg_commands import clip_level, ladder_command, photo_command, poster_command, prepare_filters
from render.plan import Rendition, ScenePlan, sphere_bounds
from zorgblik.bundle import MANIFEST, MEDIA, POSTER, REVIEW_SHEET, ROLE_OF, THUMBNAIL, media_name
from zorgblik.private import private_dir
from zorgblik.media.ffmpeg import still_command
from zorgblik.media.probe import ffprobe_json, probe
from zorgblik.media.spherical import inject_spherical, verify_spherical
from zorgblik.tools import run_tool, stream_tool

Progress = Callable[[str, float], None]


@dataclass
class BundleJob:
    plan: ScenePlan
    work_dir: Path  # the bundle folder being built; renamed into place when all stages ran
    cache_dir: Path
    progress: Progress | None = None
    files: list[dict] = field(default_factory=list)  # {"name", "role", "profile"?, "sha256"?} in work_dir
    renditions: list[dict] = field(default_factory=list)  # per profile: what the probe found (RenditionInfo less bytes)
    media_info: dict = field(default_factory=dict)
    encoded: int = 0  # renditions encoded in this build (the rest came from the cache)
    privacy: dict = field(default_factory=dict)  # the privacy pass's summary (render.privacy)
    privacy_pass_ran: bool = False  # False: no face search ran (a clip's tracks, a photo's picture came from the cache)
    done_share: float = 0.0  # share of the progress bar the privacy pass took
    _background: ThreadPoolExecutor | None = None
    _pending: list = field(default_factory=list)  # (future, then) from in_background

    @property
    def where(self) -> str:
        return f"scène {self.plan.scene_slug}"

    def report(self, fraction: float) -> None:
        if self.progress:
            fraction = self.done_share + (1.0 - self.done_share) * fraction
            self.progress(self.plan.scene_slug, min(1.0, max(0.0, fraction)))

    def add_file(self, name: str, role: str | None = None, **extra: str) -> None:
        """List ``name`` in the manifest (``role``: the one zorgblik.bundle gives its name, if not given)."""
        self.files.append({"name": name, "role": role or ROLE_OF[name], **extra})

    def media_files(self) -> list[dict]:
        return [f for f in self.files if f["role"] == MEDIA]

    def in_background(self, work: Callable[[], None], then: Callable[[], None]) -> None:
        """Run ``work`` (an ffmpeg run, say) beside the stages that follow, then ``then`` here at
        :meth:`settle`: the encoder rarely keeps every core busy."""
        if self._background is None:
            self._background = ThreadPoolExecutor(1, thread_name_prefix=f"bundle-{self.plan.scene_slug}")
        self._pending.append((self._background.submit(work), then))

    def settle(self, quiet: bool = False) -> None:
        """Wait for the background work; its first error is raised here (``quiet``: after another
        error, only wait)."""
        try:
            while self._pending:
                future, then = self._pending.pop(0)
                if quiet:
                    future.exception()
                    continue
                future.result()
                then()
        finally:
            if self._background is not None:
                self._background.shutdown(wait=True, cancel_futures=True)
                self._background = None
            self._pending.clear()


# privacy ---------------------------------------------------------------------------------------
#: A photo's intermediate: near-lossless, so its renditions lose next to nothing to it.
INTERMEDIATE_CRF, INTERMEDIATE_PRESET = 12, "veryfast"
#: Share of a photo scene's progress bar given to the privacy pass when it runs.
PRIVACY_SHARE = 0.5


def poster_seek(plan: ScenePlan) -> float | None:
    """The moment the poster shows: a second in, or halfway through a shorter scene."""
    duration = plan.duration_s or 0.0
    return min(1.0, duration / 2) if duration else None


def run_privacy_pass(job: BundleJob, files: PrivacyFiles) -> None:
    """A photo: level and blur the picture into the cache, with its review sheet and summary."""
    plan = job.plan
    options = {"keep": plan.privacy.keep, "regions": plan.privacy.regions, "stereo": plan.stereo,
               "detector": privacy.sphere_detector(plan.face_model)}
    filters = prepare_filters(plan)
    private_dir(files.picture.parent)
    with tempfile.TemporaryDirectory(dir=files.picture.parent, prefix=".pass-") as tmp_dir:
        tmp = Path(tmp_dir)
        picture = tmp / f"blurred{files.picture.suffix}"
        src = Path(plan.source_path)
        if filters:
            levelled = tmp / "levelled.png"
            run_tool(still_command(src, levelled, filters=filters, overwrite=True), where=job.where)
            src = levelled
        report = privacy.blur_image(src, picture, **options)
        _write_review(job, report, tmp, files)
        os.replace(picture, files.picture)
        atomic_output(files.summary, lambda out: out.write_text(json.dumps(report.summary(), ensure_ascii=False)))
    job.privacy_pass_ran = True


def _write_review(job: BundleJob, report, tmp: Path, files: PrivacyFiles) -> None:
    plan = job.plan
    report.source = Path(plan.source_path).name
    privacy.write_review_sheet(report, tmp / REVIEW_SHEET, scene=f"{plan.script_name}/{plan.scene_slug}")
    os.replace(tmp / REVIEW_SHEET, files.sheet)


def run_one_pass(job: BundleJob, files: PrivacyFiles, todo: list[Rendition], posters: dict[str, Path],
                 report: Callable[[float], None] | None = None) -> None:
    """A clip in one pass: decode once (trimmed and levelled at the reader), find faces on the
    frames the tracker searches (none where the cached tracks have them), blur in place and stream
    the frames into one ffmpeg process that encodes every rendition in ``todo`` at once; keep the
    frame at the poster's moment for the poster. Renditions, poster, review sheet, summary and
    tracks reach the cache whole or not at all. ``report``: where the fraction done goes (the
    scene's bar, unless the pass is a part of it)."""
    plan = job.plan
    tracks_file = cached_tracks(plan, job.cache_dir, privacy.detection(model=plan.face_model))
    known = privacy.FaceTracks.load(tracks_file)
    seek = poster_seek(plan)
    need_poster = not all(path.exists() for path in posters.values())
    private_dir(files.summary.parent)
    with tempfile.TemporaryDirectory(dir=job.cache_dir, prefix=".pass-") as tmp_dir:
        tmp = Path(tmp_dir)
        made = [tmp / f"{n}.{r.name}{media_suffix(plan)}" for n, r in enumerate(todo)]
        kept = tmp / "poster.yuv"
        shape: dict = {}

        @contextmanager
        def sink(info):
            shape["size"] = size = (info.width, info.height)
            keep_at = round((seek or 0.0) * float(info.fps))
            index = 0

            def each(write: Callable, frame) -> None:
                nonlocal index
                if need_poster and index in (0, keep_at):  # the first frame stands in for a short scene
                    frame.tofile(kept)
                write(frame)
                index += 1

            if not todo:
                yield lambda frame: each(lambda _: None, frame)
                return
            argv = ladder_command(plan, todo, made, size, info.fps)
            with stream_tool(argv, stdin=True, where=job.where) as proc:
                yield lambda frame: each(proc.stdin.write, frame)

        report = privacy.blur_video(Path(plan.source_path), None, keep=plan.privacy.keep, regions=plan.privacy.regions,
                                    stereo=plan.stereo, tracks=known, sink=sink, model=plan.face_model,
                                    cut=privacy.ClipCut(plan.in_s, plan.duration_s, prepare_filters(plan, level=False),
                                                        plan.intermediate_size, clip_level(plan)),
                                    progress=report or job.report)
        for path in made:
            inject_spherical(path, path, stereo=plan.stereo, bounds=sphere_bounds(plan))
        if need_poster:
            names = {name: tmp / name for name in (POSTER, THUMBNAIL)}
            run_tool(poster_command(plan, kept, seek, names[POSTER], names[THUMBNAIL], raw_size=shape["size"]),
                     where=job.where)
        _write_review(job, report, tmp, files)
        if report.searches or known is None:
            report.tracks.save(tracks_file)
        for rendition, path in zip(todo, made):
            final = cached_media(plan, rendition, job.cache_dir)
            private_dir(final.parent)
            os.replace(path, final)
        if need_poster:
            private_dir(posters[POSTER].parent)
            for name in (THUMBNAIL, POSTER):  # the poster last: its presence marks a finished pair
                os.replace(names[name], posters[name])
        atomic_output(files.summary, lambda out: out.write_text(json.dumps(report.summary(), ensure_ascii=False)))
    job.encoded += len(todo)
    job.privacy_pass_ran = report.searches > 0  # False: every box came from the cached tracks


def run_chunked(job: BundleJob, files: PrivacyFiles, todo: list[Rendition], posters: dict[str, Path],
                spread: ChunkMap) -> bool:
    """A clip on a Dask cluster (render.chunks): the face search first (the one pass with nothing
    to encode, when its tracks, review or poster are not cached), then the chunks of every missing
    rendition as tasks on any worker, then each rendition joined and checked into the cache.
    False, having done nothing: the scene is too short for two chunks (the one pass encodes it)."""
    plan = job.plan
    fps = probe(Path(plan.source_path)).frame_rate or Fraction(30)  # as the one pass's reader sees it
    pieces = plan_chunks(plan, fps, spread.chunk_s)
    if not pieces:
        return False
    share = 0.0
    tracks = cached_tracks(plan, job.cache_dir, privacy.detection(model=plan.face_model))
    if not tracks.exists() or not files.reviewed() or not all(path.exists() for path in posters.values()):
        share = SEARCH_SHARE
        run_one_pass(job, files, [], posters, report=lambda fraction: job.report(share * fraction))
    folder = chunk_folder(plan, todo, pieces, job.cache_dir)
    tasks = [ChunkTask(plan, job.cache_dir, piece, tuple(todo), folder) for piece in pieces]
    step = lambda count: job.report(share + (1 - share) * count / len(tasks))  # noqa: E731
    try:
        if spread.store:  # the chunk workers share no disk with this one: footage, tracks and chunks go through it
            from render.store import RenderStore, chunks_through_store

            done = chunks_through_store(RenderStore(spread.store), spread, tasks, tracks, job.cache_dir, step)
        else:
            done = spread.map(encode_chunk, tasks, step)
        frames = sum(d.frames for d in done)
        for n, rendition in enumerate(todo):
            join_rendition(plan, rendition, [d.files[n] for d in done], frames, fps,
                           cached_media(plan, rendition, job.cache_dir), job.cache_dir, job.where)
    except OutputInvalid:
        remove_chunks(folder)  # a chunk that joins wrong is not kept for the next build
        raise
    remove_chunks(folder)
    job.encoded += len(todo)
    return True


def privacy_pass(job: BundleJob) -> None:
    """The privacy pass, when its summary is not cached or a rendition to encode needs its picture
    (for a clip: the one pass that also encodes every missing rendition and the poster)."""
    plan = job.plan
    files = PrivacyFiles.of(plan, job.cache_dir)
    if plan.media_kind == "video":
        todo = [r for r in plan.renditions if not cached_media(plan, r, job.cache_dir).exists()]
        posters = cached_posters(plan, job.cache_dir, poster_seek(plan))
        if todo or not files.reviewed() or not all(path.exists() for path in posters.values()):
            spread = chunk_map()  # on a Dask cluster: the encode in chunks over its workers
            if not (todo and spread is not None and run_chunked(job, files, todo, posters, spread)):
                run_one_pass(job, files, todo, posters)
            job.done_share = 1.0
    elif not files.reviewed() or (missing_media(plan, job.cache_dir) and not files.picture.exists()):
        run_privacy_pass(job, files)
        job.done_share = PRIVACY_SHARE
    job.privacy = json.loads(files.summary.read_text(encoding="utf-8"))


# poster ----------------------------------------------------------------------------------------
def make_poster(job: BundleJob) -> None:
    """Poster and thumbnail, cached by the privacy key and the view (a caption edit runs no ffmpeg
    at all). A clip's come from its one pass; a photo's from its blurred intermediate, in the
    background while the ladder encodes; write_manifest waits for them."""
    plan = job.plan
    seek = poster_seek(plan)
    files = (POSTER, THUMBNAIL)
    cached = cached_posters(plan, job.cache_dir, seek)

    def make() -> None:
        private_dir(cached[POSTER].parent)
        with tempfile.TemporaryDirectory(dir=cached[POSTER].parent, prefix=".poster-") as tmp:
            made = {name: Path(tmp) / name for name in files}
            source = PrivacyFiles.of(plan, job.cache_dir).picture
            run_tool(poster_command(plan, source, seek, made[POSTER], made[THUMBNAIL]), where=job.where)
            for name in (THUMBNAIL, POSTER):  # the poster last: its presence marks a finished pair
                os.replace(made[name], cached[name])

    def place() -> None:
        for name in files:
            link_or_copy(cached[name], job.work_dir / name)

    for name in files:
        job.add_file(name)
    if all(path.exists() for path in cached.values()):
        place()
    else:
        job.in_background(make, then=place)


# encode ----------------------------------------------------------------------------------------
def encode_media(job: BundleJob) -> None:
    """Every rendition into the bundle: a clip's came from its one pass (or the cache); a photo's
    are encoded here from its blurred intermediate."""
    plan = job.plan
    of = len(plan.renditions)
    source = PrivacyFiles.of(plan, job.cache_dir).picture  # blurred: nothing else is ever encoded
    for done, rendition in enumerate(plan.renditions):
        cached = cached_media(plan, rendition, job.cache_dir)
        if not cached.exists():
            if plan.media_kind == "video":  # the one pass makes every one
                raise OutputInvalid("rendition ontbreekt na de privacy-pass; bouw de scène opnieuw",
                                    where=f"{job.where} ({rendition.name})")
            atomic_output(cached, lambda tmp, r=rendition: run_tool(photo_command(plan, r, source, tmp),
                                                                       where=job.where))
            job.encoded += 1
        name = media_name(rendition.name, media_suffix(plan))
        link_or_copy(cached, job.work_dir / name)
        job.add_file(name, MEDIA, profile=rendition.name,
                     sha256=remembered(cached, "sha256", job.cache_dir, lambda: sha256_file(cached)))
        job.report((done + 1) / of)


# check -----------------------------------------------------------------------------------------
def check_media(job: BundleJob) -> None:
    """Probe every rendition once, when it is encoded; the checked probe is remembered beside it."""
    plan = job.plan
    for rendition, entry in zip(plan.renditions, job.media_files()):
        cached = cached_media(plan, rendition, job.cache_dir)
        where = f"{job.where} ({rendition.name})"
        info = remembered(cached, "checked", job.cache_dir, lambda: _probe_and_check(plan, rendition, cached, where))
        video = next(s for s in info["streams"] if s.get("codec_type") == "video")
        size = (int(video["width"]), int(video["height"]))
        job.renditions.append({
            "profile": rendition.name,
            "file": entry["name"],
            "codec": video.get("codec_name"),
            "width": size[0],
            "height": size[1],
            "fps": plan.source_fps if plan.media_kind == "video" else None,
            "keyframe_s": rendition.profile.keyframe_s if plan.media_kind == "video" else None,
        })
        if not job.media_info:  # the primary rendition speaks for the bundle
            job.media_info = {
                "codec": video.get("codec_name"),
                "width": size[0],
                "height": size[1],
                "fps": plan.source_fps if plan.media_kind == "video" else None,
                "duration_s": float(info["format"]["duration"]) if plan.media_kind == "video" else None,
            }


def _probe_and_check(plan: ScenePlan, rendition: Rendition, path: Path, where: str) -> dict:
    info = ffprobe_json(path, where=where)
    video = next(s for s in info["streams"] if s.get("codec_type") == "video")
    size = (int(video["width"]), int(video["height"]))
    if size != (rendition.width, rendition.height):
        raise OutputInvalid(f"uitvoer is {size[0]}×{size[1]}, verwacht {rendition.width}×{rendition.height}", where=where)
    if plan.media_kind == "video":
        if video.get("codec_name") != rendition.profile.codec:
            raise OutputInvalid(f"uitvoer-codec is {video.get('codec_name')}, verwacht {rendition.profile.codec}",
                                where=where)
        verify_spherical(path, plan.stereo, probed=info, expected_bounds=sphere_bounds(plan))
    return info


STAGES: tuple[Callable[[BundleJob], None], ...] = (
    privacy_pass,
    make_poster,  # in the background, beside the encodes
    encode_media,
    check_media,
    write_review,
    write_captions,
    write_hotspots,
    write_sphere_mesh,
    write_manifest,
)


@dataclass(frozen=True)
class BundleResult:
    bundle_dir: Path
    encoded: int  # renditions encoded (0: every one came from the cache, or the bundle existed)
    privacy_pass_ran: bool = False  # False: no face search ran (a clip's tracks, a photo's picture came from the cache)


def build_bundle(plan: ScenePlan, bundles_dir: Path, cache_dir: Path, progress: Progress | None = None) -> BundleResult:
    """Run every stage for ``plan``; the bundle folder appears whole or not at all."""
    final = bundles_dir / plan.bundle_key()
    if (final / MANIFEST).exists():
        if progress:
            progress(plan.scene_slug, 1.0)
        return BundleResult(final, 0)
    private_dir(bundles_dir)
    work = Path(tempfile.mkdtemp(dir=bundles_dir, prefix=building_prefix()))  # the pid: see clear_abandoned_builds
    job = BundleJob(plan, work, cache_dir, progress)
    try:
        try:
            for stage in STAGES:
                stage(job)
        except BaseException:
            job.settle(quiet=True)  # no background run may write into a folder being removed
            raise
        try:
            os.replace(work, final)
        except OSError:
            if not (final / MANIFEST).exists():  # a half folder from an older crash
                shutil.rmtree(final, ignore_errors=True)
                os.replace(work, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BundleResult(final, job.encoded, job.privacy_pass_ran)
