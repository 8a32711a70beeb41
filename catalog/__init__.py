"""The catalog: one database of footage, scripts, scene versions, sessions and events.

    with Catalog(settings.catalog_url) as catalog:
        with catalog.session() as db:
            queries.list_footage(db)
"""

import lazy_loader as _lazy

# Names load from their module on first use, so a command imports only what it runs
# (Alembic only when a database needs migrating, Argon2 only for accounts).
__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=["accounts", "approvals", "authoring", "event_log", "fleet", "outcomes", "passwords", "playlists", "presence", "queries", "reports",
                "retention", "runs", "session_control", "signoffs", "throttle"],
    submod_attrs={
        "db": ["Catalog", "current_revision", "head_revision", "migrate"],
        "errors": ["ApprovalRequired", "CatalogError", "Conflict", "Misfit", "NotFound", "SignoffRequired"],
        "models": [
            "Event", "Footage", "Headset", "HeadsetCommand", "HeadsetGroup", "Playlist", "PrivacySignoff",
            "Scene", "SceneVersion", "Script", "ScriptApproval", "ScriptSave", "ScriptVersion", "Session", "StaffUser"
        ],
    },
)
