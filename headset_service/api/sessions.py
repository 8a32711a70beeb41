"""Sessions: staff start, pause, resume, stop and recenter them on one headset or a whole group;
headsets (and the 2D player) send their events. Event batches are idempotent by event id: a retry
stores nothing twice.

Who runs which context: intake staff intake sessions, HR interviews (sollicitatie), teachers
orientation lessons (werkveldoriëntatie); admin all of them.
"""

from __future__ import annotations

from datetime import timezone
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from catalog import HeadsetCommand, Session, StaffUser, event_log, fleet, playlists, queries, session_control
from headset_service.api.headsets import check
from headset_service.auth import Caller, may_run_context, require, staff_or_device
from headset_service.deps import ClassroomDep, DbDep, Id, LiveDep, UnitOfWorkRoute, after_commit
from headset_service.live import Live
from headset_service.api.device import command_message
from headset_service.schemas import (EventBatch, EventBatchResult, GroupSessionCreate, SessionCommandIn, SessionCreate,
                                     SessionPublic)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["sessions"])

Runner = Annotated[StaffUser, Depends(require("sessions.run"))]
RunnerOrHeadset = Annotated[Caller, Depends(staff_or_device("sessions.run"))]


def session_public(session: Session) -> SessionPublic:
    return SessionPublic.model_validate(session, from_attributes=True)


def _check_context(user: StaffUser, context: str) -> None:
    if not may_run_context(user.role, context):
        raise HTTPException(403, f"je rol ({user.role}) mag geen {context}-sessies leiden")


def _push(db, live: Live, commands: list[HeadsetCommand | None]) -> None:
    messages = [(c.headset_id, command_message(c)) for c in commands if c is not None]
    after_commit(db, lambda: [live.send(headset_id, m) for headset_id, m in messages])


@router.post("/api/sessions", response_model=SessionPublic, status_code=201)
def create_session(body: SessionCreate, db: DbDep, live: LiveDep, user: Runner) -> SessionPublic:
    """Start a session; on a headset, the headset gets the start command with the playlist's scenes."""
    _check_context(user, body.context)
    headset = fleet.get_headset(db, body.headset_id) if body.headset_id is not None else None
    if headset is not None:
        check(user, headset)
    if headset is not None and headset.revoked_at is not None:
        raise HTTPException(409, f"headset {headset.name} is ingetrokken")
    playlist = playlists.get_playlist(db, body.playlist_id) if body.playlist_id is not None else None
    session = session_control.start_session(db, context=body.context, learner_code=body.learner_code, headset=headset,
                                  playlist=playlist, started_by=user, record_head_direction=body.record_head_direction,
                                  route=body.route, level=body.level, year=body.year,
                                  language=body.language)
    _push(db, live, [session_control.start_command(db, session)])
    return session_public(session)


@router.post("/api/groups/{group_id}/sessions", response_model=list[SessionPublic], status_code=201)
def create_group_sessions(group_id: Id, body: GroupSessionCreate, db: DbDep, live: LiveDep,
                          user: Runner) -> list[SessionPublic]:
    """Start the same playlist on every headset of a group at once (a class starting together)."""
    _check_context(user, body.context)
    group = fleet.get_group(db, group_id)
    check(user, group)
    sessions = session_control.start_group_sessions(db, group, context=body.context,
                                          playlist=playlists.get_playlist(db, body.playlist_id), started_by=user,
                                          language=body.language)
    _push(db, live, [session_control.start_command(db, s) for s in sessions])
    return [session_public(s) for s in sessions]


@router.get("/api/sessions/{session_id}", response_model=SessionPublic)
def get_session(session_id: Id, db: DbDep, user: Runner) -> SessionPublic:
    """Only for the roles of its context: an interview's learner code is not a teacher's business."""
    session = session_control.get_session(db, session_id)
    _check_context(user, session.context)
    return session_public(session)


@router.post("/api/sessions/{session_id}/commands", response_model=SessionPublic)
def command_session(session_id: Id, body: SessionCommandIn, db: DbDep, live: LiveDep, user: Runner) -> SessionPublic:
    """Pause, resume, stop, recenter or next for one session (next: not for one session of a class)."""
    session = session_control.get_session(db, session_id)
    _check_context(user, session.context)
    _push(db, live, [session_control.control_one(db, session, body.command, by=user)])
    return session_public(session)


@router.post("/api/groups/{group_id}/commands", response_model=list[SessionPublic])
def command_group(group_id: Id, body: SessionCommandIn, db: DbDep, live: LiveDep, classroom: ClassroomDep,
                  user: Runner) -> list[SessionPublic]:
    """Pause, resume, stop, recenter or next for every open session on the group's headsets; a
    class (the group's sessions started together) moves in step, as "Verder" on the class page."""
    group = fleet.get_group(db, group_id)
    run = classroom.follow_group(db, group)
    sessions = [s for s in session_control.running_sessions(db, group.headsets) if may_run_context(user.role, s.context)]
    commands = []
    for session in sessions:
        if body.command in ("pause", "resume") and session.state != {"pause": "running", "resume": "paused"}[body.command]:
            continue  # already there (paused by hand), or interrupted: its headset is gone for now
        commands.append(session_control.control_session(db, session, body.command, by=user))
    _push(db, live, commands)  # kept for the timeline; a headset in a class follows the run's cues
    if run is not None and sessions and all(s.run == run for s in sessions):
        after_commit(db, lambda: classroom.step(run, body.command))
    return [session_public(s) for s in sessions]


@router.post("/api/sessions/{session_id}/events", response_model=EventBatchResult)
def post_events(session_id: Id, batch: EventBatch, db: DbDep, caller: RunnerOrHeadset) -> EventBatchResult:
    """A batch of events (at most 500; data at most 16 KB each, 1 MB together). Head direction: at most 5 samples a second are kept, and
    none in sessions that do not record it (interviews, by default)."""
    session = session_control.get_session(db, session_id)
    if caller.headset is not None and session.headset_id != caller.headset.id:
        raise HTTPException(403, f"sessie {session_id} loopt niet op deze headset")
    if caller.staff is not None:
        _check_context(caller.staff, session.context)
    versions: dict[str, int] = {}
    events = []
    for e in batch.events:
        if e.bundle_key and e.bundle_key not in versions:
            versions[e.bundle_key] = queries.scene_version_by_bundle_key(db, e.bundle_key).id
        at = e.at.astimezone(timezone.utc).replace(tzinfo=None) if e.at.tzinfo else e.at
        events.append({"event_id": e.event_id, "kind": e.kind, "at": at,
                       "scene_version_id": versions.get(e.bundle_key) if e.bundle_key else None, "data": dict(e.data)})
    stored, skipped = event_log.ingest_events(db, session, events)
    return EventBatchResult(received=len(batch.events), stored=stored, skipped=skipped)


@router.get("/api/sessions/{session_id}/events")
def list_events(session_id: Id, db: DbDep, user: Runner, service: bool = False) -> list[dict]:
    """The events the headset (or player) sent; with ``service=true`` also what the service itself
    recorded: staff commands, the headset going away and coming back, an end after the grace period."""
    session = session_control.get_session(db, session_id)
    _check_context(user, session.context)
    return [{"event_id": e.event_id, "kind": e.kind, "at": e.at.isoformat(), "data": e.data} for e in session.events
            if service or not event_log.is_service_event(e)]
