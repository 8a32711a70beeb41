"""``zorgblik script``: what the user sees on stdout, and the exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts_vr import load_script
from scripts_vr.freshness import find_scripts
from cli import main

ROOT = Path(__file__).resolve().parents[2]


def zorgblik(*args: object) -> subprocess.CompletedProcess:
    """The command in a process of its own (this checkout's code), killed, and the test failed,
    when it does not end within 60 s."""
    return subprocess.run([sys.executable, "-c", "from cli import run; run()", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_lint_clean_file_prints_ok(variant, capsys):
    path = variant()
    assert main(["script", "lint", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{path}: in orde (1 scène)"]


def test_lint_prints_every_problem_on_its_own_line(variant, capsys):
    path = variant("care_category: ouderenzorg", "care_category: ouderzorg",
                   "studentcoach: false}", "studentcoach: no}",
                   "out: 60", "out: 0")
    assert main(["script", "lint", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 2)[:2] for line in out] == [
        [f"{path}:7:16", "care_category"],
        [f"{path}:15:75", "supervision.studentcoach"],
        [f"{path}:21:10", "scenes.0.out"],
    ]


def test_lint_unreadable_file_exits_2_with_one_line(variant, write, capsys):
    good, bad = variant(), write(b"a: [1,\n", "bad.yaml")
    missing = good.parent / "weg.yaml"
    assert main(["script", "lint", str(good), str(bad), str(missing)]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{good}: in orde (1 scène)",
        f"{bad}:2:1: geen geldige YAML: expected the node content, but found '<stream end>' — controleer het inspringen "
        "(spaties) en de dubbele punt na elke sleutel",
        f"{missing}: bestaat niet",
    ]


@pytest.mark.parametrize("category", ["ouderenzorg", "jeugdzorg"])
def test_new_to_stdout_lints_clean(tmp_path, capsys, category):
    assert main(["script", "new", "--category", category, "--organisation", "Zorg & Co", "--team", "Team Noord"]) == 0
    text = capsys.readouterr().out
    assert 'name: "Zorg & Co"' in text and 'name: "Team Noord"' in text
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["script", "lint", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: in orde (2 scènes)\n"


def test_new_writes_a_file_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "profiel.yaml"
    assert main(["script", "new", "--category", "ggz", "-o", str(path)]) == 0
    assert capsys.readouterr().err == f"{path}: geschreven; controleer het met 'zorgblik script lint {path}'\n"
    assert main(["script", "new", "--category", "ggz", "-o", str(path)]) == 1
    assert capsys.readouterr().err == f"zorgblik: fout: {path}: bestaat al — kies een andere naam, of gebruik --force\n"
    assert main(["script", "new", "--category", "ziekenhuis", "-o", str(path), "--force"]) == 0
    assert "care_category: ziekenhuis" in path.read_text(encoding="utf-8")


def test_new_rejects_unknown_category(capsys):
    assert main(["script", "new", "--category", "revalidatie"]) == 2
    assert "Invalid value for '--category'" in capsys.readouterr().err


def test_new_custom_category_with_its_name_lints_clean(tmp_path, capsys):
    path = tmp_path / "eigen.yaml"
    assert main(["script", "new", "--category", "custom", "--name", "Revalidatie: na een beroerte",
                 "--organisation", "Revalidatiecentrum Het Anker", "--team", "Team 2", "-o", str(path)]) == 0
    capsys.readouterr()
    script = load_script(path)
    assert (script.care_category, script.custom_category) == ("custom", "Revalidatie: na een beroerte")
    assert main(["script", "lint", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: in orde (2 scènes)\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--category", "custom"], "bij de categorie custom hoort de naam van je eigen zorgcategorie (--name)"),
    (["--category", "ggz", "--name", "Revalidatie"], "een naam (--name) hoort alleen bij de categorie custom, niet bij ggz"),
], ids=["custom-without-name", "name-without-custom"])
def test_new_says_when_name_and_category_do_not_go_together(capsys, args, message):
    assert main(["script", "new", *args]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"Error: {message}"


def test_lint_checks_footage_against_the_catalog_when_there_is_a_data_folder(variant, tmp_path, capsys):
    from catalog import Catalog

    data = tmp_path / "data"
    path = variant()
    assert main(["--data", str(data), "script", "lint", str(path)]) == 0  # no catalog yet: nothing to check against
    assert not (data / "zorgblik.db").exists()
    capsys.readouterr()
    data.mkdir()
    Catalog(f"sqlite:///{data / 'zorgblik.db'}").close()
    assert main(["--data", str(data), "script", "lint", str(path)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{path}:19:14: scenes.0.footage: sha256:{'a' * 64} staat niet in de catalogus")


def test_freshness_prints_groups_and_summary(variant, tmp_path, capsys):
    variant("size: 8}", "size: {value: 8, owner: Bram, review_by: 2027-03-10}}")
    assert main(["script", "freshness", str(tmp_path), "--today", "2027-03-01", "--days", "14"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Bram:",
        f"  binnenkort  2027-03-10  {tmp_path / 's.yaml'}:10  team.size: 8",
        "samenvatting: 1 script, 1 wisselend feit; 0 verlopen, 1 binnenkort (binnen 14 dagen na 2027-03-01)",
    ]


def test_lint_and_build_of_a_fifo_end_at_once_with_one_line(tmp_path):
    fifo = tmp_path / "pijp.yaml"
    os.mkfifo(fifo)  # opening it for reading waits for a writer that never comes
    linted = zorgblik("script", "lint", fifo)
    assert linted.returncode == 2, linted.stderr
    assert linted.stdout.splitlines() == [f"{fifo}: is geen gewoon bestand maar een pipe — geef een YAML-bestand"]
    built = zorgblik("--data", tmp_path / "data", "build", fifo)
    assert built.returncode == 2 and "Traceback" not in built.stderr, built.stderr
    assert built.stderr.splitlines()[-1] == f"zorgblik: fout: {fifo}: is geen gewoon bestand maar een pipe — geef een YAML-bestand"
    approved = zorgblik("--data", tmp_path / "data", "script", "approve", fifo, "--side", "opleiding", "--by", "Jan",
                        "--role", "docent zorg")
    assert approved.returncode == 2 and approved.stderr.startswith(f"zorgblik: fout: {fifo}: is geen gewoon bestand")


def test_a_folder_stands_for_the_regular_script_files_inside_it(variant, tmp_path):
    folder = tmp_path / "scripts"
    own = variant(name="scripts/eigen.yaml")
    outside = variant(name="elders/geheim.yaml")
    (folder / "geheim.yaml").symlink_to(outside)                      # shows a file outside the folder
    (folder / "elders").symlink_to(outside.parent, target_is_directory=True)
    (folder / "ook.yaml").symlink_to(own)                             # stays inside: a script like any other
    os.mkfifo(folder / "pijp.yaml")
    (folder / "map.yaml").mkdir()
    assert find_scripts([folder]) == [own, folder / "ook.yaml"]
    assert main(["script", "freshness", str(folder), "--today", "2027-03-01"]) == 0


@pytest.mark.parametrize("number", ["99999999999999999999999", "²"], ids=["past-64-bit", "non-ascii-digit"])
def test_lint_an_impossible_catalog_number_is_one_line_not_a_traceback(variant, tmp_path, capsys, number):
    """A footage number the catalog can never hold (SQLite's ids end at 2**63-1) is a lint line."""
    from catalog import Catalog

    data = tmp_path / "data"
    data.mkdir()
    Catalog(f"sqlite:///{data / 'zorgblik.db'}").close()
    path = variant("footage: sha256:" + "a" * 64, f"footage: footage:{number}")
    assert main(["--data", str(data), "script", "lint", str(path)]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{path}:19:14: scenes.0.footage: ") and "catalogus" in line, line
