"""The bundle folder's files beside the media: the review sheet and privacy summary for staff,
captions, hotspots, the viewing sphere and, last, manifest.json through zorgblik.bundle's model.
Each writer is a stage of the :class:`~render.stages.BundleJob`; render.stages lists them in the
order they run."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING

from render.cache import PrivacyFiles, atomic_output, link_or_copy, sha256_file
from render.mesh import MESH_VERSION, grounded_sphere_mesh, half_sphere_mesh, sphere_mesh
from zorgblik.bundle import (FORMAT, HOTSPOTS, MESH, REVIEW_SHEET, Audience, BundleFile, BundleManifest, Level,
                             PrivacyCounts, PrivacySummary, RenditionInfo, SceneMesh, View, captions_name, captions_role)

if TYPE_CHECKING:  # render.stages imports these writers: BundleJob is named here for type hints only
    from render.stages import BundleJob


def privacy_counts(job: BundleJob) -> PrivacyCounts:
    """What the manifest says about the privacy pass: counts only (the manifest goes to headsets;
    who was kept or blurred stays in privacy.json, for staff)."""
    summary, plan = job.privacy, job.plan
    return PrivacyCounts(
        blurred_faces=summary["blurred_faces"],
        kept_faces=summary["kept_faces"],
        regions=summary["regions"],
        consent_state=plan.privacy.consent_state,
        needs_signoff=bool(summary["needs_signoff"] or plan.privacy.consent_state != "ok"),
    )


def write_review(job: BundleJob) -> None:
    """The review sheet and the full privacy summary (with the notes on who was blurred after all)."""
    files = PrivacyFiles.of(job.plan, job.cache_dir)
    link_or_copy(files.sheet, job.work_dir / REVIEW_SHEET)
    PrivacySummary(**privacy_counts(job).model_dump(), scene=f"{job.plan.script_name}/{job.plan.scene_slug}",
                   notes=list(job.plan.privacy.notes), privacy_pass=job.privacy).write(job.work_dir)


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def write_captions(job: BundleJob) -> None:
    languages = sorted({lang for c in job.plan.captions for lang in c.text})
    for lang in languages:
        cues = [c for c in job.plan.captions if lang in c.text]
        lines = ["WEBVTT", ""]
        for n, cue in enumerate(cues, 1):
            lines += [str(n), f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", cue.text[lang].strip(), ""]
        name = captions_name(lang)
        (job.work_dir / name).write_text("\n".join(lines), encoding="utf-8")
        job.add_file(name, captions_role(lang))


def write_hotspots(job: BundleJob) -> None:
    data = [
        {"id": h.id, "kind": h.kind, "yaw": h.yaw, "pitch": h.pitch, "start": h.start, "end": h.end, "label": h.label, "text": h.text}
        for h in job.plan.hotspots
    ]
    (job.work_dir / HOTSPOTS).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    job.add_file(HOTSPOTS)


def write_sphere_mesh(job: BundleJob) -> None:
    """The viewing sphere for players that draw a mesh (the pyopenxr station, the WebXR player for
    VR180 and grounded scenes): the whole sphere, for VR180 the front half sphere
    (:func:`render.mesh.half_sphere`), or for a scene with a camera height the sphere with a flat
    floor at that height (:func:`render.mesh.grounded_sphere`). It is the same for every scene of
    its kind and height (stereo players take one half of the UV range per eye, as the manifest's
    ``stereo`` says), so it is made once, cached, and hard-linked into each bundle."""
    plan = job.plan
    if plan.grounded:
        height = plan.camera_height
        folder, make = f"grounded-{height!r}", functools.partial(grounded_sphere_mesh, camera_height=height)
    elif plan.vr180:
        folder, make = "half", half_sphere_mesh
    else:
        folder, make = "", sphere_mesh
    cached = job.cache_dir / "mesh" / f"v{MESH_VERSION}" / folder / MESH
    if not cached.exists():
        atomic_output(cached, make)
    link_or_copy(cached, job.work_dir / MESH)
    job.add_file(MESH)


def write_manifest(job: BundleJob) -> None:
    job.settle()  # every file in place before it is listed
    plan = job.plan
    files = []
    for entry in job.files:
        path = job.work_dir / entry["name"]
        sha256 = entry.get("sha256") or sha256_file(path)  # media carry theirs (remembered): not read again
        files.append(BundleFile(**{**entry, "bytes": path.stat().st_size, "sha256": sha256}))
    renditions = [RenditionInfo(**r, bytes=(job.work_dir / r["file"]).stat().st_size) for r in job.renditions]
    BundleManifest(
        format=FORMAT,
        bundle_key=plan.bundle_key(),
        script=plan.script_name,
        script_sha256=plan.script_sha256,
        scene=plan.scene_slug,
        title=plan.title,
        media_kind=plan.media_kind,
        projection=plan.projection,
        mesh=SceneMesh(camera_height=plan.camera_height) if plan.grounded else None,
        stereo=plan.stereo,
        profile=plan.primary.name,
        profiles=[r.name for r in plan.renditions],
        renditions=renditions,
        view=View(yaw=plan.view[0], pitch=plan.view[1]),
        level=Level(yaw=plan.level[0], pitch=plan.level[1], roll=plan.level[2]),
        contexts=list(plan.contexts),
        audience=Audience(routes=list(plan.audience_routes), levels=list(plan.audience_levels)),
        prompts=list(plan.prompts),
        source_footage=[plan.source_sha256],
        privacy=privacy_counts(job),
        **job.media_info,
        files=files,
    ).write(job.work_dir)
