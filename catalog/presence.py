"""Whether a session's headset is still there, what becomes of the session when it is not, and
what a headset says of itself (battery, free storage). The service's watchdog
(``headset_service.watchdog``) calls :func:`watch_sessions` every few seconds with what it heard;
tests call it with a clock of their own.

    running / paused, headset not heard for the online window
        ──► interrupted ("onderbroken"); interrupted_at = when it was last heard; event ``interrupted``
    interrupted, headset heard again
        ──► the state it had before; event ``rejoined`` (it kept playing on its own and reports where it is)
    headset page reloaded (or the headset restarted) while its session is open
        ──► :func:`rejoin_point`: the session, its start command and the scene it was in, so the
            page takes the session up again at that scene (a class: at the class's scene and time)
    interrupted for the grace period
        ──► stopped; ended_at = when it was last heard; end_reason ``headset_gone``; event
            ``session_end`` (so the timeline, the CSV and xAPI show the end); a ``stop`` command
            waits for the headset, in case it comes back
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog import event_log, session_control
from catalog.models import Event, Headset, HeadsetCommand, Session, utcnow

OPEN_STATES = ("running", "paused", "interrupted")
LAST_SEEN_EVERY = timedelta(seconds=30)  # how stale Headset.last_seen_at may get while a headset is online


@dataclass(frozen=True)
class Change:
    """What :func:`watch_sessions` did to one session; ``command`` is a stop to push to its headset."""

    session_id: int
    became: str
    command: HeadsetCommand | None = None


def watch_sessions(db: DbSession, *, online: Callable[[int], bool], heard: Callable[[int], datetime | None],
                   grace: timedelta, now: datetime | None = None) -> list[Change]:
    """Interrupt, rejoin and end the open sessions by what was heard of their headsets.

    ``online(headset_id)``: heard within the online window; ``heard(headset_id)``: when it was last
    heard (naive UTC), None when not since the service started (then its stored ``last_seen_at``).
    """
    now = now or utcnow()
    changes = []
    stmt = select(Session).where(Session.state.in_(OPEN_STATES), Session.headset_id.is_not(None)).order_by(Session.id)
    for session in db.scalars(stmt):
        headset_id = session.headset_id
        if online(headset_id):
            if session.state == "interrupted":
                changes.append(rejoin(db, session, now))
            continue
        last = max(heard(headset_id) or session.headset.last_seen_at or session.started_at, session.started_at)
        if session.state != "interrupted":
            changes.append(interrupt(db, session, last))
        elif now - session.interrupted_at >= grace:
            changes.append(end_gone(db, session))
    return changes


def interrupt(db: DbSession, session: Session, last_heard: datetime) -> Change:
    event_log.add_event(db, session, "interrupted", {"previous": session.state}, at=last_heard)
    session.state, session.interrupted_at = "interrupted", last_heard
    return Change(session.id, "interrupted")


def _state_before_interrupted(db: DbSession, session: Session) -> str:
    last = db.scalar(select(Event).where(Event.session_id == session.id, Event.kind == "interrupted")
                     .order_by(Event.at.desc(), Event.id.desc()).limit(1))
    previous = (last.data or {}).get("previous") if last is not None else None
    return previous if previous in ("running", "paused") else "running"


def rejoin(db: DbSession, session: Session, now: datetime) -> Change:
    session.state = _state_before_interrupted(db, session)
    event_log.add_event(db, session, "rejoined", {"away_s": round((now - session.interrupted_at).total_seconds())}, at=now)
    session.interrupted_at = None
    return Change(session.id, session.state)


@dataclass(frozen=True)
class RejoinPoint:
    """Where a headset that lost its page takes its open session up again."""

    session: Session
    start: HeadsetCommand  # the session's start command: what to play, for whom, in which language
    index: int | None  # the scene it last started; None: none yet (its profile panels come first)
    paused: bool


def rejoin_point(db: DbSession, headset: Headset) -> RejoinPoint | None:
    """The headset's newest open session and the scene it was in, or None (nothing to take up)."""
    session = db.scalar(select(Session).where(Session.headset_id == headset.id, Session.state.in_(OPEN_STATES))
                        .order_by(Session.id.desc()).limit(1))
    if session is None:
        return None
    start = session_control.start_command(db, session)
    if start is None:
        return None
    last_scene = db.scalar(select(Event).where(Event.session_id == session.id, Event.kind == "scene_start",
                                               ~Event.event_id.startswith(event_log.SERVICE_EVENT_PREFIX))
                           .order_by(Event.at.desc(), Event.id.desc()).limit(1))
    index = (last_scene.data or {}).get("index") if last_scene is not None else None
    state = _state_before_interrupted(db, session) if session.state == "interrupted" else session.state
    return RejoinPoint(session, start, index if isinstance(index, int) and index >= 0 else None, state == "paused")


def end_gone(db: DbSession, session: Session) -> Change:
    """End an interrupted session at the moment its headset was last heard of."""
    ended = session.interrupted_at
    session.state, session.ended_at, session.end_reason = "stopped", ended, "headset_gone"
    event_log.add_event(db, session, "session_end", {"reason": "headset weg", "by": "service"}, at=ended,
                    event_id=f"end-{session.id}")
    command = session_control.queue_command(db, session.headset, "stop", session, {"reason": "sessie beëindigd: headset weg"})
    return Change(session.id, "stopped", command)


def note_seen(db: DbSession, heard: dict[int, datetime]) -> None:
    """Store when online headsets were last heard (``Headset.last_seen_at``), at most every 30 s each."""
    if not heard:
        return
    for headset in db.scalars(select(Headset).where(Headset.id.in_(list(heard)))):
        at = heard[headset.id]
        if headset.last_seen_at is None or at - headset.last_seen_at >= LAST_SEEN_EVERY:
            headset.last_seen_at = at


def record_device_info(db: DbSession, headset: Headset, info: dict, now: datetime | None = None) -> None:
    """Battery and free storage as the device gave them (``battery``, ``charging``, ``free_bytes``),
    with the reason beside each value it could not give (``battery_reason``, ``storage_reason``)."""
    now = now or utcnow()
    headset.battery, headset.free_bytes = info.get("battery"), info.get("free_bytes")
    headset.device_info = {**{k: v for k, v in info.items() if v is not None},
                           "reported_at": now.isoformat(timespec="seconds") + "Z"}
