"""Saving from the form: only changed values change; comments, order, quotes, flow style and
folded text stay as the trainer wrote them; a new item in a flow list is a flow mapping too."""

from __future__ import annotations

from datetime import date

from scripts_vr import roundtrip
from scripts_vr.templates import new_script

TEXT = new_script("ouderenzorg", today=date(2026, 12, 3))


def saved(key: str, change) -> str:
    doc = roundtrip.load(TEXT)
    value = roundtrip.load(roundtrip.dump(doc))[key]  # a plain copy to change, as the form would give
    change(value)
    roundtrip.replace(doc, key, value)
    return roundtrip.dump(doc)


def test_an_unchanged_save_gives_back_the_same_text():
    doc = roundtrip.load(TEXT)
    for key in ("owner", "organisation", "team", "welcome"):
        roundtrip.replace(doc, key, roundtrip.load(TEXT)[key])
    assert roundtrip.dump(doc) == TEXT


def test_one_changed_value_changes_one_line_and_keeps_every_comment():
    def change(org):
        org["website"] = "https://www.hetanker.nl"
    text = saved("organisation", change)
    changed = [(a, b) for a, b in zip(TEXT.splitlines(), text.splitlines()) if a != b]
    assert changed == [("  website: https://www.voorbeeld-zorg.nl/werken-en-leren", "  website: https://www.hetanker.nl")]
    assert '    phone: "033 123 45 67"   # tussen aanhalingstekens, anders valt de 0 weg' in text


def test_a_new_item_in_a_flow_list_reads_like_its_neighbours_and_long_text_is_folded():
    def change(team):
        team["day"].append({"time": "16:00", "activity": "Afsluiten"})
        team["description"] = ("Een nieuwe beschrijving " * 8).strip()
        del team["shifts"], team["learning_profile"]
    text = saved("team", change)
    assert "    - {time: 16:00, activity: Afsluiten}" in text or '    - {time: "16:00", activity: Afsluiten}' in text
    assert "  description: >-\n    Een nieuwe beschrijving" in text
    assert "shifts" not in text.split("expectations:")[0] and "learning_profile" not in text
    assert roundtrip.load(text)["team"]["description"] == ("Een nieuwe beschrijving " * 8).strip()
    assert "Afsluiten}\n  # Leerprofiel van het team" in text, "a removed key's comment for what follows stays"
    assert "\n\n# Leerplaatsen: hoeveel studenten" in text


def test_removing_the_last_item_of_a_list_keeps_the_comment_of_what_follows():
    text = saved("capacities", lambda capacities: capacities.append(dict(capacities[0], name="Tweede")))
    doc = roundtrip.load(text)
    roundtrip.replace(doc, "capacities", [dict(roundtrip.load(text)["capacities"][0])])
    assert roundtrip.dump(doc) == TEXT
    assert "\n\n# De scènes, in de volgorde" in text


def test_an_item_added_to_the_last_list_before_a_comment_goes_above_that_comment():
    text = saved("care_given", lambda items: items.append("Nieuwe zorg"))
    assert "  - Nieuwe zorg\n\n# Het team: wie jullie zijn" in text
    assert roundtrip.load(text)["care_given"][-1] == "Nieuwe zorg"
