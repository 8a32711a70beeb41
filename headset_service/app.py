"""The app factory: nothing is opened at import; ``create_app(settings)`` builds a service."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from capture.store import FootageStore
from catalog import Catalog
from headset_service.api import accounts, device, headsets, playlists, scenes, sessions, uploads
from headset_service.classroom import Classroom
from headset_service.errors import install_error_handlers
from headset_service.headers import SecurityHeaders
from headset_service.limits import BodyLimit
from headset_service.live import Live
from headset_service.nginx import check_file_sender
from headset_service.schemas import MAX_BATCH_DATA_BYTES
from headset_service.watchdog import session_watchdog, upload_janitor
from headset_service.web import admin, admin_staff, effect, footage, headset, home, reports, team_profile
from headset_service.web import classroom as class_pages
from headset_service.web import playlists as playlist_pages
from headset_service.web import script_form
from headset_service.web import scripts as script_pages
from headset_service.web import sessions as session_pages
from headset_service.web.admin import retention_daily
from headset_service.web.rendering import install_page_handlers
from zorgblik import __version__
from render.events import clear_abandoned_builds
from zorgblik.settings import Settings

log = logging.getLogger(__name__)


#: The API for staff and headsets, then the pages people see.
ROUTERS = (
    accounts, scenes, playlists, headsets, device, sessions, uploads,
    home, headset, session_pages, playlist_pages, class_pages, footage, reports, admin, admin_staff, script_pages,
    script_form, effect, team_profile,
)

#: A JSON body or a form: far more than any of them needs, far less than memory allows.
DEFAULT_BODY_BYTES = 1_000_000


def body_limits(settings: Settings) -> list[tuple[str, str, int | None]]:
    """The routes that need more than :data:`DEFAULT_BODY_BYTES` (or keep a limit of their own)."""
    script_form = 3 * settings.max_script_bytes + DEFAULT_BODY_BYTES  # a whole script, percent-encoded (%XX)
    return [
        ("PATCH", r"/api/uploads/[^/]+", None),  # tus chunks stream to disk; UploadStore checks Upload-Length
        ("POST", r"/api/sessions/[^/]+/events", 2 * MAX_BATCH_DATA_BYTES),  # 1 MB of event data and the events around it
        ("POST", r"/scripts/nieuw", script_form),
        ("POST", r"/scripts/[^/]+/(bewerken|goedkeuren)", script_form),
        ("POST", r"/effect/import", effect.MAX_CSV_BYTES + DEFAULT_BODY_BYTES),  # the CSV, as multipart
    ]


def _clear_abandoned(settings: Settings, started: float) -> None:
    """A build killed with the service (kill -9) left a half bundle and a page saying "bezig" for
    ever; a copy into the footage store killed half-way left a partial copy of unblurred footage."""
    try:
        removed, failed = clear_abandoned_builds(settings.bundles_dir, settings.builds_dir, started)
        copies = FootageStore(settings.store_dir).clear_abandoned()
    except OSError:
        log.warning("clearing what a killed process left failed", exc_info=True)
        return
    if removed or failed or copies:
        log.info("na herstart: %d halve bundels verwijderd, %d builds afgebroken, %d halve kopieën van opnames verwijderd",
                 len(removed), len(failed), len(copies))


def create_app(settings: Settings, catalog: Catalog | None = None) -> FastAPI:
    """A service over ``settings``' data folder; pass ``catalog`` to share one already open."""
    check_file_sender(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = catalog is None
        _clear_abandoned(settings, started=time.time())
        app.state.catalog = catalog or Catalog(settings.catalog_url)
        janitor = asyncio.create_task(retention_daily(app.state.catalog, settings.retention_months))
        watchdog = asyncio.create_task(session_watchdog(app.state.catalog, app.state.live, settings.session_grace_minutes))
        sweeper = asyncio.create_task(upload_janitor(uploads.get_uploads(settings), app.state.catalog,
                                                     FootageStore(settings.store_dir),
                                                     timedelta(hours=settings.upload_expire_hours)))
        try:
            yield
        finally:
            janitor.cancel()
            watchdog.cancel()
            sweeper.cancel()
            if owned:
                app.state.catalog.close()

    app = FastAPI(title="zorgblik", version=__version__, lifespan=lifespan,
                  description="Lokale headsetservice: medewerkers, headsets koppelen, synchroniseren, sessies, events.")
    app.state.settings = settings
    app.state.live = Live()
    app.state.classroom = Classroom(app.state.live)
    if catalog is not None:
        app.state.catalog = catalog
    install_error_handlers(app)
    install_page_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_middleware(BodyLimit, default=DEFAULT_BODY_BYTES, routes=body_limits(settings))
    app.add_middleware(SecurityHeaders, no_csp=frozenset(
        {"/headset", app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}))

    @app.get("/api/health", tags=["service"])
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    return app
