"""The catalog: one database of footage, scripts, scene versions, sessions and events.

    with Catalog(settings.catalog_url) as catalog:
        with catalog.session() as db:
            queries.list_footage(db)
"""

from catalog import accounts, authoring, fleet, outcomes, queries, signoffs
from catalog.db import Catalog, current_revision, head_revision, migrate
from catalog.errors import CatalogError, Conflict, NotFound, SignoffRequired
from catalog.models import (Event, Footage, Headset, HeadsetCommand, HeadsetGroup, Playlist, PrivacySignoff, Scene,
                            SceneVersion, Script, ScriptVersion, Session, StaffUser)

__all__ = [
    "Catalog", "CatalogError", "Conflict", "Event", "Footage", "Headset", "HeadsetCommand", "HeadsetGroup", "NotFound", "Playlist",
    "PrivacySignoff", "Scene", "SceneVersion", "Script", "ScriptVersion", "Session", "SignoffRequired", "StaffUser", "accounts", "authoring", "current_revision", "fleet", "outcomes",
    "head_revision", "migrate", "queries", "signoffs",
]
