"""The "next scene" command from staff to headset: the API takes it without changing the
session's state, the staff page has a button for it (a CSRF form like its neighbours), and a
headset on the WebSocket receives it."""

from __future__ import annotations

import json
import re

from support import headset_socket, wait_for
from support import receive as recv


def socket_for(harness, token: str):
    return headset_socket(harness.base_url, token)


def test_next_reaches_the_headset_from_the_api_and_the_staff_page(harness):
    key = harness.bundle("huiskamer")
    playlist = harness.playlist("Intake VVT", [key, harness.bundle("tuin")])
    headset_id, token = harness.enrol(harness.unique("Quest"))
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    staff = harness.staff("intake")
    with socket_for(harness, token) as ws:
        wait_for(lambda: staff.get(f"/api/headsets/{headset_id}").json()["live"]["via"] == "websocket", "online")
        session = staff.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                   "playlist_id": playlist}).json()
        assert "id" in session, session
        start = recv(ws)
        ws.send(json.dumps({"type": "ack", "id": start["id"]}))

        state = staff.post(f"/api/sessions/{session['id']}/commands", json={"command": "next"}).json()
        assert state["state"] == "running"  # next changes no state
        message = recv(ws)
        assert (message["command"], message["session_id"]) == ("next", session["id"])

        page = staff.get(f"/sessies/{session['id']}").text
        form = re.search(r'<form method="post" action="(/sessies/\d+/commando)">(?:(?!</form>).)*?'
                         r'value="next"(?:(?!</form>).)*?>Volgende scène</button>', page, re.S)
        assert form, "no Volgende scène button on the session page"
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.group(0)).group(1)
        sent = staff.post(form.group(1), data={"csrf": csrf, "command": "next", "back_to": f"/sessies/{session['id']}"})
        assert sent.status_code in (200, 303)
        assert recv(ws)["command"] == "next"
        assert staff.post(form.group(1), data={"csrf": "fout", "command": "next"}).status_code == 403

        staff.post(f"/api/sessions/{session['id']}/commands", json={"command": "stop"}).raise_for_status()
        assert recv(ws)["command"] == "stop"
        refused = staff.post(f"/api/sessions/{session['id']}/commands", json={"command": "next"})
        assert refused.status_code == 409  # a stopped session takes no more commands


def test_an_unknown_command_is_still_refused(harness):
    session = harness.staff("intake").post("/api/sessions", json={"context": "intake"}).json()
    r = harness.staff("intake").post(f"/api/sessions/{session['id']}/commands", json={"command": "skip"})
    assert r.status_code == 422
