"""What happens in a session: the events a headset sends in batches (idempotent by event id), and
those the service records itself (commands, interruptions, ends) beside them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from catalog.errors import CatalogError
from catalog.models import Event, Session

HEAD_DIRECTION_MIN_GAP_S = 0.19  # at most 5 Hz, with 10 ms for clock jitter


SERVICE_EVENT_PREFIX = "svc-"  # event ids of what the service recorded itself; a headset's are uuids


def is_service_event(event: Event) -> bool:
    return event.event_id.startswith(SERVICE_EVENT_PREFIX)


def add_event(db: DbSession, session: Session, kind: str, data: dict, *, at: datetime,
              event_id: str | None = None) -> Event:
    """An event the service itself records (a command, an interruption, an end): beside the headset's."""
    event = Event(event_id=SERVICE_EVENT_PREFIX + (event_id or uuid.uuid4().hex), session_id=session.id, kind=kind, at=at, data=data)
    db.add(event)
    db.flush()
    return event


def _insert_new(db: DbSession, rows: list[dict]) -> int:
    """Insert ``rows`` into events, skipping event ids already stored (also by a concurrent batch)."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the catalog supports SQLite and PostgreSQL
        raise CatalogError(f"database {dialect} wordt niet ondersteund")
    stmt = insert(Event).values(rows).on_conflict_do_nothing(index_elements=["event_id"]).returning(Event.event_id)
    # the ids it returns are those it stored (psycopg gives no row count for a many-row insert)
    return len(db.connection().execute(stmt).all())


def ingest_events(db: DbSession, session: Session, events: list[dict]) -> tuple[int, int]:
    """Store a batch of events for ``session``; returns (stored, skipped).

    Each event is a dict with ``event_id``, ``kind``, ``at`` (naive UTC), ``scene_version_id``
    and ``data``. Skipped are: event ids stored before (retries), head direction in a session that
    does not record it, and head-direction samples closer than 1/5 s to the previous one kept.
    """
    keep = [e for e in events if e["kind"] != "head_direction"]
    heads = sorted((e for e in events if e["kind"] == "head_direction"), key=lambda e: e["at"])
    if heads and session.record_head_direction:
        last = db.scalar(select(func.max(Event.at)).where(Event.session_id == session.id, Event.kind == "head_direction"))
        for e in heads:
            if last is None or (e["at"] - last).total_seconds() >= HEAD_DIRECTION_MIN_GAP_S:
                keep.append(e)
                last = e["at"]
    rows = [{"event_id": e["event_id"], "session_id": session.id, "kind": e["kind"], "at": e["at"],
             "scene_version_id": e.get("scene_version_id"), "data": e.get("data") or {}} for e in keep]
    stored = _insert_new(db, rows) if rows else 0
    for e in events:
        if e["kind"] == "session_end":
            end_on_headset(session, e["at"], (e.get("data") or {}).get("reason"))
    return stored, len(events) - stored


def end_on_headset(session: Session, at: datetime, reason: str | None) -> None:
    """The headset ended the session (its playlist ran out, or it was told to): it is over here too."""
    if session.ended_at is None:
        session.ended_at = at
    if session.state != "stopped":
        session.state = "stopped"
        session.interrupted_at = None
        session.end_reason = session.end_reason or ("finished" if reason == "einde afspeellijst" else "ended_on_headset")
