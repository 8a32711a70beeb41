"""Published scenes and their bundle files (served with HTTP Range, so a cut download resumes).

A headset gets a bundle's files only when the scene is in one of its playlists, and of the
media only the rendition for its profile; staff get every file of a published scene. The privacy
review sheet and summary (review.png, privacy.json) lie in the bundle folder but are not in its
manifest's file list, so /bundles/ serves them to nobody: staff fetch them from
``/api/scenes/{key}/review-sheet`` and ``/privacy``, for drafts too (that is when they are read),
and only comms, authors and admin (``privacy.read``): they name people who refused consent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import FileResponse

from catalog import SceneVersion, StaffUser, fleet, queries, signoffs
from headset_service.auth import Caller, require, staff_or_device
from headset_service.deps import DbDep, SettingsDep, UnitOfWorkRoute
from headset_service.nginx import accel_redirect
from headset_service.schemas import ScenePublic, SignoffPublic
from headset_service.sync import allowed_files
from zorgblik.bundle import MANIFEST, POSTER, PRIVACY_SUMMARY, REVIEW_SHEET, read_privacy_summary

router = APIRouter(route_class=UnitOfWorkRoute)

Reader = Annotated[StaffUser, Depends(require("scenes.read"))]
Publisher = Annotated[StaffUser, Depends(require("scenes.publish"))]
Withdrawer = Annotated[StaffUser, Depends(require("scenes.withdraw"))]
Signer = Annotated[StaffUser, Depends(require("scenes.signoff"))]
PrivacyReader = Annotated[StaffUser, Depends(require("privacy.read"))]

ReaderOrHeadset = Annotated[Caller, Depends(staff_or_device("scenes.read"))]


class BundleFileResponse(FileResponse):
    """Reads 128 KiB at a time (Starlette's default is 64 KiB). Larger chunks move more bytes per
    event-loop turn but make every other request wait longer for its turn: with 20 headsets
    downloading on 2 cores, 1 MiB chunks gave 935 MB/s and a staff call p99 of 384 ms, 128 KiB
    gave 299 MB/s (still far above a classroom's Wi-Fi) and p99 89 ms (bench/README.md)."""

    chunk_size = 128 << 10


def scene_public(version: SceneVersion) -> ScenePublic:
    m = version.manifest
    key = version.bundle_key
    return ScenePublic(
        bundle_key=key,
        script=version.scene.script.name,
        scene=version.scene.slug,
        version=version.number,
        title=m.title,
        media_kind=m.media_kind,
        stereo=m.stereo,
        projection=m.projection,
        profile=m.profile,
        duration_s=m.duration_s,
        contexts=m.contexts,
        manifest_url=f"/bundles/{key}/{MANIFEST}",
        poster_url=f"/bundles/{key}/{POSTER}",
        player_url=f"/speler/{key}",
    )


@router.get("/api/scenes", response_model=list[ScenePublic], tags=["scenes"])
def list_scenes(db: DbDep, _user: Reader) -> list[ScenePublic]:
    """Every published scene, by script and position."""
    return [scene_public(v) for v in queries.published_scene_versions(db)]


@router.post("/api/scenes/{bundle_key}/publish", response_model=ScenePublic, tags=["scenes"])
def publish_scene(bundle_key: str, db: DbDep, _user: Publisher) -> ScenePublic:
    """Publish this version; the scene's previous published version steps back to draft. A
    version that shows someone without consent needs a privacy sign-off first (409 otherwise)."""
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    queries.publish(db, version)
    return scene_public(version)


@router.post("/api/scenes/{bundle_key}/signoff", response_model=SignoffPublic, tags=["scenes"])
def sign_off_scene(bundle_key: str, db: DbDep, user: Signer) -> SignoffPublic:
    """Record that the signed-in member of staff looked at this version's review sheet and agrees
    it may be published."""
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    done = signoffs.sign_off(db, version, by=user.display_name or user.username, user=user)
    return SignoffPublic(bundle_key=bundle_key, scene=signoffs.scene_ref(version), signed_by=done.signed_by,
                         signed_at=done.signed_at, reasons=list(done.reasons))


def _review_file(settings, bundle_key: str, name: str, db) -> Path:
    queries.scene_version_by_bundle_key(db, bundle_key)  # 404 for an unknown key
    path: Path = settings.bundles_dir / bundle_key / name
    if not path.is_file():
        raise HTTPException(404, f"scène {bundle_key} heeft geen {name} (gebouwd vóór de privacycontrole)")
    return path


@router.get("/api/scenes/{bundle_key}/review-sheet", tags=["scenes"], response_class=FileResponse)
def review_sheet(bundle_key: str, db: DbDep, settings: SettingsDep, _user: PrivacyReader) -> FileResponse:
    """The privacy review sheet (PNG) of this version: every blurred face, kept face and region."""
    return FileResponse(_review_file(settings, bundle_key, REVIEW_SHEET, db), media_type="image/png",
                        headers={"Cache-Control": "private, no-store"})


@router.get("/api/scenes/{bundle_key}/privacy", tags=["scenes"])
def privacy_summary(bundle_key: str, db: DbDep, settings: SettingsDep, _user: PrivacyReader) -> dict:
    """What the privacy pass did (counts, notes on who was blurred after all, every item) and
    whether publishing waits for a sign-off, with the sign-off if there is one."""
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    path = _review_file(settings, bundle_key, PRIVACY_SUMMARY, db)
    summary = read_privacy_summary(path).model_dump(mode="json", by_alias=True)
    done = signoffs.signoff_for(db, version)
    summary["signoff_reasons"] = signoffs.signoff_reasons(version)
    summary["signoff"] = None if done is None else {"signed_by": done.signed_by, "signed_at": done.signed_at.isoformat()}
    return summary


@router.post("/api/scenes/{bundle_key}/withdraw", response_model=ScenePublic, tags=["scenes"])
def withdraw_scene(bundle_key: str, db: DbDep, _user: Withdrawer) -> ScenePublic:
    """Withdraw this version (e.g. consent withdrawn): headsets delete it at their next sync."""
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    queries.withdraw(db, version)
    return scene_public(version)


def visible_version(db, bundle_key: str, caller: Caller) -> SceneVersion:
    """The scene version ``caller`` may see, or 404 (a headset does not learn what other playlists hold)."""
    if caller.headset is not None:
        version = fleet.allowed_version(db, caller.headset, bundle_key)
        if version is None:
            raise HTTPException(404, f"scène {bundle_key} hoort niet bij de afspeellijsten van deze headset")
        return version
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    if version.status != "published":
        raise HTTPException(404, f"scène {bundle_key} is niet gepubliceerd")
    return version


@router.get("/bundles/{bundle_key}/{name}", tags=["scenes"])
def bundle_file(bundle_key: str, name: str, db: DbDep, settings: SettingsDep, caller: ReaderOrHeadset) -> Response:
    """A file of a scene bundle. Supports Range requests and ETags."""
    version = visible_version(db, bundle_key, caller)
    if caller.headset is not None:
        listed = allowed_files(version, caller.headset.profile)
    else:
        listed = {f.name for f in version.manifest.files} | {MANIFEST}
    if name not in listed:
        raise HTTPException(404, f"bestand {name} hoort niet bij scène {bundle_key}")
    path: Path = settings.bundles_dir / bundle_key / name
    if not path.is_file():
        raise HTTPException(404, f"bestand {name} van scène {bundle_key} ontbreekt op de server")
    if settings.file_sender == "nginx":  # nginx sends the bytes (Range, sendfile); see headset_service.nginx
        return Response(headers={"X-Accel-Redirect": accel_redirect(bundle_key, name)})
    return BundleFileResponse(path)
