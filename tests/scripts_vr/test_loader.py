"""Reading a file: YAML the way a trainer means it, duplicate keys, and every way a file can be unreadable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from scripts_vr import FORMAT, ScriptUnreadable, lint_file, load_script, plain
from scripts_vr.loader import UPGRADES, ScriptLoader, read_script, upgrade, upgrade_1_to_2
from scripts_vr.model import OLDER_FORMATS


@pytest.mark.parametrize(("text", "value"), [
    ("1:30", "1:30"), ("07:00", "07:00"), ("no", "no"), ("yes", "yes"), ("on", "on"), ("ja", "ja"),
    ("true", True), ("false", False), ("2027-03-01", date(2027, 3, 1)), ("2027-02-30", "2027-02-30"),
    ("0755", 755), ("0x1f", 31), ("12.5", 12.5), ("~", None), ("1_000", "1_000"),
], ids=lambda v: repr(v))
def test_scalars_are_yaml_1_2_core(text, value):
    assert yaml.load(f"k: {text}", Loader=ScriptLoader) == {"k": value}


def test_duplicate_keys_are_problems_at_the_second_key(variant):
    path = variant("  name: Zorg BV\n", "  name: Zorg BV\n  name: Zorg NV\n")
    assert [str(p) for p in lint_file(path)] == [
        f"{path}:5:3: organisation.name: staat twee keer in dezelfde mapping (ook op regel 4)"]


def test_problems_come_all_at_once_sorted_by_position(variant):
    path = variant("care_category: ouderenzorg", "care_category: ouderzorg",
                   "studentcoach: false}", "studentcoach: no}",
                   "title: De gang", "titel: De gang")
    lines = [f"{p.line}:{p.col}: {p.path}" for p in lint_file(path)]
    assert lines == ["7:16: care_category", "15:75: supervision.studentcoach", "17:5: scenes.0.title",
                     "18:5: scenes.0.titel"]


def test_source_keeps_positions(variant):
    source = read_script(variant())
    assert source.locate(("scenes", 0, "out")) == (("scenes", 0, "out"), 21, 10)
    assert source.locate(("scenes", 0, "out"), at_key=True) == (("scenes", 0, "out"), 21, 5)
    # union labels are dropped; a missing last part is kept and points at its mapping
    assert source.locate(("team", "size", "stable")) == (("team", "size"), 10, 69)
    assert source.locate(("owner", "email"), missing=True) == (("owner", "email"), 2, 8)


UNREADABLE = [
    pytest.param(b"\x00\x01binary", "1:1: is een binair bestand, geen YAML-tekst", id="binary"),
    pytest.param("format: x\nnaam: Caf\xe9\n".encode("latin-1"),
                 "2:10: is geen UTF-8-tekst — sla het bestand op als UTF-8", id="not-utf8"),
    pytest.param(b"", ": is leeg — begin met 'zorgblik script new'", id="empty"),
    pytest.param(b"# alleen commentaar\n\n", ": is leeg — begin met 'zorgblik script new'", id="only-comments"),
    pytest.param(b"format: x\n  owner: y\n", "2:8: geen geldige YAML: mapping values are not allowed here — "
                 "controleer het inspringen (spaties) en de dubbele punt na elke sleutel", id="not-yaml"),
    pytest.param(b"format: x\n\towner: y\n", "2:1: geen geldige YAML: found character '\\t' that cannot start any "
                 "token — gebruik spaties om in te springen, geen tabs", id="tab"),
    pytest.param(b"a: 1\n---\nb: 2\n", "2:1: geen geldige YAML: but found another document — controleer het "
                 "inspringen (spaties) en de dubbele punt na elke sleutel", id="two-documents"),
    pytest.param(b"format: x\nowner: !!python/object/apply:os.system [ls]\n",
                 "2:8: bevat de tag !!python/object/apply:os.system, die niet is toegestaan — een VR-script bevat "
                 "alleen tekst, getallen, datums, lijsten en mappings", id="python-tag"),
    pytest.param(b"format: !vreemd x\n", "1:9: bevat de tag !vreemd, die niet is toegestaan — een VR-script bevat "
                 "alleen tekst, getallen, datums, lijsten en mappings", id="local-tag"),
    pytest.param(b"- format: x\n", "1:1: is een lijst; een VR-script is een mapping (sleutel: waarde)", id="top-level-list"),
    pytest.param(b"hallo\n", "1:1: is losse tekst; een VR-script is een mapping (sleutel: waarde)", id="top-level-text"),
    pytest.param(b"? [a, b]\n: c\n", "1:3: een sleutel moet gewone tekst zijn, geen lijst of mapping", id="complex-key"),
    pytest.param(b"a: &x [*x]\n", "1:4: is te groot of te diep genest (te veel verwijzingen met * of te veel niveaus)",
                 id="recursive-alias"),
]


@pytest.mark.parametrize(("content", "expected"), UNREADABLE)
def test_unreadable_files_say_why_and_where(write, content, expected):
    path = write(content)
    with pytest.raises(ScriptUnreadable) as caught:
        lint_file(path)
    assert caught.value.exit_code == 2
    assert caught.value.one_line() == f"{path}{':' if expected[0] != ':' else ''}{expected}"


def test_too_large_is_unreadable_before_parsing(write):
    path = write("a: " + "x" * 200)
    with pytest.raises(ScriptUnreadable, match=r"is te groot \(203 bytes; een VR-script mag hoogstens 100 bytes zijn\)"):
        lint_file(path, max_bytes=100)


def test_missing_file_and_folder_are_unreadable(tmp_path):
    with pytest.raises(ScriptUnreadable, match="bestaat niet"):
        lint_file(tmp_path / "weg.yaml")
    with pytest.raises(ScriptUnreadable, match="is een map, geen bestand"):
        lint_file(tmp_path)


# --- older formats ---------------------------------------------------------------------------

FORMAT_1 = Path(__file__).parent / "format1" / "ouderenzorg.yaml"


def test_a_format_1_script_loads_as_format_2():
    source = read_script(FORMAT_1)
    assert source.upgraded_from == "zorgblik-vr-script/1"
    assert source.data["format"] == "zorgblik-vr-script/2"
    script = load_script(FORMAT_1)
    assert script.format == FORMAT == "zorgblik-vr-script/2"
    assert plain(script.organisation.name) == "Zorggroep De Linde" and len(script.scenes) == 2
    # what format 2 added is there, empty
    assert (script.places, script.not_yet_available, script.wishes) == ([], [], [])
    assert script.team.learning_profile is None and script.supervision.supervisor is None
    assert all(c.self_assessment is None and c.development_point is None for c in script.capacities)


def test_a_format_1_script_is_linted_at_its_own_lines(write):
    text = FORMAT_1.read_text(encoding="utf-8").replace("care_category: ouderenzorg", "care_category: ouderzorg")
    [problem] = lint_file(write(text))
    assert (problem.line, problem.path) == (42, "care_category")


def test_upgrade_1_to_2_changes_only_the_version():
    data = {"format": "zorgblik-vr-script/1", "owner": {"name": "A"}, "scenes": []}
    assert upgrade_1_to_2(data) == {"format": "zorgblik-vr-script/2", "owner": {"name": "A"}, "scenes": []}
    assert list(upgrade_1_to_2(data)) == ["format", "owner", "scenes"]  # the order of the file
    assert data["format"] == "zorgblik-vr-script/1"  # the data read is left alone


@pytest.mark.parametrize(("written", "upgraded_from"), [
    ("zorgblik-vr-script/2", None), ("zorgblik-vr-script/3", None), (12, None), ("zorgblik-vr-script/1", "zorgblik-vr-script/1"),
])
def test_upgrade_leaves_current_and_unknown_formats_for_the_schema(written, upgraded_from):
    data, was = upgrade({"format": written})
    assert was == upgraded_from
    assert data["format"] == (FORMAT if upgraded_from else written)
    assert set(UPGRADES) == set(OLDER_FORMATS)
