"""The schema: which scripts are valid, and the exact Dutch problem (with line:col) for those that are not.

Every case edits conftest.MINIMAL; positions refer to that text after the edit.
"""

from __future__ import annotations

import pytest

from scripts_vr import VRScript, lint_file, load_script, plain
from scripts_vr.model import FootageRef, Volatile, parse_time

VALID = [
    pytest.param(("title: De gang", "title: {nl: De gang, en: The corridor}"), id="text-with-english"),
    pytest.param(("size: 8}", "size: {value: 8, owner: Piet, review_by: 2027-03-01}}"), id="volatile-number"),
    pytest.param(("size: 8}", "size: {value: 8, review_by: 2027-03-01}}"), id="volatile-without-owner"),
    pytest.param(("in: 0", "in: 00:00:01.5"), id="time-hh-mm-ss"),
    pytest.param(("out: 60", "out: '1:00.250'"), id="time-quoted-mm-ss"),
    pytest.param(("footage: sha256:" + "a" * 64, "footage: footage:12"), id="catalog-footage"),
    pytest.param(("out: 60\n", "out: 60\n    level: {yaw: 0, pitch: 2, roll: -1.5}\n"), id="level"),
    pytest.param(("care_category: ouderenzorg", "care_category: custom\ncustom_category: Revalidatie"), id="custom"),
    pytest.param(("scenes:\n", "capacities: [{name: Lef, where_it_stands: Overal, what_it_develops: Moed}]\nscenes:\n"),
                 id="capacities"),
    pytest.param(("contexts: [intake]", "contexts: [intake, sollicitatie, werkveldorientatie]"), id="all-contexts"),
    pytest.param(("format: zorgblik-vr-script/2", "format: zorgblik-vr-script/1"), id="format-1-is-read-as-2"),
    pytest.param(("size: 8}", "size: 8, learning_profile: {description: Samen, learning_preferences: [oefenen], "
                  "learning_now: [{value: Scholing, review_by: 2027-03-01}]}}"), id="team-learning-profile"),
    pytest.param(("expectations:", "places: [{route: BOL, level: 3, year: 1, count: 2}, "
                  "{route: BBL, level: 3, count: {value: 0, review_by: 2027-03-01}}]\nexpectations:"), id="places"),
    pytest.param(("studentcoach: false}", "studentcoach: false, supervisor: {kind: delegerend, "
                  "learning_preferences: {value: [ontdekken, oefenen], review_by: 2027-03-01}, trained: false}}"),
                 id="supervisor-profile"),
    pytest.param(("scenes:\n", "capacities: [{name: Lef, where_it_stands: Overal, what_it_develops: Moed, "
                  "self_assessment: groeiend, development_point: Vaker vragen}]\nscenes:\n"), id="capacity-self-assessment"),
    pytest.param(("scenes:\n", "not_yet_available: [Nachtdiensten]\nwishes: [{value: Leerafdeling, review_by: 2027-03-01}]"
                  "\nscenes:\n"), id="not-yet-and-wishes"),
    pytest.param(("out: 60\n", "out: 60\n    camera_height: 1.2\n"), id="camera-height"),
]


@pytest.mark.parametrize("edit", VALID)
def test_valid_scripts_lint_clean(variant, edit):
    assert lint_file(variant(*edit)) == []


