"""Sessions and their events. Event batches are idempotent by event id: a retry stores nothing twice."""

from __future__ import annotations

from fastapi import APIRouter

from catalog import queries
from headset_service.deps import DbDep
from headset_service.schemas import EventBatch, EventBatchResult, SessionCreate, SessionPublic

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


@router.post("", response_model=SessionPublic, status_code=201)
def create_session(body: SessionCreate, db: DbDep) -> SessionPublic:
    session = queries.start_session(db, context=body.context, learner_code=body.learner_code)
    return SessionPublic.model_validate(session, from_attributes=True)


@router.post("/{session_id}/events", response_model=EventBatchResult)
def post_events(session_id: int, batch: EventBatch, db: DbDep) -> EventBatchResult:
    session = queries.get_session(db, session_id)
    events = []
    for e in batch.events:
        scene_version_id = queries.scene_version_by_bundle_key(db, e.bundle_key).id if e.bundle_key else None
        data = dict(e.data)
        if e.kind == "head_direction" and session.context == "sollicitatie":
            continue  # candidates are not judged by where they looked: never stored in interviews
        events.append({"event_id": e.event_id, "kind": e.kind, "at": e.at.replace(tzinfo=None),
                       "scene_version_id": scene_version_id, "data": data})
        if e.kind == "session_end" and session.ended_at is None:
            session.ended_at = e.at.replace(tzinfo=None)
    stored = queries.add_events(db, session, events) if events else 0
    return EventBatchResult(received=len(batch.events), stored=stored)


@router.get("/{session_id}/events")
def list_events(session_id: int, db: DbDep) -> list[dict]:
    session = queries.get_session(db, session_id)
    return [{"event_id": e.event_id, "kind": e.kind, "at": e.at.isoformat(), "data": e.data} for e in session.events]
