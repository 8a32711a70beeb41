"""The playlist API: staff make playlists for the contexts they run, a scene that does not fit is
refused with the reason in the one error shape, photo seconds only for photos, rename, audience,
delete (not while a session uses it), and the start command's per-scene items."""

from __future__ import annotations

import pytest

from support import synthetic_bundle


@pytest.fixture(scope="module")
def scenes(harness):
    """A photo for intake and orientation (all routes), and an interview video for BBL level 3."""
    def make(scene, kind, contexts, audience):
        scene = harness.unique(scene).replace(" #", "-")
        files = [(f"scene.quest2.{'mp4' if kind == 'video' else 'jpg'}", "media", b"x" * 100, "quest2")]
        manifest = {"title": {"nl": scene}, "media_kind": kind, "stereo": "mono",
                    "profile": "quest2", "duration_s": 30.0 if kind == "video" else None, "contexts": contexts,
                    "audience": audience}
        key = synthetic_bundle(harness.settings, harness.catalog, script="de-linde-ouderenzorg", scene=scene,
                               files=files, manifest=manifest)
        harness.scene_of[key] = scene
        return {"script": "de-linde-ouderenzorg", "scene": scene, "key": key}

    return {"photo": make("tuin", "photo", ["intake", "werkveldorientatie"], {"routes": ["BOL", "BBL"], "levels": [2, 3]}),
            "interview": make("avond", "video", ["sollicitatie"], {"routes": ["BBL"], "levels": [3]})}


def ref(scene: dict, **settings) -> dict:
    return {"script": scene["script"], "scene": scene["scene"], **settings}


def test_intake_makes_changes_and_deletes_a_playlist_of_its_own(harness, scenes, error_shape):
    intake = harness.staff("intake")
    video = harness.bundle("huiskamer")
    photo = scenes["photo"]
    made = intake.post("/api/playlists", json={
        "name": harness.unique("Intake VVT"), "context": "intake", "route": "BOL",
        "scenes": [{"script": "de-linde-ouderenzorg", "scene": harness.scene_of[video]},
                   ref(photo, photo_seconds=12.5, wait_for_staff=True)]})
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["route"], body["level"], body["published"]) == ("BOL", None, [video, photo["key"]])
    assert [(i["photo_seconds"], i["wait_for_staff"], i["waits"]) for i in body["items"]] == [
        (None, None, False), (12.5, True, True)]

    renamed = intake.patch(f"/api/playlists/{body['id']}", json={"name": harness.unique("Intake BOL 3"), "level": 3})
    assert renamed.status_code == 200 and renamed.json()["level"] == 3 and renamed.json()["route"] == "BOL"
    widened = intake.patch(f"/api/playlists/{body['id']}", json={"route": None})
    assert (widened.json()["route"], widened.json()["level"]) == (None, 3)
    narrowed = intake.patch(f"/api/playlists/{body['id']}", json={"level": 4})
    assert error_shape(narrowed, 409)["message"].startswith(f"«{photo['scene']}» is voor niveau 2 en 3, "
                                                           "deze afspeellijst voor niveau 4")

    gone = intake.delete(f"/api/playlists/{body['id']}")
    assert gone.status_code == 204
    error_shape(intake.get(f"/api/playlists/{body['id']}"), 404)


def test_what_does_not_fit_is_refused_with_the_reason(harness, scenes, error_shape):
    intake = harness.staff("intake")
    video = harness.bundle("keuken")
    playlist = harness.playlist("Intake refused", [video])
    url = f"/api/playlists/{playlist}/scenes"
    misfit = intake.put(url, json={"scenes": [ref(scenes["interview"])]})
    assert error_shape(misfit, 409)["message"] == (f"«{scenes['interview']['scene']}» past niet bij Intake: "
                                                  "de scène is gemaakt voor Sollicitatie")
    on_a_video = intake.put(url, json={"scenes": [{"script": "de-linde-ouderenzorg", "scene": harness.scene_of[video],
                                                   "photo_seconds": 10}]})
    assert "is een video" in error_shape(on_a_video, 409)["message"]
    for seconds in (0, 601):
        assert "photo_seconds" in error_shape(intake.put(url, json={"scenes": [ref(scenes["photo"],
                                                                                   photo_seconds=seconds)]}), 422)["message"]
    assert intake.get(f"/api/playlists/{playlist}").json()["published"] == [video]  # nothing changed
    wrong_route = intake.post("/api/playlists", json={"name": harness.unique("Gesprek"), "context": "sollicitatie",
                                                     "route": "BOL"})
    error_shape(wrong_route, 403)  # intake staff do not make interview playlists at all
    hr = harness.staff("hr").post("/api/playlists", json={"name": harness.unique("Gesprek"), "context": "sollicitatie",
                                                         "route": "BOL"})
    assert error_shape(hr, 409)["message"] == "Sollicitatie is alleen voor BBL, niet voor BOL"


@pytest.mark.parametrize(("role", "context", "status"), [
    ("intake", "intake", 201), ("hr", "sollicitatie", 201), ("teacher", "werkveldorientatie", 201),
    ("hr", "intake", 403), ("teacher", "sollicitatie", 403), ("author", "sollicitatie", 201), ("comms", "intake", 403),
])
def test_staff_make_playlists_only_for_the_contexts_they_run(harness, role, context, status, error_shape):
    made = harness.staff(role).post("/api/playlists", json={"name": harness.unique(f"{role} {context}"),
                                                           "context": context})
    if status == 201:
        assert made.status_code == 201, made.text
    else:
        error_shape(made, 403)


def test_others_cannot_change_or_delete_a_context_they_do_not_run(harness, error_shape):
    playlist = harness.playlist("Intake van een ander", [harness.bundle("gang")])
    teacher = harness.staff("teacher")
    assert "Intake" in error_shape(teacher.patch(f"/api/playlists/{playlist}", json={"name": "mijn"}), 403)["message"]
    error_shape(teacher.put(f"/api/playlists/{playlist}/scenes", json={"scenes": []}), 403)
    error_shape(teacher.delete(f"/api/playlists/{playlist}"), 403)
    assert teacher.get(f"/api/playlists/{playlist}").status_code == 200  # reading stays open to all staff


def test_a_playlist_a_session_uses_is_not_deleted(harness, error_shape):
    intake = harness.staff("intake")
    playlist = harness.playlist("Intake in gebruik", [harness.bundle("badkamer")])
    headset_id, _ = harness.enrol("Quest in gebruik")
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    session = intake.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                 "playlist_id": playlist}).raise_for_status().json()
    refused = error_shape(intake.delete(f"/api/playlists/{playlist}"), 409)
    assert refused["message"].startswith(f"afspeellijst {intake.get(f'/api/playlists/{playlist}').json()['name']} "
                                         f"is in gebruik (sessie {session['id']} op Quest in gebruik)")
    intake.post(f"/api/sessions/{session['id']}/commands", json={"command": "stop"}).raise_for_status()
    assert intake.delete(f"/api/playlists/{playlist}").status_code == 204
    assert intake.get(f"/api/sessions/{session['id']}").json()["playlist_id"] is None
