"""Pydantic's complaints, said in Dutch to a practice trainer.

:func:`dutch` turns one entry of ``ValidationError.errors()`` into a short Dutch sentence. Common
error types have their own sentence; rare ones fall back to pydantic's English message. The
script's own validators already speak Dutch (``PydanticCustomError``), so their message is used
as it is.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

Loc = tuple[str | int, ...]


def _limit(word: str) -> Callable[[dict], str]:
    return lambda ctx: word.format(**{k: _number(v) for k, v in ctx.items()})


def _number(value: Any) -> Any:
    """90.0 -> 90; other values unchanged."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _at_least(ctx: dict) -> str:
    count = ctx.get("min_length", 1)
    return "mag niet leeg zijn" if count == 1 else f"moet minstens {count} onderdelen hebben"


def _choices(ctx: dict, given: Any) -> str:
    expected = str(ctx.get("expected", ""))
    options = re.findall(r"'([^']*)'", expected) or [o.strip() for o in re.split(r",| or ", expected) if o.strip()]
    text = "moet een van deze waarden zijn: " + ", ".join(options)
    if len(options) == 1:
        return f"moet precies {options[0]} zijn"
    close = difflib.get_close_matches(str(given), options, n=1)
    return f"{text}; bedoelde je '{close[0]}'?" if close else text


def _needs_text(error: dict) -> str:
    given = error.get("input")
    if isinstance(given, (int, float, bool, date)):
        return "moet tekst zijn; zet de waarde tussen aanhalingstekens"
    return "moet tekst zijn"


def _mapping(error: dict) -> str:
    if (error.get("ctx") or {}).get("class_name") == "Text":
        return "moet tekst zijn, of een mapping met nl: (en optioneel en:)"
    return "moet een mapping zijn (sleutel: waarde op de regels eronder)"


#: error type -> Dutch sentence (a string, or a function of the error's ctx)
_SIMPLE: dict[str, str | Callable[[dict], str]] = {
    "missing": "ontbreekt",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_type": "moet een getal zijn",
    "float_parsing": "moet een getal zijn",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "date_type": "moet een datum zijn als 2027-03-01",
    "date_parsing": "is geen geldige datum (schrijf 2027-03-01)",
    "date_from_datetime_parsing": "is geen geldige datum (schrijf 2027-03-01)",
    "date_from_datetime_inexact": "moet een datum zonder tijd zijn (schrijf 2027-03-01)",
    "list_type": "moet een lijst zijn (regels die met '- ' beginnen)",
    "dict_type": "moet een mapping zijn (sleutel: waarde op de regels eronder)",
    "string_too_short": "mag niet leeg zijn",
    "too_short": _at_least,
    "too_long": _limit("mag hoogstens {max_length} onderdelen hebben"),
    "greater_than": _limit("moet groter zijn dan {gt}"),
    "greater_than_equal": _limit("moet minstens {ge} zijn"),
    "less_than": _limit("moet kleiner zijn dan {lt}"),
    "less_than_equal": _limit("mag hoogstens {le} zijn"),
    "finite_number": "moet een eindig getal zijn",
}


def dutch(error: dict, allowed_keys: Callable[[Loc], Iterable[str]]) -> str:
    """The Dutch sentence for one pydantic error. ``allowed_keys(parent_loc)`` lists the keys a
    mapping may have, for 'did you mean' on unknown keys."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        if " " in key.strip():
            return "onbekend veld; staat er een komma in tekst tussen { }? Zet die tekst dan tussen aanhalingstekens"
        close = difflib.get_close_matches(key, list(allowed_keys(error["loc"][:-1])), n=1, cutoff=0.6)
        return f"onbekend veld; bedoelde je '{close[0]}'?" if close else "onbekend veld"
    if kind in ("literal_error", "enum"):
        return _choices(ctx, error.get("input"))
    if kind == "string_type":
        return _needs_text(error)
    if kind in ("model_type", "model_attributes_type"):
        return _mapping(error)
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    sentence = _SIMPLE.get(kind)
    if sentence is None:
        return error["msg"]
    return sentence(ctx) if callable(sentence) else sentence


def keys_at(root: type[BaseModel], loc: Loc) -> set[str]:
    """The keys allowed in the mapping at ``loc`` (a cleaned or raw pydantic loc) below ``root``."""
    kinds: list[Any] = [root]
    for part in loc:
        following: list[Any] = []
        for tp in _concrete(kinds):
            if isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, info in tp.model_fields.items():
                    if part in (name, info.alias):
                        following.append(info.annotation)
            elif isinstance(part, int) and get_origin(tp) is list:
                following.append(get_args(tp)[0])
        if following:  # a part no type knows is a union label: stay where we are
            kinds = following
    return {info.alias or name for tp in _concrete(kinds) if isinstance(tp, type) and issubclass(tp, BaseModel)
            for name, info in tp.model_fields.items()}


def _concrete(kinds: Iterable[Any]) -> list[Any]:
    """Unwrap Annotated and unions down to models, lists and plain types."""
    out: list[Any] = []
    for tp in kinds:
        origin = get_origin(tp)
        if origin is Annotated:
            out += _concrete([get_args(tp)[0]])
        elif origin is Union or origin is types.UnionType:
            out += _concrete(get_args(tp))
        else:
            out.append(tp)
    return out
