"""The teacher's pages for a class in step: /klas (start a group together, "Verder", pause, who is
where), its projector page /klas/projectie (the current scene in 2D for the digibord, with the
scene's conversation prompts and the headsets' states in a row), and meekijken on a session page
(/sessies/{id}/meekijken.json: the scene, its time and where the headset looks).

The class's timing is ``headset_service.classroom``; who is in a run comes from ``catalog.runs``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from catalog import HeadsetGroup, StaffUser, fleet, playlists, reports, session_control
from headset_service.auth import headset_scope, may_run_context, refusal
from headset_service.classroom import wall_ms
from headset_service.csrf import CsrfChecked
from headset_service.deps import ClassroomDep, DbDep, Id, LiveDep, UnitOfWorkRoute, after_commit
from headset_service.web.rendering import back, render, templates
from headset_service.web.sessions import (COMMAND_NAMES, STATE_NAMES, Runner, _live_headsets, _push, _session_for,
                                          contexts_of)
from zorgblik.terms import CLASS_STATES, HEADSET_STATES, LANGUAGES, SESSION_COMMANDS, label

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)

#: The class's buttons: "Verder" moves every headset on together (the ``next`` command).
CLASS_COMMANDS = {"next": "Verder"} | {c: SESSION_COMMANDS[c] for c in ("pause", "resume", "recenter", "stop")}
MEEKIJKEN_OFF = {"sollicitatie": "Meekijken kan niet in een sollicitatiegesprek.",
                 None: "Meekijken staat uit: deze sessie legt geen kijkrichting vast."}


def _group(db, user: StaffUser, groep: int | None) -> tuple[list[HeadsetGroup], HeadsetGroup | None]:
    """The groups ``user`` runs classes on, and the one asked for (or the first)."""
    groups = fleet.list_groups(db, headset_scope(user.role))
    return groups, next((g for g in groups if g.id == groep), groups[0] if groups else None)


@router.get("/klas")
def class_page(request: Request, db: DbDep, live: LiveDep, user: Runner, groep: int | None = None):
    contexts = contexts_of(user)
    groups, group = _group(db, user, groep)
    headsets = [h for h in _live_headsets(db, live, user) if group is not None and h["group_id"] == group.id]
    sessions = {s.headset_id: s for s in reports.open_sessions(db, contexts)}
    offered = [p for p in playlists.list_playlists(db) if p.context in contexts]
    return render(request, "class.html", user, {
        "groups": groups, "group": group, "headsets": headsets, "sessions": sessions, "playlists": offered,
        "command_names": CLASS_COMMANDS, "state_names": STATE_NAMES,
        "languages": LANGUAGES})


@router.post("/klas/{group_id}/commando")
def class_command(request: Request, group_id: Id, db: DbDep, live: LiveDep, classroom: ClassroomDep, user: Runner,
                  _csrf: CsrfChecked, command: Annotated[str, Form()]):
    """One command for the whole group; in a run, "Verder", pause and resume move the class in step."""
    group = fleet.get_group(db, group_id)
    if refused := refusal(user.role, group):
        return back_to_class(group_id, fout=f"{refused}.")
    if command not in COMMAND_NAMES:
        return back_to_class(group_id, fout="Onbekende opdracht.")
    wanted = {"pause": "running", "resume": "paused"}.get(command)
    sessions = [s for s in session_control.running_sessions(db, group.headsets)
                if may_run_context(user.role, s.context) and (wanted is None or s.state == wanted)]
    run = classroom.follow_group(db, group)
    commands = [session_control.control_session(db, s, command, by=user) for s in sessions]
    _push(db, live, commands)  # kept for the timeline; a headset in a class follows the run's cues
    if run is not None and sessions and all(s.run == run for s in sessions):
        after_commit(db, lambda: classroom.step(run, command))
    return back_to_class(group_id, melding=f"{CLASS_COMMANDS.get(command, command)}: naar {len(commands)} headsets verstuurd.")


def back_to_class(group_id: int, **flash):
    return back(f"/klas?groep={group_id}", **flash)


# the projector ------------------------------------------------------------------------------------
@router.get("/klas/projectie")
def projector_page(request: Request, db: DbDep, user: Runner, groep: int | None = None):
    groups, group = _group(db, user, groep)
    return render(request, "class_projector.html", user, {"group": group, "groups": groups})


@router.get("/klas/{group_id}/live.json")
def class_live(group_id: Id, db: DbDep, live: LiveDep, classroom: ClassroomDep, user: Runner) -> JSONResponse:
    """The group's class now: the run's scene, state and time base, its prompts, and each headset's state."""
    group = fleet.get_group(db, group_id)
    if refused := refusal(user.role, group):
        raise HTTPException(403, refused)
    run = classroom.follow_group(db, group)
    view = classroom.view(run) if run else None
    if view is not None and not may_run_context(user.role, view["context"]):
        view = None
    key = view["bundle_key"] if view else None
    by_headset = {s.headset_id: s for s in session_control.running_sessions(db, group.headsets)}
    titles = reports.scene_titles(db, [key] + [live.view(h.id).get("bundle_key") for h in group.headsets])
    headsets = []
    for h in group.headsets:
        if h.revoked_at is not None:
            continue
        status = live.view(h.id)
        session = by_headset.get(h.id)
        state = status.get("state") if status["online"] else None
        headsets.append({"id": h.id, "name": h.name, "online": status["online"], "state": state,
                         "state_label": label(HEADSET_STATES, state, "offline") if state else "offline",
                         "scene": titles.get(status.get("bundle_key") or "", ""),
                         "session_id": session.id if session else None})
    return JSONResponse({
        "group": group.name, "server_ms": wall_ms(), "run": run if view else None,
        "index": view["index"] if view else None, "scenes": view["scenes"] if view else 0,
        "state": view["state"] if view else None,
        "state_label": label(CLASS_STATES, view["state"]) if view else "geen klassessie",
        "bundle_key": key, "title": titles.get(key or "", ""), "at_ms": view["at_ms"] if view else None,
        "position_s": view["position_s"] if view else None,
        "prompts": reports.scene_prompts(db, key, view["context"]) if view else [], "headsets": headsets})


