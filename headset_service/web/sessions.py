"""The session pages for intake staff, HR and teachers: pick a playlist and headsets (or a group),
start, follow each headset live, pause / resume / stop / recenter, read the scene's conversation
prompts and write notes. The teacher's class pages (/klas) are in ``web/classroom.py``.

Forms post here (CSRF-checked) and redirect back; ``/sessies/live.json`` feeds the small script
that refreshes the live cells every two seconds (the pages work without it, just not live).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from catalog import Conflict, Headset, Session, StaffUser, fleet, reports
from catalog.outcomes import clean_code
from headset_service.auth import CONTEXT_ROLES, may_run_context
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, LiveDep, after_commit
from headset_service.live import Live
from headset_service.api.device import command_message
from headset_service.web.rendering import CONTEXT_NAMES, PageForbidden, PageUser, back, render

router = APIRouter(include_in_schema=False)
Runner = PageUser("sessions.run")

COMMAND_NAMES = {"pause": "Pauzeer", "resume": "Hervat", "next": "Volgende scène", "stop": "Stop",
                 "recenter": "Hercentreer"}
STATE_NAMES = {"running": "loopt", "paused": "gepauzeerd", "stopped": "gestopt", "playing": "speelt", "idle": "wacht"}


def contexts_of(user: StaffUser) -> list[str]:
    """The use contexts ``user`` runs sessions in (admin: all)."""
    return [c for c in CONTEXT_ROLES if may_run_context(user.role, c)]


def _push(db, live: Live, commands) -> None:
    messages = [(c.headset_id, command_message(c)) for c in commands if c is not None]
    after_commit(db, lambda: [live.send(h, m) for h, m in messages])


def headset_view(headset: Headset, live: Live, titles: dict[str, str]) -> dict:
    status = live.view(headset.id)
    position = status.get("position_s")
    return {"id": headset.id, "name": headset.name, "online": status["online"],
            "state": STATE_NAMES.get(status.get("state") or "", status.get("state") or ""),
            "scene": titles.get(status.get("bundle_key") or "", ""), "bundle_key": status.get("bundle_key"),
            "time": f"{int(position // 60)}:{int(position % 60):02d}" if position is not None else "",
            "battery": headset.battery, "group_id": headset.group_id}


def _live_headsets(db, live: Live) -> list[dict]:
    headsets = fleet.list_headsets(db)
    titles = reports.scene_titles(db, (live.view(h.id).get("bundle_key") for h in headsets))
    return [headset_view(h, live, titles) for h in headsets]


def _session_for(db, user: StaffUser, session_id: int) -> Session:
    session = fleet.get_session(db, session_id)
    if not may_run_context(user.role, session.context):
        raise PageForbidden(user, "sessions.run")
    return session


@router.get("/sessies")
def sessions_page(request: Request, db: DbDep, live: LiveDep, user: Runner):
    contexts = contexts_of(user)
    playlists = [p for p in fleet.list_playlists(db) if p.context in contexts]
    open_sessions = reports.open_sessions(db, contexts)
    headsets = _live_headsets(db, live)
    by_id = {h["id"]: h for h in headsets}
    return render(request, "sessions.html", user, {
        "contexts": contexts, "playlists": playlists, "headsets": headsets, "groups": fleet.list_groups(db),
        "open_sessions": [(s, by_id.get(s.headset_id)) for s in open_sessions],
        "recent": reports.recent_sessions(db, contexts, limit=10), "command_names": COMMAND_NAMES,
        "state_names": STATE_NAMES})


@router.post("/sessies/start")
def start_sessions(request: Request, db: DbDep, live: LiveDep, user: Runner, _csrf: CsrfChecked,
                   playlist_id: Annotated[int, Form()], headset_ids: Annotated[list[int], Form()] = [],  # noqa: B006
                   group_id: Annotated[str, Form()] = "", learner_code: Annotated[str, Form()] = "",
                   record_head_direction: Annotated[str, Form()] = "", back_to: Annotated[str, Form()] = "/sessies"):
    back_to = back_to if back_to in ("/sessies", "/klas") or back_to.startswith("/klas?") else "/sessies"
    playlist = fleet.get_playlist(db, playlist_id)
    if not may_run_context(user.role, playlist.context):
        return back(back_to, fout=f"Je rol mag geen {CONTEXT_NAMES[playlist.context]}-sessies starten.")
    learner = clean_code(learner_code) or None
    head = True if record_head_direction else (None if playlist.context != "sollicitatie" else False)
    if group_id:
        group = fleet.get_group(db, int(group_id))
        headsets = [h for h in group.headsets if h.revoked_at is None]
    else:
        headsets = [fleet.get_headset(db, hid) for hid in dict.fromkeys(headset_ids)]
    if not headsets:
        return back(back_to, fout="Kies minstens één headset of een groep (met headsets).")
    for headset in headsets:  # check them all first: start on all of them or on none
        if headset.revoked_at is not None:
            return back(back_to, fout=f"Headset {headset.name} is ingetrokken.")
        if playlist.id not in {p.id for p in fleet.headset_playlists(headset)}:
            return back(back_to, fout=f"Afspeellijst {playlist.name} staat niet op headset {headset.name}; "
                                      "vraag de beheerder hem toe te wijzen.")
    run = uuid.uuid4().hex if len(headsets) > 1 else None
    started = [fleet.start_session(db, context=playlist.context, learner_code=learner if len(headsets) == 1 else None,
                                   headset=h, playlist=playlist, started_by=user, run=run, record_head_direction=head)
               for h in headsets]
    _push(db, live, [fleet.start_command(db, s) for s in started])
    if len(started) == 1 and back_to == "/sessies":
        return back(f"/sessies/{started[0].id}", melding="Sessie gestart.")
    return back(back_to, melding=f"{len(started)} sessies gestart.")


@router.post("/sessies/{session_id}/commando")
def command(request: Request, session_id: int, db: DbDep, live: LiveDep, user: Runner, _csrf: CsrfChecked,
            command: Annotated[str, Form()], back_to: Annotated[str, Form()] = ""):
    session = _session_for(db, user, session_id)
    target = back_to if back_to.startswith("/sessies") or back_to.startswith("/klas") else f"/sessies/{session_id}"
    if command not in COMMAND_NAMES:
        return back(target, fout="Onbekende opdracht.")
    try:
        _push(db, live, [fleet.control_session(db, session, command)])
    except Conflict as exc:
        return back(target, fout=exc.one_line())
    return back(target, melding=f"{COMMAND_NAMES[command]}: verstuurd.")


@router.post("/sessies/{session_id}/notitie")
def add_note(request: Request, session_id: int, db: DbDep, live: LiveDep, user: Runner, _csrf: CsrfChecked,
             text: Annotated[str, Form(max_length=4000)]):
    session = _session_for(db, user, session_id)
    if not text.strip():
        return back(f"/sessies/{session_id}", fout="Een lege notitie is niet bewaard.")
    bundle_key = live.view(session.headset_id).get("bundle_key") if session.headset_id else None
    reports.add_note(db, session, text, author=user, bundle_key=bundle_key)
    return back(f"/sessies/{session_id}#notities", melding="Notitie bewaard.")


@router.get("/sessies/live.json")
def live_json(db: DbDep, live: LiveDep, user: Runner) -> JSONResponse:
    """Live status of every headset, and per open session its state, for the page's script."""
    contexts = contexts_of(user)
    sessions = {s.id: s.state for s in reports.open_sessions(db, contexts)}
    return JSONResponse({"headsets": _live_headsets(db, live),
                         "sessions": {str(k): STATE_NAMES.get(v, v) for k, v in sessions.items()}})


