"""The script form, generated from the VR-script model: one section of the profile at a time.

Nothing here spells a field of the script by hand. :func:`section_fields` walks the model's JSON
schema (``VRScript.model_json_schema()``) beside the script's data and gives a tree of
:class:`FormField`: groups for mappings, lists with add/remove, a select for a fixed choice,
checkboxes for a list of choices, ``<input type=date>`` for dates, and for every fact
(``Fact[T]`` in the model) a "verloopt" part with owner and review date. A field the format
gains tomorrow shows up under its section (or under "Overig") without an edit here; its label
comes from :data:`zorgblik.terms.SCRIPT_FIELDS`, else from the model's description.

Input names are the field's path in the script, as lint reports it: ``team.day.2.time``; a
fact's extra inputs add ``~owner`` and ``~review_by`` (a review date makes it volatile). :func:`read_section` turns
the posted form back into plain data for :func:`scripts_vr.roundtrip.replace`, and
:func:`attach_problems` puts each lint problem on the input its path names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from scripts_vr.errors import Problem
from scripts_vr.model import VRScript
from zorgblik.terms import (CARE_CATEGORIES, LEARNING_PREFERENCES, MATCH_CRITERIA, MBO_LEVELS, ROUTES, SCRIPT_FIELDS,
                           SCRIPT_ITEMS, SELF_ASSESSMENTS, SUPERVISOR_KINDS)

#: The form's sections: (slug, title, top-level keys). A key of the profile that none names joins
#: the section of the key before it in the model (:func:`section_keys`); the scenes stay in the
#: YAML file (the form shows how many there are).
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("organisatie", "Organisatie", ("owner", "organisation", "care_category", "custom_category")),
    ("team", "Team en dag", ("team",)),
    ("zorg", "Doelgroepen en zorg", ("client_groups", "care_given")),
    ("verwachtingen", "Plaatsen en verwachtingen", ("places", "expectations")),
    ("welkom", "Welkom", ("welcome",)),
    ("begeleiding", "Begeleiding", ("supervision",)),
    ("vermogens", "Vermogens en wensen", ("capacities", "not_yet_available", "wishes")),
)
NOT_IN_FORM = ("format", "scenes")
OTHER = ("overig", "Overig")

#: Labels of fixed choices, by the values they hold.
_CHOICE_LABELS: dict[Any, str] = {**CARE_CATEGORIES, **MATCH_CRITERIA, **ROUTES, **MBO_LEVELS, **LEARNING_PREFERENCES,
                                  **SELF_ASSESSMENTS, **SUPERVISOR_KINDS}
_LONG_TEXT = frozenset({"description", "how"})


@dataclass
class FormField:
    kind: str  # group | list | text | textarea | integer | number | date | bool | choice | choices
    name: str  # the path, as an input name
    key: str
    label: str
    help: str | None = None
    required: bool = False
    value: Any = None
    fact: bool = False  # may be marked "verloopt" (owner + review date)
    volatile: dict | None = None  # {"owner": ..., "review_by": ...} when it is marked
    choices: list[tuple[Any, str]] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)  # group: its fields; list: its items
    scalar_items: bool = False  # a list of single inputs (not of groups)
    errors: list[str] = field(default_factory=list)
    meta_errors: dict[str, list[str]] = field(default_factory=dict)  # "owner" / "review_by"

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


# --- the schema -----------------------------------------------------------------------------------

@cache
def _schema() -> dict:
    return VRScript.model_json_schema()


def _deref(node: dict) -> dict:
    while "$ref" in node:
        node = _schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _is_volatile(node: dict) -> bool:
    return set(_deref(node).get("properties", {})) >= {"value", "review_by"}


def _unwrap(node: dict) -> tuple[dict, bool, bool]:
    """(the value's schema, optional, a fact) for one property's schema."""
    optional = fact = False
    node = _deref(node)
    for _ in range(3):
        options = node.get("anyOf") or node.get("oneOf")
        if not options:
            break
        kept = [o for o in options if o.get("type") != "null"]
        optional = optional or len(kept) < len(options)
        if len(kept) == 2 and _is_volatile(kept[1]):
            fact, node = True, _deref(kept[0])
        elif len(kept) == 1:
            node = _deref(kept[0])
        else:
            break
    return node, optional, fact


def label_of(key: str, node: dict) -> str:
    return SCRIPT_FIELDS.get(key) or (node.get("description") or key.replace("_", " ")).capitalize()


# --- data + schema -> fields ----------------------------------------------------------------------

@cache
def _placed() -> dict[str, str]:
    """Each profile key's section. A key no section names (one the format gained) joins the
    section of the key before it in the model, so it shows where a reader of the model expects
    it; before every named key it goes to "overig"."""
    named = {k: slug for slug, _t, keys in SECTIONS for k in keys}
    placed, current = {}, OTHER[0]
    for key in _schema()["properties"]:
        current = named.get(key, current)
        if key not in NOT_IN_FORM:
            placed[key] = current
    return placed


def section_keys(slug: str) -> tuple[str, ...]:
    if slug not in {s for s, _t, _k in SECTIONS} | {OTHER[0]}:
        raise KeyError(slug)
    named = next((keys for s, _t, keys in SECTIONS if s == slug), ())
    extra = tuple(k for k, where in _placed().items() if where == slug and k not in named)
    return tuple(k for k in named if k in _schema()["properties"]) + extra


def sections() -> list[tuple[str, str]]:
    found = [(slug, title) for slug, title, _keys in SECTIONS]
    return found + [OTHER] if section_keys(OTHER[0]) else found


def section_fields(slug: str, data: dict) -> list[FormField]:
    root = _schema()
    required = set(root.get("required", []))
    return [_field(root["properties"][key], key, key, data.get(key), key in required) for key in section_keys(slug)]


def _field(prop: dict, key: str, name: str, value: Any, required: bool) -> FormField:
    node, optional, fact = _unwrap(prop)
    help_text = prop.get("description") or node.get("description")
    made = FormField(kind="text", name=name, key=key, label=label_of(key, {**node, **prop}),
                     help=help_text if help_text and help_text.lower() != label_of(key, {}).lower() else None,
                     required=required and not optional, fact=fact)
    if fact and isinstance(value, dict) and "value" in value:
        made.volatile = {"owner": value.get("owner"), "review_by": _date_text(value.get("review_by"))}
        value = value.get("value")
    kind = node.get("type")
    if kind == "object" and set(node.get("properties", {})) >= {"nl"} and isinstance(value, str):
        value = {"nl": value}  # 'label: Gang' is short for {nl: Gang}
    if kind == "object" and "properties" in node:
        made.kind = "group"
        value = value if isinstance(value, dict) else {}
        needed = set(node.get("required", []))
        made.children = [_field(p, k, f"{name}.{k}", value.get(k), k in needed) for k, p in node["properties"].items()]
    elif kind == "array":
        items, _, item_fact = _unwrap(node.get("items", {}))
        values = value if isinstance(value, list) else []
        if "enum" in items:
            made.kind, made.value = "choices", [v for v in values]
            made.choices = [(v, _CHOICE_LABELS.get(v, str(v))) for v in items["enum"]]
        else:
            made.kind = "list"
            made.scalar_items = items.get("type") != "object"
            made.children = [_field(node["items"], key, f"{name}.{i}", v, True) for i, v in enumerate(values)]
            for child in made.children:  # "Dienst 2"; the model's description once, on the list
                child.label = f"{SCRIPT_ITEMS.get(key, made.label)} {int(child.name.rsplit('.', 1)[1]) + 1}"
                child.help = None
    elif "enum" in node:
        made.kind, made.value = "choice", value
        made.choices = [(v, _CHOICE_LABELS.get(v, str(v))) for v in node["enum"]]
    elif kind == "boolean" and optional:  # yes / no / not said
        made.kind, made.choices = "choice", [("true", "ja"), ("false", "nee")]
        made.value = None if value is None else ("true" if value is True else "false" if value is False else value)
    elif kind == "boolean":
        made.kind, made.value = "bool", value
    elif kind in ("integer", "number"):
        made.kind, made.value = kind, value
    elif node.get("format") == "date":
        made.kind, made.value = "date", _date_text(value)
    else:
        long = key in _LONG_TEXT or (isinstance(value, str) and len(value) > 80)
        made.kind, made.value = ("textarea" if long else "text"), value
    return made


def _date_text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# --- the posted form -> data ----------------------------------------------------------------------

def read_section(slug: str, form, *, keep_empty: bool = False) -> dict[str, Any]:
    """The plain data of one section from a posted form (a Starlette ``FormData`` or a dict of
    lists); what cannot be read as its type is kept as text, for lint to point at. Empty list
    items are dropped, unless ``keep_empty`` (the form is shown again, not saved)."""
    root = _schema()
    return {key: _read(root["properties"][key], key, form, keep_empty) for key in section_keys(slug)}


def _get(form, name: str) -> str | None:
    value = form.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n").strip()
    return value or None


def _getlist(form, name: str) -> list[str]:
    return list(form.getlist(name)) if hasattr(form, "getlist") else list(form.get(name, []))


def _indices(form, name: str) -> list[int]:
    prefix = name + "."
    found = set()
    for key in form.keys():
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0].split("~", 1)[0]
            if head.isascii() and head.isdigit():
                found.add(int(head))
    return sorted(found)


def _read(prop: dict, name: str, form, keep_empty: bool) -> Any:
    node, optional, fact = _unwrap(prop)
    kind = node.get("type")
    if kind == "object" and "properties" in node:
        value = {k: _read(p, f"{name}.{k}", form, keep_empty) for k, p in node["properties"].items()}
        value = {k: v for k, v in value.items() if v is not None}
        if set(node["properties"]) >= {"nl"} and set(value) == {"nl"}:
            return value["nl"]  # {nl: X} alone is written as plain X
        return value or None
    if kind == "array":
        items, _, _ = _unwrap(node.get("items", {}))
        if "enum" in items:
            chosen = _getlist(form, name)
            return [_typed(items, v) for v in chosen] or None
        values = [_read(node["items"], f"{name}.{i}", form, keep_empty) for i in _indices(form, name)]
        if keep_empty:
            return [v if v is not None else "" for v in values]
        return [v for v in values if v is not None] or None
    text = _get(form, name)
    if node.get("type") == "boolean" and optional:
        value = {"true": True, "false": False}.get(text, text)
    elif node.get("type") == "boolean":
        value = text is not None  # a checkbox: absent is false
    else:
        value = _typed(node, text)
    if fact and _get(form, f"{name}~review_by"):  # a review date makes a fact volatile
        volatile = {"value": value, "owner": _get(form, f"{name}~owner"),
                    "review_by": _typed({"format": "date"}, _get(form, f"{name}~review_by"))}
        return {k: v for k, v in volatile.items() if v is not None}
    return value


def _typed(node: dict, text: str | None) -> Any:
    if text is None:
        return None
    kind = node.get("type")
    if kind == "integer" or (node.get("enum") and all(isinstance(v, int) for v in node["enum"])):
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if kind == "number":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    if node.get("format") == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


# --- add / remove a list item ---------------------------------------------------------------------

def change_list(data: dict, action: str) -> None:
    """Apply ``add:PATH`` (a new empty item at the end of the list at PATH) or ``remove:PATH.i``."""
    verb, _, path = action.partition(":")
    parts: list[str | int] = [int(p) if p.isascii() and p.isdigit() else p for p in path.split(".") if p]
    if verb == "remove" and parts and isinstance(parts[-1], int):
        parts, index = parts[:-1], parts[-1]
    elif verb != "add" or not parts:
        return
    parent: Any = data
    for part in parts[:-1]:
        if isinstance(parent, dict) and part in parent:
            parent = parent[part]
        elif isinstance(parent, list) and isinstance(part, int) and part < len(parent):
            parent = parent[part]
        else:
            return
    last = parts[-1]
    if isinstance(parent, dict):
        current = parent.get(last)
        if verb == "add":
            parent[last] = (current if isinstance(current, list) else []) + [""]
        elif isinstance(current, list) and index < len(current):
            del current[index]


# --- lint problems at their fields ----------------------------------------------------------------

def walk(fields: list[FormField]):
    for f in fields:
        yield f
        yield from walk(f.children)


def attach_problems(fields: list[FormField], problems: list[Problem]) -> list[Problem]:
    """Put each problem on the field its path names (or the nearest enclosing one); returns the
    problems that belong to no field of this section (other sections, the scenes)."""
    by_name = {f.name: f for f in walk(fields)}
    left = []
    for problem in problems:
        target, meta = _target(by_name, problem.path)
        if target is None:
            left.append(problem)
        elif meta:
            target.meta_errors.setdefault(meta, []).append(problem.message)
        else:
            target.errors.append(problem.message)
    return left


def _target(by_name: dict[str, FormField], path: str) -> tuple[FormField | None, str | None]:
    parts = path.split(".") if path else []
    if len(parts) > 1 and parts[-1] in ("value", "owner", "review_by"):
        fact = by_name.get(".".join(parts[:-1]))
        if fact is not None and fact.fact:
            return fact, None if parts[-1] == "value" else parts[-1]
    while parts:
        found = by_name.get(".".join(parts))
        if found is not None:
            return found, None
        parts = parts[:-1]
    return None, None


__all__ = ["FormField", "SECTIONS", "attach_problems", "change_list", "read_section", "section_fields",
           "section_keys", "sections", "walk"]
