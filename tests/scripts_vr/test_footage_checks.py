"""Footage checks: what lint says when it knows the footage (from the catalog), each at its line.

Every case edits conftest.MINIMAL, whose one scene uses ``sha256:aaa…`` with ``in: 0`` and
``out: 60`` (lines 20 and 21); the lookup here stands in for the catalog.
"""

from __future__ import annotations

import pytest

from scripts_vr import KnownFootage, lint_file
from scripts_vr.model import FootageRef

KNOWN = FootageRef("sha256", "a" * 64)
VIDEO_45S = KnownFootage("video", 45.0, "gang.mp4")
VIDEO_90S = KnownFootage("video", 90.0, "gang.mp4")
PHOTO = KnownFootage("photo", None, "gang.jpg")
PHOTO_LEVEL_UNKNOWN = KnownFootage("photo", None, "open_veld.jpg", level_known=False)


def catalog_with(footage: KnownFootage | None):
    """A lookup that knows the scene's footage as ``footage`` (None: not in the catalog)."""
    return lambda ref: footage if ref == KNOWN else None


CASES = [
    pytest.param(None, (), ["19:14: scenes.0.footage: sha256:" + "a" * 64 + " staat niet in de catalogus; voeg de opname "
                            "toe met 'zorgblik capture add' (of op de pagina Opnames) en neem de verwijzing daarvan over"],
                 id="not-in-catalog"),
    pytest.param(None, ("footage: sha256:" + "a" * 64, "footage: footage:7"),
                 ["19:14: scenes.0.footage: footage:7 staat niet in de catalogus; voeg de opname toe met 'zorgblik "
                  "capture add' (of op de pagina Opnames) en neem de verwijzing daarvan over"], id="catalog-id-not-in-catalog"),
    pytest.param(VIDEO_45S, (), ["21:10: scenes.0.out: ligt na het einde van de opname, die 0:45 duurt; kies een out tot "
                                 "en met 0:45, of laat out weg (dan loopt de scène tot het eind)"], id="out-beyond-video"),
    pytest.param(VIDEO_45S, ("in: 0", "in: 50", "out: 60", "out: 70"),
                 ["20:9: scenes.0.in: ligt na het einde van de opname, die 0:45 duurt; kies een in vóór 0:45"],
                 id="in-beyond-video"),
    pytest.param(VIDEO_90S, (), [], id="within-video"),
    pytest.param(VIDEO_45S, ("out: 60", "out: 45"), [], id="out-at-the-very-end"),
    pytest.param(PHOTO, (), ["20:9: scenes.0.in: sha256:" + "a" * 64 + " is een foto, die heeft geen begin en einde; "
                             "haal in weg",
                             "21:10: scenes.0.out: sha256:" + "a" * 64 + " is een foto, die heeft geen begin en einde; "
                             "haal out weg"], id="in-out-on-photo"),
    pytest.param(PHOTO, ("    in: 0\n    out: 60\n",
                         "    captions: [{start: 0, end: 2, text: Hallo}]\n"
                         "    hotspots: [{id: a, yaw: 0, pitch: 0, kind: info, label: A, text: B, end: 3}]\n"),
                 ["20:16: scenes.0.captions.0: een foto heeft geen tijdlijn voor ondertitels; zet de tekst in een "
                  "hotspot (kind: info) of gebruik een video",
                  "21:78: scenes.0.hotspots.0.end: een foto heeft geen tijdlijn; haal end weg (het geldt dan de hele "
                  "scène)"], id="captions-and-hotspot-times-on-photo"),
    pytest.param(PHOTO, ("    in: 0\n    out: 60\n",
                         "    hotspots: [{id: a, yaw: 0, pitch: 0, kind: info, label: A, text: B}]\n"
                         "    privacy: {blur_regions: [{yaw: 0, pitch: 0, width: 9, height: 9, reason: bord, start: 1}]}\n"),
                 ["21:91: scenes.0.privacy.blur_regions.0.start: een foto heeft geen tijdlijn; haal start weg (het geldt "
                  "dan de hele scène)"], id="privacy-times-on-photo"),
    pytest.param(PHOTO_LEVEL_UNKNOWN, ("    in: 0\n    out: 60\n", "    level: auto\n"),
                 ["20:12: scenes.0.level: auto, maar van sha256:" + "a" * 64 + " is de stand onbekend: geen stand in de "
                  "metadata en geen schatting uit het beeld ('zorgblik capture show'); zet level: {yaw: …, pitch: …, roll: "
                  "…} of laat level weg"], id="level-auto-without-estimate"),
    pytest.param(PHOTO, ("    in: 0\n    out: 60\n", "    level: auto\n"), [], id="level-auto-with-estimate"),
]


@pytest.mark.parametrize(("known", "edit", "expected"), CASES)
def test_footage_problems_are_positioned(variant, known, edit, expected):
    path = variant(*edit)
    assert [str(p) for p in lint_file(path, footage=catalog_with(known))] == [f"{path}:{line}" for line in expected]


def test_without_a_lookup_the_footage_is_not_checked(variant):
    assert lint_file(variant()) == []


def test_a_path_the_lookup_does_not_know_is_not_missing(variant, write):
    write(b"", "gang.mp4")
    path = variant("footage: sha256:" + "a" * 64, "footage: gang.mp4")
    assert lint_file(path, footage=lambda ref: None) == []
    # once taken in (the build knows it then), it is checked like any other
    problems = lint_file(path, footage=lambda ref: PHOTO if ref == FootageRef("path", "gang.mp4") else None)
    assert [(p.line, p.path) for p in problems] == [(20, "scenes.0.in"), (21, "scenes.0.out")]