@router.get("/sessies/{session_id}/live.json")
def session_live_json(session_id: int, db: DbDep, live: LiveDep, user: Runner) -> JSONResponse:
    session = _session_for(db, user, session_id)
    status = live.view(session.headset_id) if session.headset_id else {"online": False}
    key = status.get("bundle_key") if status.get("session_id") in (None, session.id) else None
    return JSONResponse({"state": STATE_NAMES.get(session.state, session.state), "online": status["online"],
                         "scene": reports.scene_titles(db, [key]).get(key or "", ""),
                         "prompts": reports.scene_prompts(db, key, session.context)})


@router.get("/sessies/{session_id}")
def session_page(request: Request, session_id: int, db: DbDep, live: LiveDep, user: Runner):
    session = _session_for(db, user, session_id)
    view = None
    key = None
    if session.headset is not None:
        status = live.view(session.headset.id)
        key = status.get("bundle_key")
        view = headset_view(session.headset, live, reports.scene_titles(db, [key]))
    playlist_scenes = fleet.playlist_versions(session.playlist) if session.playlist else []
    if key is None and playlist_scenes:  # not reported yet: the playlist's first scene is what starts
        key = playlist_scenes[0].bundle_key
    return render(request, "session.html", user, {
        "session": session, "headset": view, "prompts": reports.scene_prompts(db, key, session.context),
        "prompt_scene": reports.scene_titles(db, [key]).get(key or "", ""),
        "playlist_scenes": playlist_scenes, "notes": reports.notes_of(db, session),
        "timeline": reports.timeline(db, session), "command_names": COMMAND_NAMES, "state_names": STATE_NAMES})
