"""What the school and the practice approve: a script's profile, as one hash.

The profile is everything in a script except its ``scenes`` (and its ``format`` line: a script
moved to a newer format version says the same). Its hash is the sha256 of the validated model as
canonical JSON (sorted keys, only what the file sets), so rewording a comment, re-ordering keys,
changing quotes or editing a scene leaves it alone, and changing any fact of the profile changes
it.

    profile_sha256(script) -> str              of a loaded VRScript
    profile_sha256_of_text(text) -> str        of a script's text; ScriptInvalid if it is not one
    is_vr_script_text(text) -> bool            does the text say it is a VR script (its format line)
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

import yaml
from pydantic import BaseModel, ValidationError, create_model

from scripts_vr.errors import Problem, ScriptInvalid, ScriptUnreadable
from scripts_vr.loader import ScriptLoader, upgrade
from scripts_vr.model import VRScript

FORMAT_PREFIX = "zorgblik-vr-script/"
#: The keys of a script that are not its profile.
NOT_PROFILE = ("format", "scenes")


@cache
def profile_model() -> type[BaseModel]:
    """The script's model without its scenes: a script with a wrong scene still has a profile."""
    fields = {key: (info.annotation, info) for key, info in VRScript.model_fields.items() if key not in NOT_PROFILE}
    return create_model("Profile", __config__=VRScript.model_config, **fields)


def profile_sha256(script: BaseModel) -> str:
    """The hash of a loaded :class:`VRScript`'s profile (or of a :func:`profile_model` instance)."""
    profile = script.model_dump(mode="json", exclude=set(NOT_PROFILE), exclude_unset=True)
    canonical = json.dumps(profile, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _data(text: str, file: str) -> object:
    try:
        return yaml.load(text, Loader=ScriptLoader)  # noqa: S506 - ScriptLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ScriptUnreadable(f"geen geldige YAML: {exc}", file=file) from None


def is_vr_script_text(text: str) -> bool:
    """True when ``text`` is a mapping whose ``format`` names a VR-script format (any version)."""
    try:
        data = _data(text, "script")
    except ScriptUnreadable:
        return False
    return isinstance(data, dict) and str(data.get("format", "")).startswith(FORMAT_PREFIX)


def profile_sha256_of_text(text: str, *, file: str = "script") -> str:
    """The profile hash of a script's text: its profile must be valid, its scenes need not be."""
    data = _data(text, file)
    if not isinstance(data, dict):
        raise ScriptInvalid(file, [Problem(file, 1, 1, "", "is geen mapping")])
    data, _older = upgrade(data)  # a script in an older format reads as it does in the current one
    try:
        return profile_sha256(profile_model().model_validate({k: v for k, v in data.items() if k not in NOT_PROFILE}))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(p) for p in first["loc"])
        raise ScriptInvalid(file, [Problem(file, 0, 0, path, first["msg"])]) from None


__all__ = ["FORMAT_PREFIX", "is_vr_script_text", "profile_sha256", "profile_sha256_of_text"]
