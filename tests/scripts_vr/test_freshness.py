"""Freshness: volatile facts that are due, grouped by owner, with file:line, path and value."""

from __future__ import annotations

from datetime import date

from scripts_vr import freshness, load_script, volatile_facts

TODAY = date(2027, 3, 1)


def _scripts(variant, write):
    variant("size: 8}", "size: {value: 8, review_by: 2027-02-01}}",                     # overdue, script owner
            "care_given: [Verzorging]", "care_given: [Verzorging, {value: Wondzorg, owner: Bram, review_by: 2027-03-20}]",
            "frequency: elke dienst", "frequency: {value: elke dienst, owner: Bram, review_by: 2027-09-01}",
            name="a.yaml")
    variant("  name: Zorg BV", "  name: {value: Zorg BV, owner: Bram, review_by: 2027-03-01}", name="sub/b.yaml")
    write("- geen script\n", "kapot.yaml")
    write("niet: van mij\n", "notes.txt")


def test_volatile_facts_are_found_with_their_paths(variant):
    script = load_script(variant("size: 8}", "size: {value: 8, review_by: 2027-02-01}}",
                                 "care_given: [Verzorging]", "care_given: [Verzorging, {value: W, review_by: 2027-03-20}]"))
    assert [(path, fact.value) for path, fact in volatile_facts(script)] == [
        (("care_given", 1), "W"), (("team", "size"), 8)]


def test_freshness_groups_due_facts_by_owner(variant, write, tmp_path):
    _scripts(variant, write)
    report = freshness([tmp_path], today=TODAY, days=30)
    assert (report.scripts, report.facts, report.count("verlopen"), report.count("binnenkort")) == (2, 4, 1, 2)
    a, b, kapot = tmp_path / "a.yaml", tmp_path / "sub" / "b.yaml", tmp_path / "kapot.yaml"
    assert report.lines() == [
        "Ans Smit:",
        f"  verlopen    2027-02-01  {a}:10  team.size: 8",
        "Bram:",
        f"  binnenkort  2027-03-01  {b}:4  organisation.name: Zorg BV",
        f"  binnenkort  2027-03-20  {a}:9  care_given.1: Wondzorg",
        f"{kapot}:1:1: is een lijst; een VR-script is een mapping (sleutel: waarde)",
        "samenvatting: 2 scripts, 4 wisselende feiten; 1 verlopen, 2 binnenkort (binnen 30 dagen na 2027-03-01); "
        "1 overgeslagen",
    ]


def test_a_shorter_window_leaves_out_what_is_not_yet_due(variant, write, tmp_path):
    _scripts(variant, write)
    report = freshness([tmp_path / "a.yaml"], today=TODAY, days=7)
    assert [(f.status, f.path) for f in report.due] == [("verlopen", "team.size")]
