"""What becomes of a session when its headset goes away (catalog.presence): interrupted, back,
ended after the grace period with the end in the timeline, the CSV and xAPI; staff commands and
the headset's own end in the session's record. A fake clock throughout."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from catalog import Conflict, accounts, event_log, fleet, presence, reports, session_control

T0 = datetime(2026, 12, 3, 9, 0)
GRACE = timedelta(minutes=10)


@pytest.fixture
def db(catalog):
    with catalog.session() as s:
        yield s


class Heard:
    """What the service heard: headset id → last heard (naive UTC); online within 15 s of ``now``."""

    def __init__(self):
        self.at: dict[int, datetime] = {}
        self.now = T0

    def online(self, headset_id: int) -> bool:
        return headset_id in self.at and self.now - self.at[headset_id] < timedelta(seconds=15)

    def heard(self, headset_id: int) -> datetime | None:
        return self.at.get(headset_id)

    def watch(self, db):
        return presence.watch_sessions(db, online=self.online, heard=self.heard, grace=GRACE, now=self.now)


def headset(db, name: str):
    code, _ = fleet.create_pairing_code(db, headset_name=name, profile="quest2", now=T0)
    return fleet.pair_headset(db, code, now=T0)[1]


def session_on(db, h, learner: str | None = "K7F2"):
    session = session_control.start_session(db, context="intake", headset=h, learner_code=learner)
    session.started_at = T0
    return session


def test_a_session_whose_headset_goes_is_interrupted_comes_back_and_ends_after_the_grace(db):
    clock, quest, other = Heard(), headset(db, "Quest 1"), headset(db, "Quest 2")
    gone, stays = session_on(db, quest), session_on(db, other, learner="K9")
    clock.at = {quest.id: T0 + timedelta(seconds=30), other.id: T0 + timedelta(seconds=30)}
    clock.now = T0 + timedelta(seconds=40)
    assert clock.watch(db) == []

    session_control.control_session(db, gone, "pause", now=clock.now)
    clock.at[other.id] = clock.now = T0 + timedelta(seconds=46)  # Quest 1 last heard 16 s ago
    assert [(c.session_id, c.became) for c in clock.watch(db)] == [(gone.id, "interrupted")]
    assert (gone.state, gone.interrupted_at, stays.state) == ("interrupted", T0 + timedelta(seconds=30), "running")
    with pytest.raises(Conflict, match="onderbroken"):
        session_control.control_session(db, gone, "resume")

    clock.at[quest.id] = clock.now = T0 + timedelta(minutes=3)  # back: to the state it had (paused)
    clock.at[other.id] = clock.now
    assert [(c.session_id, c.became) for c in clock.watch(db)] == [(gone.id, "paused")]
    assert gone.interrupted_at is None

    clock.at[quest.id] = T0 + timedelta(minutes=3, seconds=30)  # heard a while, then gone for good
    clock.now = T0 + timedelta(minutes=4)
    clock.at[other.id] = clock.now
    clock.watch(db)
    assert gone.interrupted_at == T0 + timedelta(minutes=3, seconds=30)
    clock.now = T0 + timedelta(minutes=13, seconds=29)
    clock.at[other.id] = clock.now
    assert clock.watch(db) == []  # still within the grace period
    clock.now = T0 + timedelta(minutes=13, seconds=30)
    clock.at[other.id] = clock.now
    (change,) = clock.watch(db)
    assert change.became == "stopped" and change.command.command == "stop"
    assert (gone.state, gone.ended_at, gone.end_reason) == ("stopped", T0 + timedelta(minutes=3, seconds=30), "headset_gone")
    assert stays.state == "running" and stays.ended_at is None
    assert clock.watch(db) == []  # ended once

    steps = [(s.kind, s.detail) for s in reports.timeline(db, gone)]
    # the interruption is dated when the headset was last heard: before the pause that followed it
    assert steps == [("onderbroken: headset niet meer gehoord", ""), ("opdracht", "gepauzeerd"),
                     ("headset weer verbonden; sessie gaat verder", ""), ("onderbroken: headset niet meer gehoord", ""),
                     ("sessie beëindigd", "headset weg (geen verbinding meer)")]
    assert reports.timeline(db, gone)[-1].at == T0 + timedelta(minutes=3, seconds=30)

    period = reports.Period(date(2026, 12, 3), date(2026, 12, 3))
    row = next(r for r in reports.csv_rows(db, period) if r["session_id"] == gone.id)
    assert (row["state"], row["ended_at"], row["end_reason"]) == ("stopped", "2026-12-03T09:03:30Z",
                                                                  "headset weg (geen verbinding meer)")
    other_row = next(r for r in reports.csv_rows(db, period) if r["session_id"] == stays.id)
    assert (other_row["state"], other_row["ended_at"]) == ("running", "")
    statements = [s for s in reports.xapi_statements(db, period, homepage="https://roc.example")
                  if s["actor"]["account"]["name"] == "K7F2"]
    verbs = [(s["verb"]["display"]["en-US"], s["timestamp"]) for s in statements]
    assert ("terminated", "2026-12-03T09:03:30.000Z") in verbs
    assert [v for v, _ in verbs].count("suspended") == 2 and "resumed" in [v for v, _ in verbs]


def test_a_headset_never_heard_since_a_restart_counts_from_its_last_seen(db):
    clock, quest = Heard(), headset(db, "Quest 3")
    session = session_on(db, quest)
    quest.last_seen_at = T0 + timedelta(seconds=20)
    clock.now = T0 + timedelta(minutes=1)
    clock.watch(db)
    assert (session.state, session.interrupted_at) == ("interrupted", T0 + timedelta(seconds=20))


def test_staff_commands_are_in_the_timeline_with_the_role_not_the_name(db):
    teacher = accounts.create_user(db, username="tess", role="teacher", password="lesgeven-met-vr-2026",
                                   display_name="Tess Docent")
    session = session_control.start_session(db, context="werkveldorientatie")
    for command in ("pause", "resume", "recenter", "next", "stop"):
        session_control.control_session(db, session, command, now=session.started_at + timedelta(seconds=5), by=teacher)
    steps = reports.timeline(db, session)
    assert [s.detail for s in steps] == ["gepauzeerd door docent", "hervat door docent", "beeld hercentreerd door docent",
                                        "naar de volgende scène door docent", "gestopt door docent"]
    assert all("Tess" not in s.detail for s in steps)
    assert session.end_reason == "stopped"


def test_a_headset_that_ends_its_playlist_ends_the_session(db):
    session = session_control.start_session(db, context="intake")
    at = session.started_at + timedelta(minutes=2)
    event_log.ingest_events(db, session, [{"event_id": "end-of-list-1", "kind": "session_end", "at": at,
                                       "data": {"reason": "einde afspeellijst"}}])
    assert (session.state, session.ended_at, session.end_reason) == ("stopped", at, "finished")


def test_device_info_keeps_the_reason_beside_what_is_missing(db):
    quest = headset(db, "Quest 4")
    presence.record_device_info(db, quest, {"battery": None, "battery_reason": "browser geeft geen accustand",
                                            "free_bytes": 5_000_000_000, "storage_reason": None}, now=T0)
    assert (quest.battery, quest.free_bytes) == (None, 5_000_000_000)
    assert quest.device_info == {"battery_reason": "browser geeft geen accustand", "free_bytes": 5_000_000_000,
                                 "reported_at": "2026-12-03T09:00:00Z"}
