"""The practice trainer's page (/scripts): their VR scripts with every lint problem at its line
and field, what is overdue or due soon per owner, building with progress, the privacy review
sheet and sign-off per scene version, and publishing.

A build runs as a job of the service (:mod:`headset_service.builds`); the progress page reads its
progress file and refreshes every second.

Publishing goes through :func:`catalog.queries.publish`, the same door as the CLI and the API:
its Dutch refusal (a withdrawn version, a missing privacy sign-off, a profile the school or the
practice has not approved) is shown as it is. The page shows the approvals of the profile as the
file reads now (looking withdraws those of an older profile) and the saves made from the form
(:mod:`headset_service.web.script_form`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.orm import Session as DbSession

from capture.level_estimate import describe as describe_level
from catalog import Catalog, approvals, queries, signoffs
from catalog.authoring import saves_of, scenes_of_script, version_counts
from catalog.errors import ApprovalRequired, CatalogError, SignoffRequired
from headset_service.builds import read_build, recent_builds, start_build
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, SettingsDep, UnitOfWorkRoute
from headset_service.web.rendering import PageUser, back, render
from render.build import footage_lookup
from scripts_vr import freshness, lint_files
from scripts_vr.digest import profile_sha256_of_text
from scripts_vr.errors import ScriptError
from scripts_vr.freshness import find_scripts
from scripts_vr.model import VRScript
from zorgblik.bundle import REVIEW_SHEET
from zorgblik.settings import Settings
from zorgblik.terms import APPROVAL_SIDES, BUILD_STATES, CARE_CATEGORIES, SCENE_BUILD_STATES, VERSION_STATUSES

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Author = PageUser("scripts.edit")


# scripts on disk -------------------------------------------------------------------------------

def script_files(settings: Settings) -> list[Path]:
    folder = settings.scripts_path
    return find_scripts([folder]) if folder.is_dir() else []


def script_file(settings: Settings, name: str) -> Path:
    """The script whose file name (without .yaml) is ``name``, or 404."""
    for path in script_files(settings):
        if path.stem == name:
            return path
    raise HTTPException(404, f"script {name} staat niet in de scriptmap")


def lint_view(settings: Settings, paths: list[Path], catalog: Catalog) -> list[dict]:
    """Per script: its name, file, problems (line, field, message; the footage checked against the
    catalog) or why it cannot be read."""
    views = []
    results = lint_files(paths, max_bytes=settings.max_script_bytes, footage=footage_lookup(catalog))
    for path, result in zip(paths, results):
        views.append({"name": path.stem, "file": path.name, "problems": result.problems,
                      "unreadable": result.unreadable.one_line() if result.unreadable else None,
                      "scenes": len(result.script.scenes) if result.script else 0,
                      "title": str(result.script.care_category) if result.script else "", "parsed": result.script})
    return views


def tilted_scenes(db: DbSession, script: VRScript | None) -> list[dict]:
    """The scenes whose footage (named by catalog number or sha256) has no pose in its metadata
    but a tilt capture read from the picture, and whose ``level`` leaves it to the footage (none,
    or ``auto``): the page offers to use the estimate. A scene with its own level is the author's
    choice and is not listed; a path reference is looked up only when the script is built."""
    found = []
    for index, scene in enumerate(script.scenes if script else []):
        if scene.level not in (None, "auto") or scene.footage.kind == "path":
            continue
        footage = queries.footage_by_ref(db, scene.footage.kind, scene.footage.value)
        if footage is None or footage.pose_pitch or footage.pose_roll or not footage.level_estimate:
            continue
        estimate = describe_level(footage.level_estimate)
        if not estimate or not estimate.startswith("scheef"):
            continue
        found.append({"index": index, "id": scene.id, "title": scene.title.nl, "footage": str(scene.footage),
                      "original_name": footage.original_name, "estimate": estimate, "auto": scene.level == "auto"})
    return found


# approvals ---------------------------------------------------------------------------------------

def profile_of(text: str) -> str | None:
    """The profile hash of a script text, or None while the text is not a valid script."""
    try:
        return profile_sha256_of_text(text)
    except ScriptError:
        return None


def notice_profile(db: DbSession, name: str, text: str, reason: str) -> str | None:
    """The script now reads ``text``: approvals of any other profile are withdrawn (all of them
    while the text is no valid script). Returns the profile hash, if any."""
    profile = profile_of(text)
    approvals.profile_seen(db, name, profile or "", reason=reason)
    return profile


def approval_view(db: DbSession, name: str, path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    profile = notice_profile(db, name, text, reason="het profiel in het scriptbestand is gewijzigd")
    standing = approvals.current(db, name, profile) if profile else dict.fromkeys(APPROVAL_SIDES)
    return {"profile": profile, "current": standing, "history": approvals.history(db, name), "sides": APPROVAL_SIDES,
            "missing": [s for s, a in standing.items() if a is None]}


# pages -----------------------------------------------------------------------------------------

@router.get("/scripts")
def scripts_page(request: Request, db: DbDep, settings: SettingsDep, user: Author):
    paths = script_files(settings)
    report = freshness(paths, today=date.today(), days=settings.freshness_days,
                       max_bytes=settings.max_script_bytes) if paths else None
    return render(request, "scripts.html", user, {
        "scripts": lint_view(settings, paths, request.app.state.catalog), "report": report, "folder": settings.scripts_path,
        "counts": version_counts(db), "categories": CARE_CATEGORIES})


@router.get("/scripts/{name}")
def script_page(request: Request, name: str, db: DbDep, settings: SettingsDep, user: Author):
    path = script_file(settings, name)
    [view] = lint_view(settings, [path], request.app.state.catalog)
    scenes = []
    for scene, versions in scenes_of_script(db, name):
        rows = []
        for version in versions[:3]:
            sheet = (settings.bundles_dir / version.bundle_key / REVIEW_SHEET).is_file()
            rows.append({"v": version, "reasons": signoffs.signoff_reasons(version),
                         "signoff": signoffs.signoff_for(db, version), "sheet": sheet})
        scenes.append({"scene": scene, "versions": rows})
    text = path.read_text(encoding="utf-8", errors="replace")
    return render(request, "script.html", user, {
        "script": view, "scenes": scenes, "tilted": tilted_scenes(db, view["parsed"]),
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "builds": recent_builds(settings, name), "status_dutch": VERSION_STATUSES,
        "build_state": BUILD_STATES, "source_lines": text.splitlines()
        if view["problems"] else [], "approval": approval_view(db, name, path), "saves": saves_of(db, name)})


@router.post("/scripts/{name}/bouwen")
def build_form(request: Request, name: str, settings: SettingsDep, user: Author, _csrf: CsrfChecked):
    path = script_file(settings, name)
    [view] = lint_view(settings, [path], request.app.state.catalog)
    if view["unreadable"] or view["problems"]:
        return back(f"/scripts/{name}", fout="Los eerst de fouten in het script op; dan kan het gebouwd worden.")
    build_id = start_build(path, settings, request.app.state.catalog)
    return back(f"/scripts/bouw/{build_id}")


@router.get("/scripts/bouw/{build_id}")
def build_page(request: Request, build_id: str, settings: SettingsDep, user: Author):
    build = read_build(settings, build_id)
    if build is None:
        raise HTTPException(404, f"bouw {build_id} is niet bekend")
    name = build_id.rsplit("-", 3)[0]
    return render(request, "build.html", user, {
        "build": build, "name": name, "state": BUILD_STATES, "scene_state": SCENE_BUILD_STATES})


@router.post("/scripts/scene/{bundle_key}/aftekenen")
def signoff_form(bundle_key: str, db: DbDep, user: PageUser("scenes.signoff"), _csrf: CsrfChecked):
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    name = version.scene.script.name
    try:
        signoffs.sign_off(db, version, by=user.display_name or user.username, user=user)
    except CatalogError as error:
        return back(f"/scripts/{name}", fout=error.message)
    return back(f"/scripts/{name}", melding=f"Afgetekend: {signoffs.scene_ref(version)}.")


@router.post("/scripts/scene/{bundle_key}/publiceren")
def publish_form(bundle_key: str, db: DbDep, user: PageUser("scenes.publish"), _csrf: CsrfChecked):
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    name = version.scene.script.name
    try:
        queries.publish(db, version)
    except SignoffRequired as refusal:
        return back(f"/scripts/{name}", fout=f"{refusal.message}. Bekijk het reviewblad bij de scène en teken af; "
                                             "publiceer daarna opnieuw.")
    except ApprovalRequired as refusal:
        return back(f"/scripts/{name}", fout=f"{refusal.message}. Laat het profiel goedkeuren (Goedkeuring hieronder); "
                                             "publiceer daarna opnieuw.")
    except CatalogError as error:
        return back(f"/scripts/{name}", fout=error.message)
    return back(f"/scripts/{name}", melding=f"Gepubliceerd: {version.title} (versie {version.number}). "
                                            "Headsets krijgen hem bij hun volgende synchronisatie.")
