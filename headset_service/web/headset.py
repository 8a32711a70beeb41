"""The headset player's pages: ``/headset`` (pair, sync, wait for the begeleider, play) and its
service worker. Both are public, like /static: the page holds no data, and everything it asks
the service for afterwards needs the device token it gets by pairing.

The service worker is served from ``/headset/sw.js`` with ``Service-Worker-Allowed: /``, so it
may take scope ``/``: it must see ``/bundles/…`` to answer from Cache Storage when the Wi-Fi drops.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from headset_service.web.rendering import templates
from headset_service.deps import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
PLAYER_DIR = Path(__file__).parent.parent / "static" / "player"


@router.get("/headset", response_class=HTMLResponse)
def headset_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "headset.html", {}, headers={"Cache-Control": "no-cache"})


@router.get("/headset/sw.js")
def service_worker() -> FileResponse:
    return FileResponse(PLAYER_DIR / "sw.js", media_type="text/javascript",
                        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})
