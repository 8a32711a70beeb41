"""The app factory: nothing is opened at import; ``create_app(settings)`` builds a service."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from catalog import Catalog
from headset_service.errors import install_error_handlers
from headset_service.live import Live
from headset_service.routes import accounts, device, headsets, pages, player, playlists, scenes, sessions, uploads
from headset_service.routes import admin_pages, admin_staff_pages, author_pages, effect_pages, reports, staff_footage, staff_sessions
from headset_service.webpages import install_page_handlers
from headset_service.routes.admin_pages import retention_daily
from zorgblik import __version__
from zorgblik.settings import Settings


def create_app(settings: Settings, catalog: Catalog | None = None) -> FastAPI:
    """A service over ``settings``' data folder; pass ``catalog`` to share one already open."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = catalog is None
        app.state.catalog = catalog or Catalog(settings.catalog_url)
        janitor = asyncio.create_task(retention_daily(app.state.catalog, settings.retention_months))
        try:
            yield
        finally:
            janitor.cancel()
            if owned:
                app.state.catalog.close()

    app = FastAPI(title="zorgblik", version=__version__, lifespan=lifespan,
                  description="Lokale headsetservice: medewerkers, headsets koppelen, synchroniseren, sessies, events.")
    app.state.settings = settings
    app.state.live = Live()
    if catalog is not None:
        app.state.catalog = catalog
    install_error_handlers(app)
    install_page_handlers(app)
    app.include_router(accounts.router)
    app.include_router(scenes.router)
    app.include_router(playlists.router)
    app.include_router(headsets.router)
    app.include_router(device.router)
    app.include_router(sessions.router)
    app.include_router(uploads.router)
    app.include_router(pages.router)
    app.include_router(player.router)
    app.include_router(staff_sessions.router)
    app.include_router(staff_footage.router)
    app.include_router(reports.router)
    app.include_router(admin_pages.router)
    app.include_router(admin_staff_pages.router)
    app.include_router(author_pages.router)
    app.include_router(effect_pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/api/health", tags=["service"])
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    return app
