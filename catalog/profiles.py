"""Where a learning-workplace profile comes from in the catalog: the exact script text of a build.

A scene version keeps the id of the script version it was built from; the profile a headset and
the team profile page show is the one of the newest build that has a published scene, so that
what the student reads matches the scenes they see.

    profile_sources(db, versions) -> {script name: ScriptVersion}
    published_profile_source(db, "de-linde-ouderenzorg") -> ScriptVersion | None
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.models import Scene, SceneVersion, Script, ScriptVersion


def profile_sources(db: DbSession, versions: Iterable[SceneVersion]) -> dict[str, ScriptVersion]:
    """Per script of ``versions``, the newest script version any of them was built from."""
    newest: dict[int, int] = {}
    for version in versions:
        sid = version.scene.script_id
        newest[sid] = max(newest.get(sid, 0), version.script_version_id)
    if not newest:
        return {}
    rows = db.scalars(select(ScriptVersion).where(ScriptVersion.id.in_(newest.values())))
    return {row.script.name: row for row in rows}


def published_profile_source(db: DbSession, name: str) -> ScriptVersion | None:
    """The script version of the newest published scene version of script ``name``; None when
    nothing of it is published."""
    stmt = (select(ScriptVersion).join(SceneVersion, SceneVersion.script_version_id == ScriptVersion.id)
            .join(Scene, Scene.id == SceneVersion.scene_id).join(Script, Script.id == Scene.script_id)
            .where(Script.name == name, SceneVersion.status == "published")
            .order_by(ScriptVersion.id.desc()).limit(1))
    return db.scalar(stmt)


def published_scene_slugs(db: DbSession, name: str) -> set[str]:
    """The slugs of the scenes of script ``name`` that have a published version."""
    stmt = (select(Scene.slug).join(SceneVersion, SceneVersion.scene_id == Scene.id)
            .join(Script, Script.id == Scene.script_id)
            .where(Script.name == name, SceneVersion.status == "published"))
    return set(db.scalars(stmt))


__all__ = ["profile_sources", "published_profile_source", "published_scene_slugs"]
