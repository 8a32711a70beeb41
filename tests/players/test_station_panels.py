"""The station shows the same profile panels as the headset page, composed in Python from the
same manifest: welcome panels (with the learner's expectations) before an organisation's first
scene, its closing questions after its last, "next" and "Verder" moving past them, logged."""

from __future__ import annotations

from pathlib import Path

from headset_service.schemas import SyncManifest
from headset_service.station.session import EventLog, Session
from scripts_vr.profile_view import Learner, headset_profile, panel_lines, panels_around, script_from_text

DEMO = Path(__file__).parents[2] / "demo" / "scripts" / "de-linde-ouderenzorg.yaml"
BBL_3 = "Je draait na de inwerkperiode zelfstandig mee in de ochtendzorg."
BOL_3 = "Je stelt je voor aan elke bewoner voordat je iets doet."
PROMPT = "Wat spreekt je aan in dit werk, en wat vind je spannend?"
PROMPT_EN = "What draws you to this work, and what do you find exciting?"


def manifest() -> dict:
    script = script_from_text(DEMO.read_text(encoding="utf-8"))
    packs = {lang: headset_profile(script, lang) for lang in ("nl", "en")}
    return {"bundles": [{"bundle_key": "a", "script": "linde", "scene": "huiskamer"},
                        {"bundle_key": "b", "script": "linde", "scene": "tuin"},
                        {"bundle_key": "c", "script": "zonder-profiel", "scene": "gang"}],
            "profiles": {"linde": packs}}


def sync_manifest() -> SyncManifest:
    """The same bundles and profiles as a station keeps them: the sync manifest, whole."""
    m = manifest()
    bundles = [{**b, "version": 1, "title": {"nl": b["scene"]}, "media_kind": "video", "stereo": "mono",
                "rendition": "quest2", "bytes": 0, "files": []} for b in m["bundles"]]
    return SyncManifest(headset={"id": 1, "name": "Station", "profile": "quest2"}, playlists=[], bundles=bundles,
                        total_bytes=0, unplayable=[], remove=[], profiles=m["profiles"])


def test_panels_stand_before_the_first_and_after_the_last_scene_of_each_organisation():
    m = manifest()
    bundles = {b["bundle_key"]: b for b in m["bundles"]}
    at = panels_around(["c", "a", "b", "c"], bundles, m["profiles"], Learner("BBL", 3), "intake")
    assert {i: [p["kind"] for p in panels] for i, panels in at.items()} == {
        1: ["welcome", "expectations", "guidance"], 3: ["closing"]}
    assert BBL_3 in "\n".join(panel_lines(at[1][1])) and BOL_3 not in "\n".join(panel_lines(at[1][1]))
    assert panel_lines(at[3][0])[1:] == [f"• {PROMPT}"]
    unknown = panels_around(["a"], bundles, m["profiles"], Learner(), "intake")[0][1]
    assert "niet gekozen" in panel_lines(unknown)[1]


def test_the_closing_questions_are_those_of_the_scenes_played_for_the_context():
    m = manifest()
    bundles = {b["bundle_key"]: b for b in m["bundles"]}
    only_tuin = panels_around(["b"], bundles, m["profiles"], Learner(), "intake")[1][0]
    assert PROMPT not in panel_lines(only_tuin)[1] and "Wat is je bijgebleven?" in panel_lines(only_tuin)[1]
    lesson = panels_around(["a", "b"], bundles, m["profiles"], Learner(), "werkveldorientatie")[2][0]
    assert PROMPT not in "\n".join(panel_lines(lesson))  # that prompt is for intake and interviews


def test_the_station_session_shows_them_and_moves_past_them(tmp_path):
    shown = []
    s = Session(EventLog(tmp_path / "e.jsonl"), manifest=sync_manifest, on_panel=shown.append)
    s.handle({"command": "start", "session_id": 3, "payload": {
        "context": "intake", "scenes": ["a", "b"], "record_head_direction": False,
        "learner": {"route": "BBL", "level": 3, "year": None}}})
    assert s.panel["kind"] == "welcome" and s.scene is None  # nothing plays behind a panel
    s.panel_next()
    assert s.panel["kind"] == "expectations" and BBL_3 in panel_lines(s.panel)[2]
    s.handle({"command": "next", "session_id": 3})  # staff's next moves past a panel
    s.panel_next()
    assert (s.panel, s.scene) == (None, "a")
    s.scene_ended()
    s.scene_ended()
    assert s.panel["kind"] == "closing" and s.state == "playing"
    s.panel_next()
    assert s.state == "idle"
    story = [(i["event"]["kind"], i["event"]["data"].get("kind") or i["event"].get("bundle_key"))
             for i in s.log.pending()]
    assert story == [("session_start", None), ("panel_show", "welcome"), ("panel_end", "welcome"),
                     ("panel_show", "expectations"), ("panel_end", "expectations"), ("panel_show", "guidance"),
                     ("panel_end", "guidance"), ("scene_start", "a"), ("scene_end", "a"), ("scene_start", "b"),
                     ("scene_end", "b"), ("panel_show", "closing"), ("panel_end", "closing"), ("session_end", None)]
    assert [p["kind"] for p in shown] == ["welcome", "expectations", "guidance", "closing"]


def test_a_session_in_english_shows_the_panels_in_english_and_the_scripts_english_where_it_has_it(tmp_path):
    shown = []
    s = Session(EventLog(tmp_path / "e.jsonl"), manifest=sync_manifest, on_panel=shown.append)
    s.handle({"command": "start", "session_id": 5, "payload": {
        "context": "intake", "scenes": ["a"], "language": "en", "learner": {"route": "BBL", "level": 3, "year": None}}})
    assert panel_lines(s.panel)[0] == "Welcome to Zorggroep De Linde"
    s.panel_next()
    lines = panel_lines(s.panel)
    assert lines[:2] == ["What we expect of you", "For BBL level 3"]
    assert f"• {BBL_3}" in lines  # the script has this fact in Dutch only: it shows in Dutch
    s.panel_next(), s.panel_next(), s.scene_ended()
    assert panel_lines(s.panel) == ["Take into the conversation", f"• {PROMPT_EN}"]


def test_a_manifest_without_profiles_plays_as_before(tmp_path):
    s = Session(EventLog(tmp_path / "e.jsonl"))
    s.handle({"command": "start", "session_id": 4, "payload": {"context": "intake", "scenes": ["a"]}})
    assert (s.panel, s.scene) == (None, "a")
    s.handle({"command": "stop", "session_id": 4})
    assert [i["event"]["kind"] for i in s.log.pending()] == ["session_start", "scene_start", "scene_end", "session_end"]
