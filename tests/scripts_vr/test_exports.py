"""The front door: ``scripts_vr.__all__`` names exactly the public names it offers."""

from types import ModuleType

import scripts_vr


def test_all_is_honest():
    assert sorted(scripts_vr.__all__) == sorted(set(scripts_vr.__all__))
    assert all(not isinstance(getattr(scripts_vr, name), ModuleType) for name in scripts_vr.__all__)
    # names load on first use (lazy_loader); nothing public sits in the module beside them
    defined = {name for name, value in vars(scripts_vr).items()
               if not name.startswith("_") and not isinstance(value, ModuleType)}
    assert defined <= set(scripts_vr.__all__)
