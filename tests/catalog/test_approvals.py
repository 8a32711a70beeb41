"""Made together: publishing a real script's scenes waits for a current approval of the school
side and the practice side; a change of the profile withdraws them; the profile hash ignores
the scenes, comments and layout; the CLI records an approval."""

from __future__ import annotations

import pytest

from catalog import ApprovalRequired, Footage, approvals, queries, signoffs
from scripts_vr.digest import profile_sha256_of_text
from scripts_vr.templates import minimal_script
from cli import main
from support import bundle_manifest

SCENE = """\
  - id: gang
    title: De gang
    footage: gang.jpg
    contexts: [intake]
    audience: {routes: [BOL], levels: [3]}
"""
SCRIPT = minimal_script(SCENE)


def draft(db, source: str, name: str = "testzorg"):
    footage = queries.footage_by_sha256(db, "a" * 64) or Footage(
        sha256="a" * 64, original_name="gang.jpg", store_path="aa/gang.jpg", size_bytes=1, media_kind="photo",
        codec="mjpeg", width=512, height=256, projection="equirectangular", stereo="mono")
    db.add(footage)
    sv = queries.record_script_version(db, name=name, organisation="Testzorg", care_category="ouderenzorg",
                                       sha256=str(hash(source)), source=source)
    scene = queries.scene_for(db, sv.script, "gang", 0)
    key = f"{name}-gang-{abs(hash(source))}"
    version = queries.record_scene_version(db, scene=scene, bundle_key=key, script_version=sv, footage=footage,
                                           title="De gang", manifest=bundle_manifest(key=key, title={"nl": "De gang"}))
    signoffs.sign_off(db, version, by="test")  # the privacy rule is separate; here it is met
    return version


def test_publishing_waits_for_both_sides_and_says_which_is_missing(catalog):
    profile = profile_sha256_of_text(SCRIPT)
    with catalog.session() as db:
        version = draft(db, SCRIPT)
        with pytest.raises(ApprovalRequired, match="zonder goedkeuring van de opleiding \\(school\\) en de praktijk") as refused:
            queries.publish(db, version)
        assert refused.value.sides == ["opleiding", "praktijk"]
        assert "zorgblik script approve testzorg --side opleiding" in refused.value.hint

        approvals.approve(db, "testzorg", side="opleiding", by="Jan Jansen", role="docent zorg", profile_sha256=profile)
        with pytest.raises(ApprovalRequired, match="zonder goedkeuring van de praktijk \\(zorgorganisatie\\) voor"):
            queries.publish(db, version)

        approvals.approve(db, "testzorg", side="praktijk", by="Marieke", role="praktijkopleider", profile_sha256=profile)
        queries.publish(db, version)
        assert version.status == "published"


def test_an_approval_of_another_profile_does_not_count_and_a_change_withdraws_it(catalog):
    changed = SCRIPT.replace("name: Team A", "name: Team B")
    old, new = profile_sha256_of_text(SCRIPT), profile_sha256_of_text(changed)
    assert old != new
    with catalog.session() as db:
        for side in approvals.APPROVAL_SIDES:
            approvals.approve(db, "testzorg", side=side, by="X", role="r", profile_sha256=old)
        with pytest.raises(ApprovalRequired):
            queries.publish(db, draft(db, changed))  # built from the changed profile

        withdrawn = approvals.profile_seen(db, "testzorg", new, reason="profiel gewijzigd op de pagina door Anouk")
        assert {a.side for a in withdrawn} == {"opleiding", "praktijk"}
        assert approvals.current(db, "testzorg", old) == {"opleiding": None, "praktijk": None}
        assert all(a.withdrawn_reason == "profiel gewijzigd op de pagina door Anouk" for a in approvals.history(db, "testzorg"))


def test_the_profile_hash_ignores_scenes_comments_and_layout_but_not_a_fact():
    base = profile_sha256_of_text(SCRIPT)
    assert profile_sha256_of_text(SCRIPT.replace("title: De gang", "title: De lange gang")) == base
    assert profile_sha256_of_text("# een opmerking\n" + SCRIPT.replace("  role: praktijkopleider\norganisation",
                                                                        "  role: 'praktijkopleider'\norganisation")) == base
    assert profile_sha256_of_text(SCRIPT.replace("audience: {routes: [BOL], levels: [3]}", "audience: 7")) == base
    assert profile_sha256_of_text(SCRIPT.replace("size: 10", "size: 11")) != base


def test_a_synthetic_bundle_whose_source_is_no_script_is_not_held_to_it(catalog):
    with catalog.session() as db:
        version = draft(db, "name: testzorg", name="synthetisch")
        queries.publish(db, version)
        assert version.status == "published"


def test_approve_needs_a_name_a_role_and_a_known_side(catalog):
    with catalog.session() as db:
        with pytest.raises(Exception, match="naam en een rol"):
            approvals.approve(db, "x", side="opleiding", by=" ", role="docent", profile_sha256="h")
        with pytest.raises(Exception, match="onbekende kant"):
            approvals.approve(db, "x", side="school", by="Jan", role="docent", profile_sha256="h")
        first = approvals.approve(db, "x", side="opleiding", by="Jan", role="docent", profile_sha256="h")
        assert approvals.approve(db, "x", side="opleiding", by="Piet", role="docent", profile_sha256="h") is first


def test_cli_approve_records_and_says_what_is_still_missing(settings, catalog, capsys):
    folder = settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "testzorg.yaml").write_text(SCRIPT, encoding="utf-8")
    data = ["--data", str(settings.data_dir)]
    assert main([*data, "script", "approve", "testzorg", "--side", "opleiding", "--by", "Jan Jansen",
                 "--role", "docent zorg"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("testzorg: profiel goedgekeurd namens de opleiding (school) door Jan Jansen (docent zorg) op ")
    assert out[1] == "  wacht nog op: praktijk (zorgorganisatie)"
    assert main([*data, "script", "approve", str(folder / "testzorg.yaml"), "--side", "praktijk", "--by", "Marieke",
                 "--role", "praktijkopleider"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "  beide kanten hebben goedgekeurd: publiceren kan"
    with catalog.session() as db:
        assert approvals.missing_sides(db, "testzorg", profile_sha256_of_text(SCRIPT)) == []
