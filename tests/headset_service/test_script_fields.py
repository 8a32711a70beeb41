"""The script form is generated from the model: every section's fields come from the schema, a
posted form reads back as the same data, and lint problems land on the input their path names."""

from __future__ import annotations

from datetime import date

import yaml

from headset_service.web import script_fields as sf
from scripts_vr.errors import Problem
from scripts_vr.loader import ScriptLoader
from scripts_vr.model import VRScript
from scripts_vr.templates import new_script

DATA = yaml.load(new_script("ouderenzorg", today=date(2026, 12, 3)), Loader=ScriptLoader)  # noqa: S506


def posted(fields: list[sf.FormField]) -> dict[str, list[str]]:
    """What a browser sends for these fields as they are shown."""
    form: dict[str, list[str]] = {}
    for f in sf.walk(fields):
        if f.kind == "choices":
            form[f.name] = [str(v) for v in f.value]
        elif f.kind == "bool":
            if f.value:
                form[f.name] = ["on"]
        elif f.kind not in ("group", "list") and f.value is not None:
            form[f.name] = [str(f.value)]
        if f.volatile:
            form[f"{f.name}~owner"] = [f.volatile["owner"] or ""]
            form[f"{f.name}~review_by"] = [f.volatile["review_by"]]
    return form


class Form(dict):
    def getlist(self, key):
        return self.get(key, [])


def test_every_profile_key_is_in_one_section_and_the_scenes_stay_in_the_file():
    keys = [k for slug, _ in sf.sections() for k in sf.section_keys(slug)]
    assert sorted(keys) == sorted(k for k in VRScript.model_fields if k not in ("format", "scenes"))


def test_each_section_reads_back_as_the_data_it_showed():
    for slug, _title in sf.sections():
        fields = sf.section_fields(slug, DATA)
        assert sf.read_section(slug, Form(posted(fields))) == {k: DATA.get(k) for k in sf.section_keys(slug)}


def test_kinds_come_from_the_model():
    by_name = {f.name: f for f in sf.walk(sf.section_fields("team", DATA) + sf.section_fields("welkom", DATA)
                                          + sf.section_fields("verwachtingen", DATA))}
    assert by_name["team.size"].kind == "integer" and by_name["team.size"].fact
    assert by_name["team.size"].volatile == {"owner": "Marieke de Vries", "review_by": "2027-03-03"}
    assert by_name["team.day"].kind == "list" and by_name["team.day.0"].kind == "group"
    assert by_name["welcome.matching.criteria"].kind == "choices"
    assert ("learning_preference", "leervoorkeur") in by_name["welcome.matching.criteria"].choices
    assert by_name["welcome.matching.matched"].kind == "bool"
    assert by_name["expectations.0.level"].kind == "choice" and by_name["expectations.0.level"].value == 3


def test_typed_values_stay_text_when_they_are_not_that_type_so_lint_can_point_at_them():
    form = posted(sf.section_fields("team", DATA))
    form["team.size"], form["team.size~review_by"] = ["veertien"], ["2027-09-01"]
    team = sf.read_section("team", Form(form))["team"]
    assert team["size"] == {"value": "veertien", "owner": "Marieke de Vries", "review_by": date(2027, 9, 1)}


def test_a_list_grows_and_shrinks_without_saving():
    data = sf.read_section("zorg", Form(posted(sf.section_fields("zorg", DATA))), keep_empty=True)
    sf.change_list(data, "add:care_given")
    sf.change_list(data, "remove:client_groups.0")
    fields = {f.name: f for f in sf.walk(sf.section_fields("zorg", data))}
    assert fields["care_given.5"].value == "" and "client_groups.1" not in fields


def test_problems_land_on_their_input_or_the_nearest_enclosing_field():
    fields = sf.section_fields("organisatie", DATA)
    left = sf.attach_problems(fields, [
        Problem("s.yaml", 30, 12, "organisation.website", "moet een webadres zijn dat begint met https://"),
        Problem("s.yaml", 27, 5, "organisation.contact.name.review_by", "moet een datum zijn"),
        Problem("s.yaml", 22, 3, "owner.phone", "is niet toegestaan"),
        Problem("s.yaml", 90, 3, "scenes.0.out", "ligt voor in"),
    ])
    by_name = {f.name: f for f in sf.walk(fields)}
    assert by_name["organisation.website"].errors == ["moet een webadres zijn dat begint met https://"]
    assert by_name["organisation.contact.name"].meta_errors == {"review_by": ["moet een datum zijn"]}
    assert by_name["owner"].errors == ["is niet toegestaan"]
    assert [p.path for p in left] == ["scenes.0.out"]


def test_a_key_the_format_gains_joins_the_section_of_the_key_before_it(monkeypatch):
    schema = VRScript.model_json_schema()
    props = list(schema["properties"].items())
    at = [k for k, _ in props].index("expectations") + 1
    schema["properties"] = dict(props[:at] + [("later", {"type": "array", "items": {"type": "string"}})] + props[at:])
    monkeypatch.setattr(sf, "_schema", lambda: schema)
    sf._placed.cache_clear()
    try:
        assert sf.section_keys("verwachtingen") == ("places", "expectations", "later")
        assert [f.name for f in sf.section_fields("verwachtingen", {"later": ["twee BBL-plekken"]})][-1] == "later"
    finally:
        sf._placed.cache_clear()


def test_an_optional_yes_no_is_a_choice_that_can_stay_unsaid(monkeypatch):
    schema = VRScript.model_json_schema()
    schema["properties"] = {**schema["properties"],
                            "trained": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": None}}
    monkeypatch.setattr(sf, "_schema", lambda: schema)
    sf._placed.cache_clear()
    try:
        [field] = [f for f in sf.section_fields("vermogens", {"trained": False}) if f.name == "trained"]
        assert (field.kind, field.value) == ("choice", "false")
        assert sf.read_section("vermogens", Form({"trained": ["true"]}))["trained"] is True
        assert sf.read_section("vermogens", Form({"trained": [""]}))["trained"] is None
    finally:
        sf._placed.cache_clear()
