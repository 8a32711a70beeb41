"""Staff pages and the player page, server-rendered, in Dutch."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from catalog import queries
from headset_service.deps import DbDep
from headset_service.routes.scenes import scene_public

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "pages")

CONTEXT_NAMES = {"intake": "Intake", "sollicitatie": "Sollicitatie", "werkveldorientatie": "Werkveldoriëntatie"}


@router.get("/", response_class=HTMLResponse)
def staff_home(request: Request, db: DbDep) -> HTMLResponse:
    scenes = [scene_public(v) for v in queries.published_scene_versions(db)]
    by_script: dict[str, list] = {}
    for scene in scenes:
        by_script.setdefault(scene.script, []).append(scene)
    return templates.TemplateResponse(request, "staff.html", {"by_script": by_script, "context_names": CONTEXT_NAMES})


@router.get("/speler/{bundle_key}", response_class=HTMLResponse)
def player(request: Request, bundle_key: str, db: DbDep) -> HTMLResponse:
    version = queries.scene_version_by_bundle_key(db, bundle_key)
    if version.status != "published":
        raise HTTPException(404, f"scène {bundle_key} is niet gepubliceerd")
    return templates.TemplateResponse(request, "player.html", {"scene": scene_public(version), "manifest": version.manifest})
