"""What an author sees of their own scripts in the catalog: the scenes of a script with every
version (newest first), so the author page can show what is draft, published or withdrawn.

    scenes_of_script(db, "de-linde-ouderenzorg") -> [(Scene, [SceneVersion, ...]), ...]
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession, selectinload

from catalog.models import Scene, SceneVersion, Script


def scenes_of_script(db: DbSession, name: str) -> list[tuple[Scene, list[SceneVersion]]]:
    """The scenes of the script called ``name`` in script order, each with its versions newest
    first; [] for a script that was never built."""
    script = db.scalar(select(Script).where(Script.name == name)
                       .options(selectinload(Script.scenes).selectinload(Scene.versions)))
    if script is None:
        return []
    return [(scene, sorted(scene.versions, key=lambda v: v.number, reverse=True)) for scene in script.scenes]


def version_counts(db: DbSession) -> dict[str, dict[str, int]]:
    """Per script name, how many scene versions are draft / published / withdrawn."""
    counts: dict[str, dict[str, int]] = {}
    rows = db.execute(select(Script.name, SceneVersion.status).join(Scene, Scene.script_id == Script.id)
                      .join(SceneVersion, SceneVersion.scene_id == Scene.id))
    for name, status in rows:
        per = counts.setdefault(name, {"draft": 0, "published": 0, "withdrawn": 0})
        per[status] = per.get(status, 0) + 1
    return counts


__all__ = ["scenes_of_script", "version_counts"]
