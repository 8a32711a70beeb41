"""Playlists in the catalog: which scenes fit (context, route, level, with the reason when not),
making, ordering, renaming and deleting them, per-item photo seconds and waiting, and what a
headset's start command says of each scene."""

from __future__ import annotations

import pytest

from catalog import CatalogError, Conflict, Misfit, SceneVersion, fleet, playlists, queries, session_control
from catalog.playlists import ItemSpec
from support import bundle_manifest, synthetic_bundle

BOTH = {"routes": ["BOL", "BBL"], "levels": [1, 2, 3, 4]}


def version(contexts=("intake",), audience=BOTH, status="published") -> SceneVersion:
    manifest = bundle_manifest(title={"nl": "De huiskamer"}, contexts=list(contexts), audience=audience)
    return SceneVersion(title="huiskamer", status=status, manifest=manifest)


@pytest.mark.parametrize(("scene", "playlist", "reason"), [
    pytest.param(version(), {"context": "intake"}, None, id="fits"),
    pytest.param(version(), {"context": "intake", "route": "BBL", "level": 2}, None, id="fits-audience"),
    pytest.param(version(audience=None), {"context": "intake", "route": "BOL", "level": 1}, None,
                 id="no-audience-in-manifest-fits"),
    pytest.param(version(contexts=("intake", "werkveldorientatie")), {"context": "sollicitatie"},
                 "«De huiskamer» past niet bij Sollicitatie: de scène is gemaakt voor Intake en Werkveldoriëntatie",
                 id="context"),
    pytest.param(version(contexts=("sollicitatie",), audience={"routes": ["BOL"], "levels": [3]}),
                 {"context": "sollicitatie"}, "«De huiskamer» is voor BOL-leerlingen; Sollicitatie is alleen voor BBL",
                 id="route-of-context"),
    pytest.param(version(audience={"routes": ["BBL"], "levels": [3]}), {"context": "intake", "route": "BOL"},
                 "«De huiskamer» is voor BBL-leerlingen, deze afspeellijst voor BOL", id="route"),
    pytest.param(version(audience={"routes": ["BOL"], "levels": [3, 4]}), {"context": "intake", "level": 2},
                 "«De huiskamer» is voor niveau 3 en 4, deze afspeellijst voor niveau 2", id="level"),
    pytest.param(version(status="draft"), {"context": "intake"}, "deze scène heeft geen gepubliceerde versie",
                 id="not-published"),
])
def test_misfit_says_why_a_scene_does_not_fit(scene, playlist, reason):
    assert playlists.misfit(scene, **playlist) == reason


@pytest.fixture
def scenes(settings, catalog):
    """Published scenes: a video for intake (BOL 3-4), a photo for intake and orientation, an interview video (BBL)."""
    def make(scene, kind, contexts, audience):
        files = [("scene.quest2.mp4" if kind == "video" else "scene.quest2.jpg", "media", b"x" * 100, "quest2")]
        manifest = {"title": {"nl": scene.capitalize()}, "media_kind": kind,
                    "stereo": "mono", "profile": "quest2", "duration_s": 60.0 if kind == "video" else None,
                    "contexts": contexts, "audience": audience}
        return synthetic_bundle(settings, catalog, script="de-linde-ouderenzorg", scene=scene, files=files,
                                manifest=manifest)

    keys = {"huiskamer": make("huiskamer", "video", ["intake"], {"routes": ["BOL"], "levels": [3, 4]}),
            "tuin": make("tuin", "photo", ["intake", "werkveldorientatie"], BOTH),
            "avond": make("avond", "video", ["sollicitatie"], {"routes": ["BBL"], "levels": [3]})}
    with catalog.session() as db:
        return {name: queries.scene_version_by_bundle_key(db, key).scene_id for name, key in keys.items()} | {
            "keys": keys}


@pytest.fixture
def db(catalog):
    with catalog.session() as s:
        yield s


def scene(db, scenes, name):
    return playlists.find_scene(db, "de-linde-ouderenzorg", name)


def test_make_order_rename_and_set_item_settings(db, scenes):
    tuin, huiskamer = scene(db, scenes, "tuin"), scene(db, scenes, "huiskamer")
    made = playlists.create_playlist(db, name="Intake VVT", context="intake", route="BOL", level=3,
                                     items=[ItemSpec(huiskamer), ItemSpec(tuin, photo_seconds=20, wait_for_staff=True)])
    assert [i.scene.slug for i in made.items] == ["huiskamer", "tuin"]
    specs = playlists.item_specs(made)
    playlists.set_items(db, made, [specs[1], specs[0]])
    assert [(i.scene.slug, i.photo_seconds, i.wait_for_staff) for i in made.items] == [
        ("tuin", 20.0, True), ("huiskamer", None, None)]
    playlists.rename_playlist(db, made, "  Intake ouderenzorg ")
    assert made.name == "Intake ouderenzorg"
    playlists.create_playlist(db, name="Les 1", context="werkveldorientatie", scenes=[tuin])
    with pytest.raises(Conflict, match="bestaat al"):
        playlists.rename_playlist(db, made, "Les 1")