INVALID = [
    pytest.param("  name: Zorg BV", "  naam: Zorg BV",
                 ["4:3: organisation.naam: onbekend veld; bedoelde je 'name'?", "4:3: organisation.name: ontbreekt"],
                 id="typo-in-key"),
    pytest.param("format: zorgblik-vr-script/2\n", "", ["1:1: format: ontbreekt"], id="missing-format"),
    pytest.param("format: zorgblik-vr-script/2", "format: zorgblik-vr-script/3",
                 ["1:9: format: moet precies zorgblik-vr-script/2 zijn"], id="unknown-format"),
    pytest.param("care_category: ouderenzorg", "care_category: ouderzorg",
                 ["7:16: care_category: moet een van deze waarden zijn: ouderenzorg, gehandicaptenzorg, "
                  "wijkverpleging, ziekenhuis, ggz, jeugdzorg, custom; bedoelde je 'ouderenzorg'?"], id="unknown-category"),
    pytest.param("size: 8}", "size: acht}", ["10:69: team.size: moet een geheel getal zijn"], id="number-as-word"),
    pytest.param("size: 8}", "size: {value: 8, review_by: morgen}}",
                 ["10:91: team.size.review_by: is geen geldige datum (schrijf 2027-03-01)"], id="review-by-not-a-date"),
    pytest.param("size: 8}", "size: {value: 8, review_by: 2027-02-30}}",
                 ["10:91: team.size.review_by: is geen geldige datum (schrijf 2027-03-01)"], id="review-by-impossible"),
    pytest.param("size: 8}", "size: {value: 8, review_by: 20270301}}",
                 ["10:91: team.size.review_by: moet een datum zijn als 2027-03-01"], id="review-by-a-number"),
    pytest.param("size: 8}", "size: {value: 8, reviewby: 2027-01-01}}",
                 ["10:69: team.size.review_by: ontbreekt",
                  "10:80: team.size.reviewby: onbekend veld; bedoelde je 'review_by'?"], id="volatile-typo"),
    pytest.param("studentcoach: false}", "studentcoach: no}",
                 ["15:75: supervision.studentcoach: moet true of false zijn"], id="yaml11-no-is-not-false"),
    pytest.param("level: 3,", "level: 5,",
                 ["11:36: expectations.0.level: moet een van deze waarden zijn: 1, 2, 3, 4"], id="mbo-level"),
    pytest.param("sha256:aaaa", "sha256:zzzz",
                 ["19:14: scenes.0.footage: na sha256: horen precies 64 hex-tekens (0-9, a-f)"], id="bad-hash"),
    pytest.param("footage: sha256:" + "a" * 64, "footage: /srv/video.mp4",
                 ["19:14: scenes.0.footage: een pad moet relatief zijn, vanaf de map van dit script"], id="absolute-path"),
    pytest.param("care_category: ouderenzorg", "care_category: custom",
                 ["7:16: care_category: bij 'custom' hoort custom_category: de naam van je eigen zorgcategorie"],
                 id="custom-needs-name"),
    pytest.param("care_category: ouderenzorg", "care_category: ouderenzorg\ncustom_category: Revalidatie",
                 ["8:18: custom_category: mag alleen bij care_category: custom"], id="custom-name-without-custom"),
    pytest.param(", email: ans@example.nl}", "}",
                 ["6:12: organisation.contact: geef een email of een phone, zodat een student je kan bereiken"],
                 id="contact-unreachable"),
    pytest.param("ans@example.nl", "ans-at-example", ["6:60: organisation.contact.email: is geen e-mailadres"],
                 id="email"),
    pytest.param(", email: ans@example.nl}", ", phone: 0201234567}",
                 ["6:60: organisation.contact.phone: moet tekst zijn; zet de waarde tussen aanhalingstekens"],
                 id="phone-as-number"),
    pytest.param("title: De gang", "title: {nl: De gang, fr: Le couloir}", ["18:26: scenes.0.title.fr: onbekend veld"],
                 id="text-language"),
    pytest.param("title: De gang", "title: 12",
                 ["18:12: scenes.0.title: moet tekst zijn, of een mapping met nl: (en optioneel en:)"], id="title-number"),
    pytest.param("in: 0", "in: 1:30", ["21:10: scenes.0.out: moet na in (1:30) liggen"], id="mm-ss-is-not-base-60"),
    pytest.param("in: 0", "in: 1:75", ["20:9: scenes.0.in: minuten en seconden moeten onder de 60 blijven"],
                 id="seconds-over-60"),
    pytest.param("in: 0", "in: soon",
                 ["20:9: scenes.0.in: moet een tijd zijn: seconden (12.5), mm:ss(.fff) of hh:mm:ss(.fff)"], id="bad-time"),
    pytest.param("contexts: [intake]", "contexts: [intake, sollicitatie, stage]",
                 ["22:38: scenes.0.contexts.2: moet een van deze waarden zijn: intake, sollicitatie, werkveldorientatie"],
                 id="unknown-context"),
    pytest.param("contexts: [intake]", "contexts: []", ["22:15: scenes.0.contexts: mag niet leeg zijn"], id="no-context"),
    pytest.param("care_given: [Verzorging]", "care_given: Verzorging",
                 ["9:13: care_given: moet een lijst zijn (regels die met '- ' beginnen)"], id="not-a-list"),
    pytest.param("care_given: [Verzorging]", "care_given: [Verzorging, 12]",
                 ["9:26: care_given.1: moet tekst zijn; zet de waarde tussen aanhalingstekens"], id="fact-in-list"),
    pytest.param("scenes:\n", "scenes: []\nx:\n", ["16:9: scenes: mag niet leeg zijn", "17:1: x: onbekend veld"],
                 id="no-scenes"),
    pytest.param("scenes:\n", "capacities: [{name: a, where_it_stands: b, what_it_develops: c}, "
                 "{name: a, where_it_stands: b, what_it_develops: c}, {name: a, where_it_stands: b, what_it_develops: c}, "
                 "{name: a, where_it_stands: b, what_it_develops: c}, {name: a, where_it_stands: b, what_it_develops: c}]"
                 "\nscenes:\n", ["16:13: capacities: mag hoogstens 4 onderdelen hebben"], id="five-capacities"),
    pytest.param("size: 8}", "size: 8, learning_profile: {learning_preferences: [lezen]}}",
                 ["10:90: team.learning_profile.description: ontbreekt",
                  "10:114: team.learning_profile.learning_preferences.0: moet een van deze waarden zijn: kunst_afkijken, "
                  "participeren, kennis_verwerven, oefenen, ontdekken"], id="team-learning-preference"),
    pytest.param("expectations:", "places: [{route: BOL, level: 3, count: -1}, {route: BOL, level: 3, count: 1}]\nexpectations:",
                 ["11:40: places.0.count: moet minstens 0 zijn",
                  "11:45: places.1: plaatsen voor BOL niveau 3 staan al bij places.0; tel ze daar samen"], id="places"),
    pytest.param("studentcoach: false}", "studentcoach: false, supervisor: {kind: streng, trained: ja}}",
                 ["15:101: supervision.supervisor.kind: moet een van deze waarden zijn: instruerend, overtuigend, "
                  "ondersteunend, delegerend", "15:118: supervision.supervisor.trained: moet true of false zijn"],
                 id="supervisor-profile"),
    pytest.param("scenes:\n", "capacities: [{name: Lef, where_it_stands: Overal, what_it_develops: Moed, "
                 "self_assessment: 3, development_point: ''}]\nscenes:\n",
                 ["16:92: capacities.0.self_assessment: moet een van deze waarden zijn: beginnend, groeiend, stevig, "
                  "voorbeeld", "16:114: capacities.0.development_point: mag niet leeg zijn"], id="capacity-self-assessment"),
    pytest.param("scenes:\n", "wishes: Leerafdeling\nscenes:\n",
                 ["16:9: wishes: moet een lijst zijn (regels die met '- ' beginnen)"], id="wishes-not-a-list"),
    pytest.param("contexts: [intake]", "contexts: [sollicitatie]",
                 ["23:24: scenes.0.audience.routes: geen afspeellijst kan deze scène laten zien (Sollicitatie is voor "
                  "BBL); voeg BBL toe aan audience.routes, of kies contexts die bij BOL passen"], id="audience-unusable"),
    pytest.param("levels: [3]}", "levels: [3]}\n    view: {yaw: 200}",
                 ["24:17: scenes.0.view.yaw: mag hoogstens 180 zijn"], id="yaw-range"),
    pytest.param("levels: [3]}", "levels: [3]}\n    camera_height: 15",
                 ["24:20: scenes.0.camera_height: mag hoogstens 3 zijn"], id="camera-height-range"),
    pytest.param("levels: [3]}", "levels: [3]}\n    camera_height: 0.1",
                 ["24:20: scenes.0.camera_height: moet minstens 0.3 zijn"], id="camera-height-too-low"),
]


