"""Cross-field checks: positioned problems, reported even when the schema fails elsewhere."""

from __future__ import annotations

import pytest

from scripts_vr import lint_file
from scripts_vr.checks import show_time

SCENE_2 = """\
  - id: {id}
    title: Tweede
    footage: {footage}
    in: 10
    out: 20
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""  # starts at line 24 of MINIMAL + this text


def with_second_scene(variant, extra: str = "", scene_id: str = "tweede", footage: str = "footage:3"):
    text = SCENE_2.format(id=scene_id, footage=footage) + extra
    return variant("    audience: {routes: [BOL], levels: [3]}\n",
                   "    audience: {routes: [BOL], levels: [3]}\n" + text)


CASES = [
    pytest.param(dict(scene_id="gang"), ["24:9: scenes.1.id: scène 'gang' bestaat al (scenes.0)"], id="duplicate-scene-id"),
    pytest.param(dict(footage="beelden/gang.mp4"),
                 ["26:14: scenes.1.footage: bestand niet gevonden: beelden/gang.mp4 (gezocht vanaf {dir})"],
                 id="missing-footage-path"),
    pytest.param(dict(extra="    captions:\n      - {start: 4, end: 2, text: a}\n"),
                 ["32:25: scenes.1.captions.0.end: moet na start (0:04) liggen"], id="caption-ends-before-start"),
    pytest.param(dict(extra="    captions:\n      - {start: 0, end: 4, text: a}\n      - {start: 3.5, end: 6, text: b}\n"),
                 ["33:17: scenes.1.captions.1.start: overlapt met de ondertitel 'a' (die loopt tot 0:04)"],
                 id="captions-overlap"),
    pytest.param(dict(extra="    captions:\n      - {start: 8, end: '0:12', text: a}\n"),
                 ["32:25: scenes.1.captions.0.end: valt buiten de scène, die 0:10 duurt (out - in)"],
                 id="caption-after-out"),
    pytest.param(dict(extra="    hotspots:\n"
                             "      - {id: h, yaw: 0, pitch: 0, kind: info, label: a, text: b}\n"
                             "      - {id: h, yaw: 0, pitch: 0, kind: person, label: a, text: b, start: 11}\n"),
                 ["33:14: scenes.1.hotspots.1.id: hotspot 'h' bestaat al in deze scène (hotspots.0)",
                  "33:75: scenes.1.hotspots.1.start: valt buiten de scène, die 0:10 duurt (out - in)"],
                 id="hotspot-duplicate-and-late"),
    pytest.param(dict(extra="    privacy:\n      blur_regions:\n"
                             "        - {yaw: 0, pitch: 0, width: 10, height: 10, end: 30, reason: bord}\n"),
                 ["33:58: scenes.1.privacy.blur_regions.0.end: valt buiten de scène, die 0:10 duurt (out - in)"],
                 id="blur-after-out"),
    pytest.param(dict(extra="    prompts:\n      - {text: Vraag, contexts: [sollicitatie]}\n"),
                 ["32:34: scenes.1.prompts.0.contexts.0: de scène zelf hoort niet bij 'sollicitatie' (contexts: intake)"],
                 id="prompt-context-outside-scene"),
]


@pytest.mark.parametrize(("scene", "expected"), CASES)
def test_cross_field_problems_are_positioned(variant, tmp_path, scene, expected):
    path = with_second_scene(variant, **scene)
    assert [str(p) for p in lint_file(path)] == [f"{path}:{line.format(dir=tmp_path)}" for line in expected]


def test_out_not_after_in(variant):
    path = variant("out: 60", "out: 0")
    assert [str(p) for p in lint_file(path)] == [f"{path}:21:10: scenes.0.out: moet na in (0:00) liggen"]


def test_existing_footage_path_is_fine(variant, write):
    write(b"not really video", "beelden/gang.mp4")
    assert lint_file(variant("footage: sha256:" + "a" * 64, "footage: beelden/gang.mp4")) == []


def test_checks_still_run_when_the_schema_fails_elsewhere(variant):
    path = with_second_scene(variant, scene_id="gang")
    path.write_text(path.read_text().replace("size: 8}", "size: acht}"))
    assert [f"{p.line}: {p.path}" for p in lint_file(path)] == ["10: team.size", "24: scenes.1.id"]


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (4, "0:04"), (75.5, "1:15.5"), (600, "10:00")])
def test_show_time(seconds, text):
    assert show_time(seconds) == text
