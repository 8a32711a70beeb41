"""Keeping session data no longer than needed, and a learner's right to see and erase theirs.

    purge_older_than(db, cutoff)     delete sessions started before ``cutoff``, with their events,
                                     notes and queued commands; returns how many sessions went
    retention_cutoff(months, now)    the moment ``months`` calendar months before ``now``
    learner_export(db, code)         everything kept about one pseudonymous learner, as plain data
    erase_learner(db, code)          delete it all (sessions, events, notes, outcome)

The service runs :func:`purge_older_than` daily (``headset_service.app``); ``zorgblik retention run``
does it by hand or from cron.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from catalog.models import Event, HeadsetCommand, LearnerOutcome, Session, SessionNote, utcnow
from catalog.reports import notes_of


def retention_cutoff(months: int, now: datetime | None = None) -> datetime:
    now = now or utcnow()
    year, month = divmod(now.year * 12 + (now.month - 1) - months, 12)
    day = min(now.day, 28)  # every month has a 28th: never an invalid date
    return now.replace(year=year, month=month + 1, day=day)


def _delete_sessions(db: DbSession, session_ids: list[int]) -> int:
    if not session_ids:
        return 0
    db.execute(delete(Event).where(Event.session_id.in_(session_ids)))
    db.execute(delete(SessionNote).where(SessionNote.session_id.in_(session_ids)))
    db.execute(delete(HeadsetCommand).where(HeadsetCommand.session_id.in_(session_ids)))
    db.execute(delete(Session).where(Session.id.in_(session_ids)))
    db.expire_all()
    return len(session_ids)


def purge_older_than(db: DbSession, cutoff: datetime) -> int:
    """Delete every session started before ``cutoff`` and all that hangs off it."""
    return _delete_sessions(db, list(db.scalars(select(Session.id).where(Session.started_at < cutoff))))


def _sessions_of(db: DbSession, code: str) -> list[Session]:
    return list(db.scalars(select(Session).where(Session.learner_code == code).order_by(Session.started_at)))


def learner_export(db: DbSession, code: str) -> dict:
    """Everything kept about learner ``code``: sessions with their events and notes, and the outcome."""
    sessions = []
    for s in _sessions_of(db, code):
        notes = notes_of(db, s)
        sessions.append({
            "id": s.id, "context": s.context, "started_at": s.started_at.isoformat(),
            "ended_at": s.ended_at.isoformat() if s.ended_at else None, "state": s.state,
            "events": [{"kind": e.kind, "at": e.at.isoformat(), "data": e.data} for e in s.events],
            "notes": [{"at": n.created_at.isoformat(), "text": n.text} for n in notes],
        })
    outcome = db.scalar(select(LearnerOutcome).where(LearnerOutcome.learner_code == code))
    return {"learner_code": code, "sessions": sessions,
            "outcome": None if outcome is None else {
                "cohort": outcome.cohort, "care_category": outcome.care_category, "started": outcome.started,
                "enrolled_after": outcome.enrolled_after, "period_months": outcome.period_months}}


def erase_learner(db: DbSession, code: str) -> int:
    """Delete all data of learner ``code``; returns how many sessions went."""
    count = _delete_sessions(db, [s.id for s in _sessions_of(db, code)])
    db.execute(delete(LearnerOutcome).where(LearnerOutcome.learner_code == code))
    return count