@pytest.mark.parametrize(("old", "new", "expected"), INVALID)
def test_invalid_scripts_report_each_problem_at_its_position(variant, old, new, expected):
    path = variant(old, new)
    assert [str(problem) for problem in lint_file(path)] == [f"{path}:{line}" for line in expected]


def test_a_loaded_script_is_typed(variant):
    script = load_script(variant("size: 8}", "size: {value: 8, review_by: 2027-03-01}}", "in: 0", "in: '0:10'"))
    assert isinstance(script, VRScript)
    assert isinstance(script.team.size, Volatile) and plain(script.team.size) == 8
    scene = script.scenes[0]
    assert (scene.in_point, scene.out_point, scene.duration) == (10.0, 60.0, 50.0)
    assert scene.footage == FootageRef("sha256", "a" * 64)
    assert scene.title.nl == "De gang" and scene.title.en is None
    assert scene.model_dump()["footage"] == "sha256:" + "a" * 64
    assert scene.model_dump()["in"] == 10.0


@pytest.mark.parametrize(("text", "seconds"), [
    ("12", 12.0), ("01:05", 65.0), ("1:05.25", 65.25), ("1:02:03.5", 3723.5), ("00:00:00", 0.0),
], ids=["seconds-text", "mm-ss", "mm-ss-fff", "hh-mm-ss-fff", "zero"])
def test_parse_time(text, seconds):
    assert parse_time(text) == seconds