def test_what_does_not_fit_is_refused_with_the_reason_and_changes_nothing(db, scenes):
    tuin, huiskamer, avond = (scene(db, scenes, n) for n in ("tuin", "huiskamer", "avond"))
    made = playlists.create_playlist(db, name="Intake", context="intake", scenes=[huiskamer])
    with pytest.raises(Misfit, match="«Avond» past niet bij Intake: de scène is gemaakt voor Sollicitatie"):
        playlists.set_items(db, made, [ItemSpec(huiskamer), ItemSpec(avond)])
    with pytest.raises(Misfit, match="«Huiskamer» is een video"):
        playlists.set_items(db, made, [ItemSpec(huiskamer, photo_seconds=10)])
    with pytest.raises(CatalogError, match="weergaveduur 601 s"):
        playlists.set_items(db, made, [ItemSpec(tuin, photo_seconds=601)])
    with pytest.raises(Misfit, match="«Huiskamer» is voor BOL-leerlingen, deze afspeellijst voor BBL"):
        playlists.set_audience(db, made, route="BBL", level=None)
    with pytest.raises(Misfit, match="Sollicitatie is alleen voor BBL, niet voor BOL"):
        playlists.create_playlist(db, name="Gesprek", context="sollicitatie", route="BOL")
    assert [i.scene.slug for i in made.items] == ["huiskamer"] and made.route is None
    playlists.set_audience(db, made, route="BOL", level=4)
    assert (made.route, made.level) == ("BOL", 4)


def test_start_command_carries_each_scenes_photo_seconds_and_wait(db, scenes):
    tuin, huiskamer = scene(db, scenes, "tuin"), scene(db, scenes, "huiskamer")
    lesson = playlists.create_playlist(db, name="Les", context="werkveldorientatie",
                                       items=[ItemSpec(tuin, photo_seconds=15), ItemSpec(tuin, wait_for_staff=False)])
    intake = playlists.create_playlist(db, name="Intake", context="intake",
                                       items=[ItemSpec(huiskamer), ItemSpec(tuin, wait_for_staff=True)])
    code, _ = fleet.create_pairing_code(db, headset_name="Quest 1", profile="quest2")
    _, headset = fleet.pair_headset(db, code)
    headset.playlists.extend([lesson, intake])
    db.flush()
    keys = scenes["keys"]
    for playlist, items in [
        (lesson, [{"bundle_key": keys["tuin"], "photo_seconds": 15.0, "wait_for_staff": True},  # a class waits
                  {"bundle_key": keys["tuin"], "photo_seconds": None, "wait_for_staff": False}]),
        (intake, [{"bundle_key": keys["huiskamer"], "photo_seconds": None, "wait_for_staff": False},
                  {"bundle_key": keys["tuin"], "photo_seconds": None, "wait_for_staff": True}]),
    ]:
        session = session_control.start_session(db, context=playlist.context, headset=headset, playlist=playlist)
        payload = session_control.start_command(db, session).payload
        assert payload["items"] == items
        assert payload["scenes"] == [i["bundle_key"] for i in items]


def test_a_playlist_in_use_is_not_deleted_and_past_sessions_keep_their_history(db, scenes):
    made = playlists.create_playlist(db, name="Intake", context="intake", scenes=[scene(db, scenes, "huiskamer")])
    code, _ = fleet.create_pairing_code(db, headset_name="Quest 7", profile="quest2")
    _, headset = fleet.pair_headset(db, code)
    headset.playlists.append(made)
    db.flush()
    session = session_control.start_session(db, context="intake", headset=headset, playlist=made)
    with pytest.raises(Conflict, match=f"afspeellijst Intake is in gebruik \\(sessie {session.id} op Quest 7\\)"):
        playlists.delete_playlist(db, made)
    session_control.control_session(db, session, "stop")
    playlists.delete_playlist(db, made)
    db.expire_all()
    assert playlists.list_playlists(db) == [] and headset.playlists == []
    assert session.playlist_id is None and session.state == "stopped"


def test_a_withdrawn_scene_stays_listed_and_does_not_block_changes(db, scenes):
    tuin, huiskamer = scene(db, scenes, "tuin"), scene(db, scenes, "huiskamer")
    made = playlists.create_playlist(db, name="Intake", context="intake", scenes=[huiskamer, tuin])
    queries.withdraw(db, queries.scene_version_by_bundle_key(db, scenes["keys"]["huiskamer"]))
    specs = playlists.item_specs(made)
    playlists.set_items(db, made, [ItemSpec(tuin, photo_seconds=30), specs[0]])
    assert [i.scene.slug for i in made.items] == ["tuin", "huiskamer"]
    assert [i["bundle_key"] for i in playlists.start_items(made)] == [scenes["keys"]["tuin"]]
    with pytest.raises(Misfit, match="scène de-linde-ouderenzorg/huiskamer heeft geen gepubliceerde versie"):
        playlists.set_items(db, playlists.create_playlist(db, name="Nieuw", context="intake"), [ItemSpec(huiskamer)])
