"""The catalog: one database of footage, scripts, scene versions, sessions and events.

    with Catalog(settings.catalog_url) as catalog:
        with catalog.session() as db:
            queries.list_footage(db)
"""

from catalog import queries
from catalog.db import Catalog, current_revision, head_revision, migrate
from catalog.errors import CatalogError, NotFound
from catalog.models import Event, Footage, Scene, SceneVersion, Script, ScriptVersion, Session

__all__ = [
    "Catalog", "CatalogError", "Event", "Footage", "NotFound", "Scene", "SceneVersion", "Script",
    "ScriptVersion", "Session", "current_revision", "head_revision", "migrate", "queries",
]
