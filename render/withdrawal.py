"""Consent withdrawn: take every scene made from that footage off the headsets, and rebuild it.

    withdraw_consent("F-2024-017", footage_id=3, settings=settings, catalog=catalog)

1. the consent is marked withdrawn (capture.consent.withdraw);
2. every draft or published scene version made from the footage is withdrawn
   (catalog.queries.withdraw): headsets delete it at their next sync, and it can never be
   published again;
3. each script those versions belong to is rebuilt from the catalog's copy of its latest text
   (script_versions.source, so the rebuild does not depend on where the script file lives),
   with each scene's ``footage:`` rewritten to the catalog id its last version used (relative
   paths would point nowhere; the catalog records this text as a new script version). The person is no longer confirmed by
   the register, so their face is blurred; the new versions are drafts, and since their
   footage now shows someone without consent they need a privacy sign-off before publishing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from capture.consent import withdraw
from catalog import Catalog, queries
from render.build import BuiltScene, build_script
from render.executors import Executor
from zorgblik.settings import Settings


@dataclass(frozen=True)
class WithdrawnVersion:
    script: str
    scene: str
    number: int
    bundle_key: str
    was: str  # draft | published

    def __str__(self) -> str:
        return f"{self.script}/{self.scene} versie {self.number} ({'was gepubliceerd' if self.was == 'published' else 'concept'})"


@dataclass(frozen=True)
class Withdrawal:
    footage_ids: list[int]
    withdrawn: list[WithdrawnVersion] = field(default_factory=list)
    rebuilt: list[tuple[str, BuiltScene]] = field(default_factory=list)  # (script, scene) for the scenes withdrawn


@dataclass
class _Rebuild:
    source: str
    profiles: dict[str, None] = field(default_factory=dict)
    footage: dict[str, int] = field(default_factory=dict)  # scene id -> footage id its last version used
    scenes: set[str] = field(default_factory=set)  # the scenes whose versions were withdrawn


def _pinned(source: str, footage: dict[str, int]) -> str:
    """The script text with each scene's footage named by catalog id."""
    data = yaml.safe_load(source)
    for scene in data.get("scenes") or []:
        if isinstance(scene, dict) and scene.get("id") in footage:
            scene["footage"] = f"footage:{footage[scene['id']]}"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def withdraw_consent(person: str, *, footage_id: int | None, settings: Settings, catalog: Catalog,
                     executor: Executor | None = None, profiles: Sequence[str] | None = None) -> Withdrawal:
    """Withdraw ``person``'s consent for ``footage_id`` (None: all their footage), withdraw the
    scene versions made from it and rebuild their scripts (as drafts); returns what was done.
    ``profiles``: the rebuild's headset profiles (default: those the withdrawn versions had)."""
    rebuilds: dict[str, _Rebuild] = {}
    withdrawn = []
    with catalog.session() as db:
        affected = withdraw(db, person, footage_id=footage_id)
        for version in queries.live_scene_versions_of_footage(db, affected):
            script = version.scene.script
            withdrawn.append(WithdrawnVersion(script.name, version.scene.slug, version.number, version.bundle_key,
                                              version.status))
            queries.withdraw(db, version)
            plan = rebuilds.get(script.name)
            if plan is None:
                plan = rebuilds[script.name] = _Rebuild(script.versions[-1].source)
                plan.footage = {s.slug: s.versions[-1].footage_id for s in script.scenes if s.versions}
            plan.profiles.update(dict.fromkeys(profiles or version.manifest.profiles))
            plan.scenes.add(version.scene.slug)
    rebuilt = []
    for name, plan in rebuilds.items():
        folder = Path(tempfile.mkdtemp(dir=settings.data_dir, prefix=".rebuild-"))
        try:
            path = folder / f"{name}.yaml"
            path.write_text(_pinned(plan.source, plan.footage), encoding="utf-8")
            extra = {"profiles": list(plan.profiles)} if plan.profiles else {}
            built = build_script(path, settings=settings, catalog=catalog, executor=executor, **extra)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rebuilt += [(name, b) for b in built if b.scene_slug in plan.scenes]
    return Withdrawal(affected, withdrawn, rebuilt)
