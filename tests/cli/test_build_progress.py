"""The per-scene progress lines of ``zorgblik build`` (as a log sees them: not a terminal)."""

from cli.build import SceneProgress


def test_each_scene_is_said_done_once(capsys):
    progress = SceneProgress()
    for scene, fraction in (("uitje", 0.4), ("avond", 1.0), ("uitje", 1.0), ("uitje", 1.0), ("avond", 1.0)):
        progress(scene, fraction)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split()[0] for line in lines] == ["avond", "uitje"]
    assert all(line.endswith("100%") for line in lines)


def test_a_scene_built_again_is_said_done_again(capsys):
    progress = SceneProgress()
    for fraction in (1.0, 0.2, 1.0):
        progress("huiskamer", fraction)
    assert len(capsys.readouterr().err.splitlines()) == 2
