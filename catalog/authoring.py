"""What an author sees of their own scripts in the catalog: the scenes of a script with every
version (newest first), so the author page can show what is draft, published or withdrawn; and
the saves made from the script form (who saved which text when), newest first.

    scenes_of_script(db, "de-linde-ouderenzorg") -> [(Scene, [SceneVersion, ...]), ...]
    record_save(db, "de-linde", source=text, sha256=h, base_sha256=opened, by="Anouk")
    saves_of(db, "de-linde") -> [ScriptSave, ...]
    save_with_text(db, "de-linde", sha256) -> ScriptSave | None   who wrote this text
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession, selectinload

from catalog.models import Scene, SceneVersion, Script, ScriptSave, StaffUser


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


def record_save(db: DbSession, script_name: str, *, source: str, sha256: str, base_sha256: str | None, by: str,
                user: StaffUser | None = None) -> ScriptSave:
    save = ScriptSave(script_name=script_name, sha256=sha256, base_sha256=base_sha256, source=source,
                      saved_by=(by or "onbekend")[:255], staff_user_id=user.id if user else None)
    db.add(save)
    db.flush()
    return save


def saves_of(db: DbSession, script_name: str, limit: int = 10) -> list[ScriptSave]:
    return list(db.scalars(select(ScriptSave).where(ScriptSave.script_name == script_name)
                           .order_by(ScriptSave.id.desc()).limit(limit)))


def save_with_text(db: DbSession, script_name: str, sha256: str) -> ScriptSave | None:
    """The latest save that wrote the text with this hash (None: written outside the page)."""
    return db.scalar(select(ScriptSave).where(ScriptSave.script_name == script_name, ScriptSave.sha256 == sha256)
                     .order_by(ScriptSave.id.desc()).limit(1))


__all__ = ["record_save", "save_with_text", "saves_of", "scenes_of_script", "version_counts"]
