"""Reading a VR-script file into data, keeping the line and column of every node.

The YAML is read the way a practice trainer expects, not the YAML-1.1 way:

* ``1:30`` stays the text "1:30" (no base-60 numbers), ``0755`` is 755;
* only ``true`` and ``false`` are booleans, so ``no``, ``ja`` and ``on`` stay text;
* ``2027-03-01`` is a date (an impossible date such as 2027-02-30 stays text, for the schema to
  reject with a position);
* a key written twice in one mapping is a problem (PyYAML silently keeps the last);
* only plain data tags: ``!!python/object`` and friends make the file unreadable.

An older format is converted in memory to the current one (:data:`UPGRADES`, one function per
step), so that everything after the loader sees one format; the file itself is left as it is.

:func:`read_script` returns a :class:`ScriptSource`: the data, the composed node tree, and the
problems found while reading. :meth:`ScriptSource.locate` maps a path of keys and indices (as
pydantic reports it, union labels and all) back to ``line, col``.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scripts_vr.errors import Problem, ScriptUnreadable

Loc = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_SAFE_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge"))
_MAX_DEPTH = 64
_MAX_NODES = 200_000


# PyYAML's own date pattern, so that resolver and constructor agree on what a date looks like.
_YAML11_TIMESTAMP = next(regex for tag, regex in yaml.resolver.Resolver.yaml_implicit_resolvers["2"]
                         if tag == _CORE + "timestamp")


class ScriptLoader(yaml.SafeLoader):
    """SafeLoader with YAML-1.2-core scalars (see the module docstring)."""

    yaml_implicit_resolvers: dict = {}


for _tag, _regex, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("timestamp", _YAML11_TIMESTAMP, "0123456789"),
    ("merge", r"^(?:<<)$", "<"),
):
    ScriptLoader.add_implicit_resolver(_CORE + _tag, re.compile(_regex), list(_first))  # re.compile passes a compiled pattern through


def _construct_int(loader: ScriptLoader, node: ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_timestamp(loader: ScriptLoader, node: ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2027-02-30: leave the text for the schema to reject, with its position
        return loader.construct_scalar(node)


ScriptLoader.add_constructor(_CORE + "int", _construct_int)
ScriptLoader.add_constructor(_CORE + "timestamp", _construct_timestamp)


def upgrade_1_to_2(data: dict) -> dict:
    """Format 1 -> 2. Format 2 added parts of the learning-workplace profile that format 1 lacked:
    ``team.learning_profile``, ``places``, ``supervision.supervisor``, per capacity
    ``self_assessment`` and ``development_point``, ``not_yet_available`` and ``wishes``. All of
    them are optional, and nothing of format 1 was renamed or moved, so a format-1 profile is a
    format-2 profile without those parts: only the version changes."""
    return {**data, "format": "zorgblik-vr-script/2"}


#: format a file says it has -> (the format it becomes, the function that converts its data)
UPGRADES: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "zorgblik-vr-script/1": ("zorgblik-vr-script/2", upgrade_1_to_2),
}


def upgrade(data: dict) -> tuple[dict, str | None]:
    """``data`` in the current format, and the older format it was written in (None: not older).
    A format this module does not know is left for the schema to reject."""
    written = None
    while isinstance(data.get("format"), str) and data["format"] in UPGRADES:
        written = written or data["format"]
        data = UPGRADES[data["format"]][1](data)
    return data, written


@dataclass
class ScriptSource:
    """A script file read as YAML: the data (upgraded to the current format), the node tree and
    the problems met on the way; ``upgraded_from`` is the older format the file is written in."""

    file: str
    path: Path
    root: MappingNode
    data: dict
    problems: list[Problem] = field(default_factory=list)
    upgraded_from: str | None = None

    def locate(self, loc: Loc, *, missing: bool = False, at_key: bool = False) -> tuple[Loc, int, int]:
        """Follow ``loc`` through the nodes as far as the file has them.

        Parts the file does not have are dropped (pydantic's union and tag labels), except the
        last one when ``missing`` (the name of the field that is absent). Returns the cleaned path
        and the 1-based line and column: of the value reached, of its key when ``at_key``, or of
        the enclosing mapping for a missing field.
        """
        node: Node = self.root
        key: Node | None = None
        kept: list[str | int] = []
        for i, part in enumerate(loc):
            step = _child(node, part)
            if step is not None:
                key, node = step
                kept.append(part)
            else:
                if missing and i == len(loc) - 1:
                    kept.append(part)
        mark = (key if at_key and key is not None else node).start_mark
        return tuple(kept), mark.line + 1, mark.column + 1

    def problem(self, loc: Loc, message: str, *, missing: bool = False, at_key: bool = False) -> Problem:
        path, line, col = self.locate(loc, missing=missing, at_key=at_key)
        return Problem(self.file, line, col, format_path(path), message)


def format_path(path: Loc) -> str:
    return ".".join(str(p) for p in path)


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    """The (key node, value node) that ``part`` names inside ``node``, or None."""
    if isinstance(node, MappingNode):
        for key, value in reversed(node.value):  # the last one wins, as in the data
            if isinstance(key, ScalarNode) and key.value == str(part):
                return key, value
    elif isinstance(node, SequenceNode) and isinstance(part, int) and not isinstance(part, bool):
        if 0 <= part < len(node.value):
            return None, node.value[part]
    return None


def read_script(path: str | Path, *, max_bytes: int | None = None) -> ScriptSource:
    """Read and parse one script file; raises :class:`ScriptUnreadable`."""
    if max_bytes is None:
        from zorgblik.settings import Settings

        max_bytes = Settings.from_env().max_script_bytes
    file = str(path)
    path = Path(path)
    raw = _read_bytes(path, file, max_bytes)
    text = _decode(raw, file)
    loader = ScriptLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, file) from None
        except yaml.reader.ReaderError as exc:
            line, col = _line_col(text, exc.position)
            raise ScriptUnreadable(f"bevat een teken dat niet in YAML mag ({exc.character!r})",
                                   file=file, line=line, col=col) from None
        except RecursionError:
            raise ScriptUnreadable("is te diep genest", file=file) from None
        if root is None:
            raise ScriptUnreadable("is leeg", file=file, hint="begin met 'zorgblik script new'")
        if not isinstance(root, MappingNode):
            kind = "een lijst" if isinstance(root, SequenceNode) else "losse tekst"
            mark = root.start_mark
            raise ScriptUnreadable(f"is {kind}; een VR-script is een mapping (sleutel: waarde)", file=file,
                                   line=mark.line + 1, col=mark.column + 1)
        problems: list[Problem] = []
        _inspect(root, (), file, problems, depth=0, budget=[_MAX_NODES])
        try:
            data = loader.construct_document(root)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise ScriptUnreadable(f"kan niet worden gelezen: {exc}", file=file) from None
    finally:
        loader.dispose()
    data, upgraded_from = upgrade(data)
    return ScriptSource(file, path, root, data, problems, upgraded_from)


#: What a path is when it is no regular file, for the one line that says so.
_NOT_A_FILE = {stat.S_IFIFO: "een pipe", stat.S_IFSOCK: "een socket", stat.S_IFCHR: "een apparaat",
               stat.S_IFBLK: "een apparaat"}


def _check_regular(mode: int, file: str) -> None:
    """Refuse anything but a regular file: reading a FIFO waits for a writer that never comes."""
    if stat.S_ISDIR(mode):
        raise ScriptUnreadable("is een map, geen bestand", file=file)
    if not stat.S_ISREG(mode):
        kind = _NOT_A_FILE.get(stat.S_IFMT(mode), "iets anders")
        raise ScriptUnreadable(f"is geen gewoon bestand maar {kind}", file=file, hint="geef een YAML-bestand")


def _read_bytes(path: Path, file: str, max_bytes: int) -> bytes:
    try:
        _check_regular(path.stat().st_mode, file)
        # O_NONBLOCK: should the file have become a FIFO since, opening it still does not wait
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            found = os.fstat(handle.fileno())
            _check_regular(found.st_mode, file)
            size = found.st_size
            if size > max_bytes:
                raise ScriptUnreadable(f"is te groot ({size} bytes; een VR-script mag hoogstens {max_bytes} bytes zijn)",
                                       file=file, hint="staat er per ongeluk een video- of beeldbestand?")
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ScriptUnreadable("bestaat niet", file=file) from None
    except OSError as exc:
        raise ScriptUnreadable(f"kan niet worden gelezen: {exc.strerror or exc}", file=file) from None
    if len(raw) > max_bytes:
        raise ScriptUnreadable(f"is te groot (meer dan {max_bytes} bytes)", file=file)
    return raw


def read_text(path: str | Path, *, max_bytes: int) -> str:
    """The text of a script file, read as :func:`read_script` reads it (a regular file, at most
    ``max_bytes``, UTF-8), without parsing it."""
    return _decode(_read_bytes(Path(path), str(path), max_bytes), str(path))


def _decode(raw: bytes, file: str) -> str:
    if b"\x00" in raw:
        line, col = _line_col_bytes(raw, raw.index(b"\x00"))
        raise ScriptUnreadable("is een binair bestand, geen YAML-tekst", file=file, line=line, col=col)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col_bytes(raw, exc.start)
        raise ScriptUnreadable("is geen UTF-8-tekst", file=file, line=line, col=col,
                               hint="sla het bestand op als UTF-8") from None


def _line_col_bytes(raw: bytes, offset: int) -> tuple[int, int]:
    return raw.count(b"\n", 0, offset) + 1, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> ScriptUnreadable:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "onbekende fout"
    hint = "controleer het inspringen (spaties) en de dubbele punt na elke sleutel"
    if "'\\t'" in problem:
        hint = "gebruik spaties om in te springen, geen tabs"
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return ScriptUnreadable(f"geen geldige YAML: {problem}", file=file, line=line, col=col, hint=hint)


def _inspect(node: Node, path: Loc, file: str, problems: list[Problem], *, depth: int, budget: list[int]) -> None:
    """Refuse unsafe tags, complex keys and alias bombs; note duplicate keys as problems."""
    budget[0] -= 1
    mark = node.start_mark
    if budget[0] < 0 or depth > _MAX_DEPTH:
        raise ScriptUnreadable("is te groot of te diep genest (te veel verwijzingen met * of te veel niveaus)",
                               file=file, line=mark.line + 1, col=mark.column + 1)
    if node.tag not in _SAFE_TAGS:
        shown = node.tag.replace(_CORE, "!!")
        raise ScriptUnreadable(f"bevat de tag {shown}, die niet is toegestaan", file=file, line=mark.line + 1,
                               col=mark.column + 1, hint="een VR-script bevat alleen tekst, getallen, datums, lijsten en mappings")
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _inspect(item, path + (index,), file, problems, depth=depth + 1, budget=budget)
    elif isinstance(node, MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            key_mark = key.start_mark
            if not isinstance(key, ScalarNode):
                raise ScriptUnreadable("een sleutel moet gewone tekst zijn, geen lijst of mapping", file=file,
                                       line=key_mark.line + 1, col=key_mark.column + 1)
            _inspect(key, path, file, problems, depth=depth + 1, budget=budget)
            if key.tag != _CORE + "merge":
                ident = (key.tag, key.value)
                if ident in seen:
                    problems.append(Problem(file, key_mark.line + 1, key_mark.column + 1,
                                            format_path(path + (key.value,)),
                                            f"staat twee keer in dezelfde mapping (ook op regel {seen[ident]})"))
                else:
                    seen[ident] = key_mark.line + 1
            _inspect(value, path + (key.value,), file, problems, depth=depth + 1, budget=budget)


__all__ = ["UPGRADES", "ScriptLoader", "ScriptSource", "format_path", "read_script", "upgrade", "upgrade_1_to_2"]
