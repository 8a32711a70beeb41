"""The minimal script that tests and benchmarks build on lints clean with one scene."""

from scripts_vr import lint_file
from scripts_vr.templates import minimal_script

SCENE = """\
  - id: kamer
    title: Kamer
    footage: sha256:{zeros}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""


def test_minimal_script_with_one_scene_is_clean(tmp_path):
    path = tmp_path / "klein.yaml"
    path.write_text(minimal_script(SCENE).format(zeros="0" * 64), encoding="utf-8")
    assert lint_file(path) == []


def test_minimal_script_without_scenes_says_so(tmp_path):
    path = tmp_path / "leeg.yaml"
    path.write_text(minimal_script(""), encoding="utf-8")
    [problem] = lint_file(path)
    assert problem.path == "scenes"
