"""The catalog side of headsets, pairing, playlists and events, without the service."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from catalog import Conflict, NotFound, accounts, event_log, fleet, playlists, session_control
from catalog.db import make_engine, migrate
from support import bundle_manifest


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
    session = session_control.start_session(db, context="intake")
    at = datetime(2026, 11, 24, 9, 0)
    events = [{"event_id": f"e-{n}", "kind": "head_direction", "at": at + timedelta(milliseconds=100 * n),
               "data": {"yaw": n}} for n in range(10)]
    assert event_log.ingest_events(db, session, events) == (5, 5)
    assert event_log.ingest_events(db, session, events) == (0, 10)
    interview = session_control.start_session(db, context="sollicitatie")
    assert interview.record_head_direction is False
    assert event_log.ingest_events(db, interview, [{**e, "event_id": e["event_id"] + "i"} for e in events]) == (0, 10)


def test_session_commands_follow_the_state(db):
    session = session_control.start_session(db, context="werkveldorientatie")
    with pytest.raises(Conflict):
        session_control.control_session(db, session, "resume")
    session_control.control_session(db, session, "pause")
    session_control.control_session(db, session, "stop")
    assert session.state == "stopped" and session.ended_at is not None
    with pytest.raises(Conflict):
        session_control.control_session(db, session, "recenter")


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


def _playlist_with_a_scene(db, context: str = "intake"):
    from catalog.models import Footage, Scene, SceneVersion, Script, ScriptVersion

    footage = Footage(sha256="f" * 64, original_name="a.mp4", store_path="a.mp4", size_bytes=1, media_kind="video",
                      codec="h264", width=2, height=1, projection="equirectangular", stereo="mono")
    script = Script(name="s", organisation="De Linde", care_category="ouderenzorg")
    db.add_all([footage, script])
    db.flush()
    script_version = ScriptVersion(script_id=script.id, sha256="1" * 64, source="")
    scene = Scene(script_id=script.id, slug="huiskamer")
    db.add_all([script_version, scene])
    db.flush()
    db.add(SceneVersion(scene_id=scene.id, number=1, bundle_key="s-huiskamer-1", script_version_id=script_version.id,
                        footage_id=footage.id, status="published", title="Huiskamer",
                        manifest=bundle_manifest(key="s-huiskamer-1", contexts=[context])))
    db.flush()
    return playlists.create_playlist(db, name=f"Lijst {context}", context=context, scenes=[scene])


def test_starting_a_session_puts_the_playlist_on_the_headset(db):
    """Staff who run sessions never assign playlists: starting one on a headset is the assignment."""
    playlist = _playlist_with_a_scene(db)
    code, _ = fleet.create_pairing_code(db, headset_name="Quest 1", profile="quest2")
    _, headset = fleet.pair_headset(db, code)
    assert fleet.headset_playlists(headset) == []
    session = session_control.start_session(db, context="intake", headset=headset, playlist=playlist, route="BBL", level=3)
    assert fleet.headset_playlists(headset) == [playlist]
    start = session_control.start_command(db, session)
    assert start.payload["scenes"] == ["s-huiskamer-1"]
    assert start.payload["learner"] == {"route": "BBL", "level": 3, "year": None}
    assert (session.route, session.level, session.year) == ("BBL", 3, None)


def test_an_interview_never_records_head_direction_and_bad_learner_facts_are_refused(db):
    from catalog import CatalogError

    assert session_control.start_session(db, context="sollicitatie", record_head_direction=True).record_head_direction is False
    assert session_control.start_session(db, context="intake", record_head_direction=False).record_head_direction is False
    with pytest.raises(CatalogError, match="leerweg"):
        session_control.start_session(db, context="intake", route="HBO")
    with pytest.raises(CatalogError, match="niveau"):
        session_control.start_session(db, context="intake", level=6)


def test_an_outstanding_pairing_code_is_listed_and_can_be_withdrawn(db):
    now = datetime(2026, 12, 3, 9, 0)
    code, row = fleet.create_pairing_code(db, headset_name="Quest 9", profile="quest2", now=now)
    assert fleet.outstanding_pairing_codes(db, now=now + timedelta(minutes=1)) == [row]
    assert fleet.outstanding_pairing_codes(db, now=now + fleet.PAIRING_LIFETIME + timedelta(seconds=1)) == []
    fleet.withdraw_pairing_code(db, row.id)
    with pytest.raises(NotFound):
        fleet.pair_headset(db, code, now=now + timedelta(minutes=1))
    with pytest.raises(NotFound):
        fleet.withdraw_pairing_code(db, row.id)

