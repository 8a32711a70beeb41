"""The front door: ``scripts_vr.__all__`` names exactly the public names it offers."""

from types import ModuleType

import scripts_vr


def test_all_is_honest():
    public = {name for name, value in vars(scripts_vr).items()
              if not name.startswith("_") and not isinstance(value, ModuleType)}
    assert set(scripts_vr.__all__) == public
