"""Two builds of one script at the same moment — two staff click "Bouwen", or a build from the
page meets one from the command line — on SQLite and on PostgreSQL (#16). Both record what they
built: one script, a version for each text, scene versions numbered 1 and 2, no error. SQLite
serialises the writers by design; on PostgreSQL the write lock every unit of work takes does."""

from __future__ import annotations

import os
import threading

import render.build
from catalog import Scene, SceneVersion, Script, ScriptVersion
from render import build_script
from scripts_vr.templates import minimal_script
from support import ROOM_PHOTO

SCENE = """\
  - id: kamer
    title: {{nl: {title}}}
    footage: {footage}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""


def test_two_builds_of_one_script_at_once_both_record(tmp_path, settings, catalog, monkeypatch):
    paths = []
    for n, title in enumerate(("De kamer", "De kamer 's ochtends")):
        folder = tmp_path / f"map{n}"
        folder.mkdir()
        path = folder / "de-kamer.yaml"  # one script name, two texts
        path.write_text(minimal_script(SCENE.format(title=title, footage=os.path.relpath(ROOM_PHOTO, folder))),
                        encoding="utf-8")
        paths.append(path)
    # both builds reach the catalog's writes at the same moment
    meet = threading.Barrier(2, timeout=120)

    def together(build):
        meet.wait()
        render.build.record_versions(build)

    monkeypatch.setattr(render.build, "STAGES", tuple(together if s is render.build.record_versions else s
                                                      for s in render.build.STAGES))
    results, errors = {}, []

    def run(path):
        try:
            results[path] = build_script(path, settings=settings, catalog=catalog, profiles=["web"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(results) == 2
    with catalog.session() as db:
        assert [s.name for s in db.query(Script)] == ["de-kamer"]
        assert db.query(ScriptVersion).count() == 2
        [scene] = db.query(Scene).all()
        versions = db.query(SceneVersion).filter_by(scene_id=scene.id).all()
        assert sorted(v.number for v in versions) == [1, 2]
        assert {v.title for v in versions} == {"De kamer", "De kamer 's ochtends"}
