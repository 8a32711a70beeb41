"""Erasing a learner on Beheer removes their code and notes from the database files themselves,
not only from what queries see: the SQLite WAL file and freed pages kept them until a checkpoint
and beyond (issue #14, item 17a); on PostgreSQL a deleted row stays in its table's file until the
table is rewritten."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from catalog import event_log, reports, session_control
from catalog.db import ERASED_TABLES
from headset_service.csrf import _derived

CODE = "WQZ8XK"
NOTE = "Notitie-om-te-wissen-Yb41: vroeg naar de nachtdienst"


def _raw_files(harness) -> dict[str, bytes]:
    """The files the catalog's rows live in: SQLite's database and WAL, or PostgreSQL's files of the
    tables an erasure touches (and the server's WAL is not ours to read: it is the server's log)."""
    engine = harness.catalog.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")  # the server writes its buffers into the table files now
            home = Path(conn.exec_driver_sql("SHOW data_directory").scalar())
            files = {t: home / conn.exec_driver_sql(f"SELECT pg_relation_filepath('{t}')").scalar()
                     for t in ERASED_TABLES}
        return {t: p.read_bytes() for t, p in files.items() if p.exists()}
    database = Path(harness.settings.catalog_url.removeprefix("sqlite:///"))
    return {p.name: p.read_bytes() for p in (database, database.with_name(database.name + "-wal")) if p.exists()}


def test_erasing_a_learner_leaves_no_code_or_note_in_the_database_files(harness):
    with harness.catalog.session() as db:
        session = session_control.start_session(db, context="intake", learner_code=CODE)
        event_log.ingest_events(db, session, [{"event_id": f"evt-{CODE}", "kind": "session_start", "at": datetime.now(),
                                           "scene_version_id": None, "data": {"learner": CODE}}])
        reports.add_note(db, session, NOTE)
    assert any(CODE.encode() in raw for raw in _raw_files(harness).values())  # the test sees it before
    admin = harness.staff("admin")
    csrf = _derived(admin.headers["Authorization"].removeprefix("Bearer "))
    answer = admin.post("/beheer/leerling/wissen", data={"csrf": csrf, "code": CODE, "confirm": CODE})
    assert answer.status_code == 303, answer.text
    for name, raw in _raw_files(harness).items():
        assert CODE.encode() not in raw, f"{CODE} still in {name}"
        assert NOTE.encode() not in raw, f"the note still in {name}"
