"""Changing a script file from a form without losing what the trainer wrote around it.

The YAML file stays the source of truth. A form save reads it with ruamel.yaml's round-trip
loader, changes only the values that differ, and writes it back: comments, key order, quoting,
flow style (``{time: "07:00", ...}``) and folded text (``>-``) stay as they were. Keys the form
does not show (the scenes, anything the form does not know yet) are left alone.

    doc = load(text)                        # a CommentedMap
    replace(doc, "team", {"name": ..., ...})  # the new plain value of one top-level key
    text = dump(doc)

``replace`` merges: a mapping keeps its existing keys' order and comments, drops keys that are
gone, and appends new ones; a list is changed item by item; a scalar is only assigned when its
value changed, so an untouched ``"033 123 45 67"`` keeps its quotes.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from scripts_vr.errors import ScriptUnreadable

#: Folded text (``>-``) is wrapped at about this many characters, as the templates are.
FOLD_WIDTH = 92


def _yaml() -> YAML:
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # the templates' own layout
    yaml.width = 4096  # never wrap a line by itself: a flow mapping stays on its line
    return yaml


def load(text: str, *, file: str = "script") -> CommentedMap:
    """The script text as a round-trip document; raises :class:`ScriptUnreadable`."""
    try:
        doc = _yaml().load(text)
    except YAMLError as exc:
        raise ScriptUnreadable(f"geen geldige YAML: {exc}", file=file) from None
    if not isinstance(doc, CommentedMap):
        raise ScriptUnreadable("is geen mapping (sleutel: waarde)", file=file)
    return doc


def dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def replace(doc: CommentedMap, key: str, value: Any) -> None:
    """Set top-level ``key`` to the plain ``value`` (None removes it), keeping what can be kept."""
    if value is None:
        doc.pop(key, None)
    elif key in doc:
        doc[key] = _merge(doc[key], value)
    else:
        doc[key] = _fresh(value, flow=False)


def _merge(old: Any, new: Any) -> Any:
    """``new`` (plain data) shaped like ``old`` where ``old`` has a shape to keep."""
    if isinstance(new, dict) and isinstance(old, CommentedMap):
        keep = {k: v for k, v in new.items() if v is not None}
        # ruamel keeps the comment lines before a key on the value before it: when that value goes,
        # its comment moves to the value before, so it still introduces what follows
        for gone in [k for k in old if k not in keep]:
            keys = list(old)
            text = _take_key_tail(old, gone)
            del old[gone]
            at = keys.index(gone)
            if at > 0:
                _give_key_tail(old, keys[at - 1], text)
        tail = _take_tail(old) if set(keep) - set(old) else None  # new keys go above the next comment
        for k, v in keep.items():
            old[k] = _merge(old[k], v) if k in old else _fresh(v, flow=old.fa.flow_style())
        _give_tail(old, tail)
        return old
    if isinstance(new, list) and isinstance(old, CommentedSeq):
        tail = _take_tail(old) if len(new) != len(old) else None
        del old[len(new):]
        flow_items = bool(old) and all(isinstance(i, CommentedMap) and i.fa.flow_style() for i in old)
        for i, v in enumerate(new):
            if i < len(old):
                old[i] = _merge(old[i], v)
            else:
                old.append(_fresh(v, flow=flow_items or old.fa.flow_style()))
        _give_tail(old, tail)
        return old
    if isinstance(new, dict) and not isinstance(old, (dict, list)):  # a fact becomes {value, owner, review_by}
        return _fresh(new, flow=all(not isinstance(v, (dict, list)) for v in new.values()))
    if isinstance(new, (dict, list)):
        return _fresh(new, flow=False)
    if _same(old, new):
        return old
    if isinstance(new, str) and isinstance(old, FoldedScalarString):
        return folded(new)
    if isinstance(new, str) and isinstance(old, LiteralScalarString):
        return LiteralScalarString(new)
    return new


def _take_tail(node: Any) -> str | None:
    """Remove and return the text of the comment lines after ``node``'s last value (ruamel keeps
    them on the last key or item, where a removal would lose them)."""
    if not isinstance(node, (CommentedMap, CommentedSeq)) or not len(node):
        return None
    if node.ca.end:  # one token per line, its indentation in the token's column
        text = "".join(" " * (t.start_mark.column if t.value.strip() else 0) + t.value for t in node.ca.end)
        node.ca.end = []
        return text
    return _take_key_tail(node, list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1)


def _take_key_tail(node: CommentedMap | CommentedSeq, key: Any) -> str | None:
    """Remove and return the comment lines after the value at ``key`` of ``node``."""
    slot = 2 if isinstance(node, CommentedMap) else 0
    tokens = node.ca.items.get(key)
    if tokens and tokens[slot] is not None:
        text = tokens[slot].value
        tokens[slot] = None
        return text.split("\n", 1)[1] if "\n" in text else None  # drop the end of the value's own line
    return _take_tail(node[key])


def _give_tail(node: Any, text: str | None) -> None:
    """Put comment lines (from :func:`_take_tail`) at the end of ``node``, where they stay after
    whatever is appended to it."""
    if not text or not isinstance(node, (CommentedMap, CommentedSeq)) or not len(node):
        return
    if isinstance(node, CommentedSeq):  # a list prints its end comment after its last item
        if node.ca.comment is None:
            node.ca.comment = [None, None]  # ruamel only prints 'end' beside a comment list
        node.ca.end = [*(node.ca.end or []), *(
            CommentToken(line.lstrip(" ") + "\n", CommentMark(len(line) - len(line.lstrip(" "))), None)
            if line.strip() else CommentToken("\n", CommentMark(0), None) for line in text.splitlines())]
        return
    _give_key_tail(node, list(node)[-1], text)


def _give_key_tail(node: CommentedMap, key: Any, text: str | None) -> None:
    """Put comment lines after the value at ``key`` of the mapping ``node``."""
    if not text:
        return
    if isinstance(node[key], (CommentedMap, CommentedSeq)) and len(node[key]) and not node[key].fa.flow_style():
        _give_tail(node[key], text)
        return
    tokens = node.ca.items.setdefault(key, [None, None, None, None])
    had = tokens[2].value if tokens[2] is not None else "\n"
    tokens[2] = CommentToken(had + text, CommentMark(0), None)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    old, new = (str(v) if isinstance(v, ScalarString) else v for v in (old, new))
    return type(old) is type(new) and old == new or (
        isinstance(old, (int, float)) and isinstance(new, (int, float)) and old == new)


def _fresh(value: Any, *, flow: bool) -> Any:
    """New nodes: mappings inside a flow list are flow mappings too, so the list reads alike
    (and text inside them is never folded: a flow mapping cannot hold ``>-``)."""
    if isinstance(value, dict):
        node = CommentedMap((k, _fresh(v, flow=flow)) for k, v in value.items() if v is not None)
        if flow:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        return CommentedSeq(_fresh(v, flow=flow) for v in value)
    if isinstance(value, str) and not flow and len(value) > FOLD_WIDTH and "\n" not in value:
        return folded(value)
    return value


def folded(text: str) -> FoldedScalarString:
    """Long text as ``>-`` folded at word boundaries (reads back as the same one-line text)."""
    result = FoldedScalarString(text)
    folds, start = [], 0
    while len(text) - start > FOLD_WIDTH:
        cut = text.rfind(" ", start, start + FOLD_WIDTH)
        if cut <= start:
            cut = text.find(" ", start + FOLD_WIDTH)
            if cut < 0:
                break
        folds.append(cut)
        start = cut + 1
    result.fold_pos = folds
    return result


__all__ = ["FOLD_WIDTH", "dump", "folded", "load", "replace"]
