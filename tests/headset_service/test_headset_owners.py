"""Headsets and groups belong to the use context whose staff enrolled them (or are shared, the
admin's): staff use and change only their own; a teacher cannot revoke HR's headset or change its
playlists (issue #14, item 3)."""

from __future__ import annotations

import re

from headset_service.csrf import _derived


def _form(client, path: str, **data):
    csrf = _derived(client.headers["Authorization"].removeprefix("Bearer "))
    return client.post(path, data={"csrf": csrf, **data})


def _flash(client, response) -> str:
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    found = re.search(r'<p class="flash (?:ok|error)" role="(?:status|alert)">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


def test_a_teacher_cannot_touch_hrs_headset_and_hr_can(harness, error_shape):
    hr, teacher = harness.staff("hr"), harness.staff("teacher")
    headset_id, _ = harness.enrol(harness.unique("HR-kit"), by="hr")
    assert hr.get(f"/api/headsets/{headset_id}").json()["context"] == "sollicitatie"
    teachers_list = [h["id"] for h in teacher.get("/api/headsets").raise_for_status().json()]
    assert headset_id not in teachers_list
    playlist = harness.playlist("Gesprek", [harness.bundle("kantoor")], context="werkveldorientatie")

    for method, path, body in [("GET", f"/api/headsets/{headset_id}", None),
                               ("POST", f"/api/headsets/{headset_id}/revoke", None),
                               ("PUT", f"/api/headsets/{headset_id}/playlists", {"playlist_ids": [playlist]}),
                               ("PATCH", f"/api/headsets/{headset_id}", {"name": "van mij"}),
                               ("POST", "/api/sessions", {"context": "werkveldorientatie", "headset_id": headset_id,
                                                          "playlist_id": playlist})]:
        refused = teacher.request(method, path, json=body)
        assert "hoort bij Sollicitatie" in error_shape(refused, 403)["message"], (method, path)

    assert hr.patch(f"/api/headsets/{headset_id}", json={"name": "HR-kit 2"}).status_code == 200
    assert hr.post(f"/api/headsets/{headset_id}/revoke").status_code == 200


def test_a_shared_headset_is_used_by_everyone_and_changed_by_the_admin_only(harness, error_shape):
    headset_id, _ = harness.enrol(harness.unique("Gedeelde Quest"))
    intake = harness.staff("intake")
    assert intake.get(f"/api/headsets/{headset_id}").json()["context"] is None
    assert headset_id in [h["id"] for h in harness.staff("teacher").get("/api/headsets").json()]
    playlist = harness.playlist("Kennismaken", [harness.bundle("huiskamer")])
    started = intake.post("/api/sessions", json={"context": "intake", "headset_id": headset_id, "playlist_id": playlist})
    assert started.status_code == 201, started.text
    assert "gedeeld" in error_shape(intake.post(f"/api/headsets/{headset_id}/revoke"), 403)["message"]
    assert "beheerder" in error_shape(intake.patch(f"/api/headsets/{headset_id}", json={"context": "intake"}), 403)["message"]
    assert harness.staff("admin").patch(f"/api/headsets/{headset_id}", json={"context": "intake"}).json()["context"] == "intake"
    assert intake.put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).status_code == 200


def test_groups_belong_to_a_context_too(harness, error_shape):
    teacher, hr = harness.staff("teacher"), harness.staff("hr")
    group = teacher.post("/api/groups", json={"name": harness.unique("Klas 2B")}).raise_for_status().json()
    assert group["context"] == "werkveldorientatie"
    assert "maakt groepen alleen voor Werkveldoriëntatie" in error_shape(
        teacher.post("/api/groups", json={"name": harness.unique("X"), "context": "intake"}), 403)["message"]
    assert group["id"] not in [g["id"] for g in hr.get("/api/groups").json()]
    playlist = harness.playlist("Gesprek", [harness.bundle("kantoor")], context="sollicitatie")
    assert "hoort bij" in error_shape(hr.post(f"/api/groups/{group['id']}/sessions",
                                              json={"context": "sollicitatie", "playlist_id": playlist}), 403)["message"]
    assert "hoort bij" in error_shape(hr.put(f"/api/groups/{group['id']}/playlists", json={"playlist_ids": [playlist]}), 403)["message"]
    # a headset can only join a group of its own context
    in_class, _ = harness.enrol(harness.unique("Quest klas"), group_id=group["id"], by="teacher")
    hr_headset, _ = harness.enrol(harness.unique("HR-quest"), by="hr")
    assert teacher.get(f"/api/headsets/{in_class}").json()["group_id"] == group["id"]
    moved = harness.staff("admin").patch(f"/api/headsets/{hr_headset}", json={"group_id": group["id"]})
    assert "hoort bij Werkveldoriëntatie" in error_shape(moved, 409)["message"]


def test_on_the_pages_staff_see_and_start_only_their_own(harness):
    hr, teacher = harness.staff("hr"), harness.staff("teacher")
    name = harness.unique("Sollicitatie-Quest")
    headset_id, _ = harness.enrol(name, by="hr")
    assert name in hr.get("/sessies").text
    assert name not in teacher.get("/sessies").text
    assert str(headset_id) not in [str(h["id"]) for h in teacher.get("/sessies/live.json").json()["headsets"]]
    playlist = harness.playlist("Oriëntatie", [harness.bundle("gang")], context="werkveldorientatie")
    flash = _flash(teacher, _form(teacher, "/sessies/start", playlist_id=str(playlist), headset_ids=str(headset_id)))
    assert "Niet gestart" in flash and "hoort bij Sollicitatie" in flash
    # a pairing code made on the page is for one's own context, and only its staff see it
    made = _flash(teacher, _form(teacher, "/sessies/koppelcode", naam=harness.unique("Klas-Quest"), profiel="quest2"))
    assert "Koppelcode voor" in made
    assert "Klas-Quest" not in hr.get("/sessies").text


def test_the_admin_says_whom_a_headset_belongs_to_on_beheer(harness):
    admin, intake = harness.staff("admin"), harness.staff("intake")
    name = harness.unique("Intake-Quest")
    made = _flash(admin, _form(admin, "/beheer/koppelcode", naam=name, profiel="quest2", hoort_bij="sollicitatie"))
    assert "Koppelcode voor" in made
    headset_id, _ = harness.enrol(harness.unique("Nog gedeeld"))
    assert 'name="hoort_bij"' in admin.get("/beheer").text
    flash = _flash(admin, _form(admin, f"/beheer/headsets/{headset_id}/hoort-bij", hoort_bij="intake"))
    assert "hoort nu bij Intake" in flash
    assert intake.get(f"/api/headsets/{headset_id}").json()["context"] == "intake"
    assert "Kies bij" in _flash(admin, _form(admin, f"/beheer/headsets/{headset_id}/hoort-bij", hoort_bij="hr"))
