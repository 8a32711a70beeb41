"""The catalog side of headsets, pairing, playlists and events, without the service."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from catalog import Conflict, NotFound, accounts, fleet
from catalog.db import make_engine, migrate


@pytest.fixture
def db(catalog):
    with catalog.session() as s:
        yield s


def test_a_pairing_code_expires_and_works_once(db):
    now = datetime(2026, 11, 24, 9, 0)
    code, _ = fleet.create_pairing_code(db, headset_name="Quest 1", profile="quest2", now=now)
    with pytest.raises(NotFound):
        fleet.pair_headset(db, code, now=now + fleet.PAIRING_LIFETIME + timedelta(seconds=1))
    token, headset = fleet.pair_headset(db, code.lower(), now=now + timedelta(minutes=1))
    assert fleet.headset_for_token(db, token) is headset and headset.token_sha256 != token
    with pytest.raises(NotFound):
        fleet.pair_headset(db, code, now=now + timedelta(minutes=2))
    fleet.revoke_headset(db, headset)
    assert fleet.headset_for_token(db, token) is None


def test_events_store_once_and_head_direction_follows_the_session(db):
    session = fleet.start_session(db, context="intake")
    at = datetime(2026, 11, 24, 9, 0)
    events = [{"event_id": f"e-{n}", "kind": "head_direction", "at": at + timedelta(milliseconds=100 * n),
               "data": {"yaw": n}} for n in range(10)]
    assert fleet.ingest_events(db, session, events) == (5, 5)
    assert fleet.ingest_events(db, session, events) == (0, 10)
    interview = fleet.start_session(db, context="sollicitatie")
    assert interview.record_head_direction is False
    assert fleet.ingest_events(db, interview, [{**e, "event_id": e["event_id"] + "i"} for e in events]) == (0, 10)


def test_session_commands_follow_the_state(db):
    session = fleet.start_session(db, context="werkveldorientatie")
    with pytest.raises(Conflict):
        fleet.control_session(db, session, "resume")
    fleet.control_session(db, session, "pause")
    fleet.control_session(db, session, "stop")
    assert session.state == "stopped" and session.ended_at is not None
    with pytest.raises(Conflict):
        fleet.control_session(db, session, "recenter")


def test_passwords_are_argon2id_and_short_ones_refused(db):
    with pytest.raises(accounts.AccountError):
        accounts.create_user(db, username="x", role="admin", password="kort")
    user = accounts.create_user(db, username="Anna", role="hr", password="een-lang-wachtwoord")
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(db, "anna", "een-lang-wachtwoord") is user
    assert accounts.authenticate(db, "anna", "verkeerd-wachtwoord") is None
    token = accounts.open_login(db, user)
    assert accounts.user_for_token(db, token) is user
    accounts.update_user(db, user, active=False)
    assert accounts.user_for_token(db, token) is None


def test_0004_keeps_existing_sessions_with_head_direction_off(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sessions (context, started_at) VALUES ('intake', '2026-01-01')"))
    migrate(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT state, record_head_direction, headset_id FROM sessions")).one()
    assert tuple(row) == ("running", 0, None)
    engine.dispose()
