"""The error tree in zorgblik/errors.py is the whole tree: every ZorgblikError subclass of every
package has its line there, under its parent and with the module that defines it, and a
docstring of its own (issue #18). A new error class without its line fails here."""

from __future__ import annotations

import importlib
import pkgutil
import re

import zorgblik.errors
from zorgblik.errors import ZorgblikError

PACKAGES = ("zorgblik", "scripts_vr", "catalog", "capture", "render", "headset_service", "cli")
LINE = re.compile(r"^    (?P<branch>(?:│   |    )*(?:[├└]── )?)(?P<name>\w+)\s+(?P<module>[\w.]+)\s+\S")


def _import_everything() -> None:
    """Import every module of the packages: an error class counts only once its module is loaded."""
    for name in PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(module.name)


def _drawn() -> dict[str, str | None]:
    """The drawing in the docstring: qualified name -> qualified name of its parent."""
    drawn: dict[str, str | None] = {}
    parents: list[str] = []
    inside = False
    for line in zorgblik.errors.__doc__.splitlines():
        found = LINE.match(line)
        if found is None:
            if inside and not line.strip():
                break
            continue
        inside = True
        depth = len(found["branch"]) // 4
        name = f"{found['module']}.{found['name']}"
        del parents[depth:]
        assert len(parents) == depth, f"{name}: drawn deeper than its parent"
        assert name not in drawn, f"{name} is drawn twice"
        drawn[name] = parents[-1] if parents else None
        parents.append(name)
    return drawn


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_the_drawn_tree_is_the_tree_in_the_code():
    _import_everything()
    classes = {_qualified(c): c for c in _subclasses(ZorgblikError)} | {_qualified(ZorgblikError): ZorgblikError}
    drawn = _drawn()
    assert sorted(set(classes) - set(drawn)) == [], "error classes missing from the tree in zorgblik/errors.py"
    assert sorted(set(drawn) - set(classes)) == [], "drawn in zorgblik/errors.py, but no such class"
    for name, parent in drawn.items():
        bases = {_qualified(b) for b in classes[name].__bases__}
        assert parent is None or parent in bases, f"{name} is drawn under {parent}, but its bases are {sorted(bases)}"


def test_every_error_class_says_what_it_means():
    _import_everything()
    undocumented = sorted(_qualified(c) for c in _subclasses(ZorgblikError) if not (c.__dict__.get("__doc__") or "").strip())
    assert undocumented == []
