"""Published scenes and their bundle files (served with HTTP Range, so a cut download resumes)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from catalog import SceneVersion, queries
from headset_service.deps import DbDep, SettingsDep
from headset_service.schemas import ScenePublic

router = APIRouter()


def scene_public(version: SceneVersion) -> ScenePublic:
    m = version.manifest
    key = version.bundle_key
    return ScenePublic(
        bundle_key=key,
        script=version.scene.script.name,
        scene=version.scene.key,
        version=version.number,
        title=m["title"],
        media_kind=m["media_kind"],
        stereo=m["stereo"],
        profile=m["profile"],
        duration_s=m.get("duration_s"),
        contexts=m.get("contexts", []),
        manifest_url=f"/bundles/{key}/manifest.json",
        poster_url=f"/bundles/{key}/poster.jpg",
        player_url=f"/speler/{key}",
    )


@router.get("/api/scenes", response_model=list[ScenePublic], tags=["scenes"])
def list_scenes(db: DbDep) -> list[ScenePublic]:
    """Every published scene, by script and position."""
    return [scene_public(v) for v in queries.published_scene_versions(db)]


@router.get("/bundles/{bundle_key}/{name}", tags=["scenes"])
def bundle_file(bundle_key: str, name: str, db: DbDep, settings: SettingsDep) -> FileResponse:
    """A file of a published scene bundle. Supports Range requests and ETags."""
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    if version.status != "published":
        raise HTTPException(404, f"scène {bundle_key} is niet gepubliceerd")
    listed = {f["name"] for f in version.manifest["files"]} | {"manifest.json"}
    if name not in listed:
        raise HTTPException(404, f"bestand {name} hoort niet bij scène {bundle_key}")
    path: Path = settings.bundles_dir / bundle_key / name
    if not path.is_file():
        raise HTTPException(404, f"bestand {name} van scène {bundle_key} ontbreekt op de server")
    return FileResponse(path)
