"""Session data older than the retention period goes (by the daily job or the CLI); one learner's
data can be exported and erased on request, from the admin page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from catalog import event_log, reports, retention, session_control
from catalog.models import Event, Session, SessionNote
from cli import main


def seed(db, code: str, started: datetime) -> int:
    session = session_control.start_session(db, context="intake", learner_code=code)
    session.started_at = started
    event_log.ingest_events(db, session, [{"event_id": f"evt-{code}-{started:%Y%m%d}", "kind": "session_start",
                                       "at": started, "scene_version_id": None, "data": {}}])
    reports.add_note(db, session, "Vroeg naar de nachtdienst.")
    return session.id


def test_retention_cutoff_counts_calendar_months():
    assert retention.retention_cutoff(12, datetime(2026, 11, 24, 9)) == datetime(2025, 11, 24, 9)
    assert retention.retention_cutoff(1, datetime(2026, 3, 31)) == datetime(2026, 2, 28)


def test_old_sessions_go_with_their_events_and_notes(catalog, settings, capsys):
    now = datetime(2026, 11, 24, 9)
    with catalog.session() as db:
        seed(db, "OUD1", now - timedelta(days=400))
        kept = seed(db, "NIEUW1", now - timedelta(days=30))
    with catalog.session() as db:
        assert retention.purge_older_than(db, retention.retention_cutoff(12, now)) == 1
    with catalog.session() as db:
        assert [s.id for s in db.query(Session)] == [kept]
        assert db.query(Event).count() == 1 and db.query(SessionNote).count() == 1
        seed(db, "OUD2", datetime.now() - timedelta(days=800))
    assert main(["--data", str(settings.data_dir), "retention", "run"]) == 0
    assert "1 sessies" in capsys.readouterr().out


def test_admin_exports_and_erases_one_learner(site, open_as, shoot):
    with site.catalog.session() as db:
        seed(db, "WIS9", datetime.now() - timedelta(days=3))
        seed(db, "BLIJF3", datetime.now() - timedelta(days=3))
    page = open_as("admin")
    page.get_by_role("link", name="Beheer", exact=True).first.click()
    page.get_by_label("Leerlingcode", exact=True).fill("WIS9")
    with page.expect_download() as download:
        page.get_by_role("button", name="Gegevens downloaden (JSON)").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["learner_code"] == "WIS9" and exported["sessions"][0]["notes"][0]["text"] == "Vroeg naar de nachtdienst."
    page.get_by_label("Leerlingcode om te wissen").fill("WIS9")
    page.get_by_label("Typ de code nog een keer").fill("WIS9")
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_role("status")).to_have_text("Alle gegevens van WIS9 zijn gewist (1 sessies).")
    shoot(page, "admin")
    with site.catalog.session() as db:
        assert retention.learner_export(db, "WIS9")["sessions"] == []
        assert len(retention.learner_export(db, "BLIJF3")["sessions"]) == 1
