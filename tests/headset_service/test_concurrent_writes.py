"""SQLite takes one writer at a time; the service must make the others wait, never answer 500
"database is locked": 50 event batches from 10 headsets posted at the same moment, while staff
write too (issue 14, item 12; bench/service_events.py measures it at 50 headsets × 5 Hz)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import APIRouter

from headset_service.deps import DbDep, UnitOfWorkRoute

WRITERS = 50


def test_fifty_event_batches_at_once_are_all_stored_without_a_lock_error(harness):
    key = harness.bundle("huiskamer")
    intake = harness.staff("intake")
    headsets = [harness.enrol(harness.unique("Quest")) for _ in range(10)]
    sessions = [(token, intake.post("/api/sessions", json={"context": "intake", "headset_id": headset_id}).json()["id"])
                for headset_id, token in headsets]
    clients = {token: harness.client(token) for token, _ in sessions}
    go = threading.Barrier(WRITERS + 2)

    def post(n: int):
        token, session = sessions[n % len(sessions)]
        batch = {"events": [{"event_id": str(uuid.uuid4()), "kind": "hotspot_open", "at": f"2026-11-24T09:{n:02d}:{s:02d}Z",
                             "bundle_key": key, "data": {"hotspot": "tafel"}} for s in range(5)]}
        go.wait()
        return clients[token].post(f"/api/sessions/{session}/events", json=batch)

    def staff_writes():
        go.wait()
        return [intake.post("/api/sessions", json={"context": "intake"}) for _ in range(5)]

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        posts = [pool.submit(post, n) for n in range(WRITERS)]
        staff = pool.submit(staff_writes)
        go.wait()
        answers = [f.result() for f in posts]
        staff_answers = staff.result()
    failed = [(a.status_code, a.text[:200]) for a in answers + staff_answers if a.status_code >= 400]
    assert failed == []
    assert sum(a.json()["stored"] for a in answers) == WRITERS * 5


def test_a_handler_that_may_write_cannot_be_async():
    """An ``async`` handler runs in the event loop after its dependencies read (the sign-in), so it
    cannot be wrapped, as a plain one is, to take the write lock first: it would write in a
    transaction that read first ("database is locked" on SQLite). The route refuses it."""
    router = APIRouter(route_class=UnitOfWorkRoute)
    with pytest.raises(TypeError, match="plain def"):
        @router.post("/schrijft")
        async def writes(db: DbDep) -> None: ...

    @router.get("/leest")
    async def reads(db: DbDep) -> None: ...  # a page that only reads may be async