# meekijken ----------------------------------------------------------------------------------------
def meekijken_reason(session) -> str | None:
    """Why meekijken is off for ``session`` (None: it is on). Never in sollicitatie; elsewhere only
    when the session records head direction."""
    if session.context == "sollicitatie":
        return MEEKIJKEN_OFF["sollicitatie"]
    if not session.record_head_direction:
        return MEEKIJKEN_OFF[None]
    return None


templates.env.globals["meekijken_reason"] = meekijken_reason  # for _meekijken.html on the session page


MEEKIJKEN_WAIT_S = 4.0  # a meekijken request waits this long at most for the next report (offline shows within 15 + 4 s)


@router.get("/sessies/{session_id}/meekijken.json")
def meekijken(session_id: Id, db: DbDep, live: LiveDep, user: Runner, na: int | None = Query(None, ge=0)) -> JSONResponse:
    """What the session's headset shows: scene, time (when it reported it) and head direction.
    ``na``: the ``report`` the page has; the answer then waits for the next one (a long poll: a
    head turn reaches the page as soon as the headset says it, not at the next poll)."""
    session = _session_for(db, user, session_id)
    reason = meekijken_reason(session)
    if reason is not None or session.headset_id is None or session.state == "stopped":
        return JSONResponse({"on": False, "reason": reason or "De sessie loopt niet.", "server_ms": wall_ms()})
    headset_id = session.headset_id
    db.close()  # no database connection held while waiting
    if na is not None:
        live.wait_for_report(headset_id, na, MEEKIJKEN_WAIT_S)
    report, status = live.reports(headset_id), live.view(headset_id)  # in this order: a report between is fetched again
    mine = status.get("session_id") == session_id
    return JSONResponse({"on": True, "online": status["online"], "server_ms": wall_ms(), "report": report,
                         "state": status.get("state") if mine else "idle",
                         "bundle_key": status.get("bundle_key") if mine else None,
                         "position_s": status.get("position_s") if mine else None,
                         "reported_ms": status.get("reported_ms"),
                         "yaw": status.get("yaw") if mine else None, "pitch": status.get("pitch") if mine else None})
