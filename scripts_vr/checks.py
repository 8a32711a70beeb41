"""Rules that span fields, run after (and independently of) the schema.

Each check is a small named function that yields :class:`Finding` s: a path of YAML keys and
indices plus a Dutch message; the linter turns the path into ``file:line:col``. Script checks
look at the raw data, so they work even when the schema rejects something elsewhere. Scene checks
look at each scene that on its own passes the schema; a scene with a schema error is skipped here
(its schema error is reported anyway).

All times inside a scene (captions, hotspots, privacy) count from the scene's ``in`` point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from scripts_vr.model import Scene

Loc = tuple[str | int, ...]


class Finding(NamedTuple):
    loc: Loc
    message: str


def show_time(seconds: float) -> str:
    """``75.5`` -> ``1:15.5``."""
    minutes, rest = divmod(seconds, 60)
    text = f"{int(minutes)}:{rest:06.3f}".rstrip("0").rstrip(".")
    return text


# --- whole script ------------------------------------------------------------------------------


def custom_category_matches(data: dict) -> Iterator[Finding]:
    category, custom = data.get("care_category"), data.get("custom_category")
    if category == "custom" and not custom:
        yield Finding(("care_category",), "bij 'custom' hoort custom_category: de naam van je eigen zorgcategorie")
    elif category != "custom" and custom is not None and "custom_category" in data:
        yield Finding(("custom_category",), "mag alleen bij care_category: custom")


def scene_ids_unique(data: dict) -> Iterator[Finding]:
    scenes = data.get("scenes")
    if not isinstance(scenes, list):
        return
    first: dict[str, int] = {}
    for index, scene in enumerate(scenes):
        scene_id = scene.get("id") if isinstance(scene, dict) else None
        if not isinstance(scene_id, str):
            continue
        if scene_id in first:
            yield Finding(("scenes", index, "id"), f"scène '{scene_id}' bestaat al (scenes.{first[scene_id]})")
        else:
            first[scene_id] = index


SCRIPT_CHECKS: tuple[Callable[[dict], Iterator[Finding]], ...] = (custom_category_matches, scene_ids_unique)


# --- one scene ---------------------------------------------------------------------------------


def out_after_in(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    if scene.out_point is not None and scene.out_point <= scene.in_point:
        yield Finding(("out",), f"moet na in ({show_time(scene.in_point)}) liggen")


def _window(loc: Loc, start: float | None, end: float | None, duration: float | None) -> Iterator[Finding]:
    """A time window inside a scene: end after start, and both within the scene's length."""
    if start is not None and end is not None and end <= start:
        yield Finding(loc + ("end",), f"moet na start ({show_time(start)}) liggen")
        return
    if duration is None:
        return
    if start is not None and start >= duration:
        yield Finding(loc + ("start",), f"valt buiten de scène, die {show_time(duration)} duurt (out - in)")
    elif end is not None and end > duration:
        yield Finding(loc + ("end",), f"valt buiten de scène, die {show_time(duration)} duurt (out - in)")


def captions_fit(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    for index, caption in enumerate(scene.captions):
        yield from _window(("captions", index), caption.start, caption.end, scene.duration)
    ordered = sorted(enumerate(scene.captions), key=lambda pair: (pair[1].start, pair[0]))
    for (_, before), (index, caption) in zip(ordered, ordered[1:]):
        if caption.start < before.end:
            yield Finding(("captions", index, "start"),
                          f"overlapt met de ondertitel '{before.text.nl}' (die loopt tot {show_time(before.end)})")


def hotspots_fit(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, hotspot in enumerate(scene.hotspots):
        if hotspot.id in seen:
            yield Finding(("hotspots", index, "id"), f"hotspot '{hotspot.id}' bestaat al in deze scène (hotspots.{seen[hotspot.id]})")
        seen.setdefault(hotspot.id, index)
        yield from _window(("hotspots", index), hotspot.start, hotspot.end, scene.duration)


def privacy_fits(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    for index, person in enumerate(scene.privacy.keep_unblurred):
        yield from _window(("privacy", "keep_unblurred", index), person.start, person.end, scene.duration)
    for index, region in enumerate(scene.privacy.blur_regions):
        yield from _window(("privacy", "blur_regions", index), region.start, region.end, scene.duration)


def prompts_fit_contexts(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    for index, prompt in enumerate(scene.prompts):
        for position, context in enumerate(prompt.contexts or ()):
            if context not in scene.contexts:
                yield Finding(("prompts", index, "contexts", position),
                              f"de scène zelf hoort niet bij '{context}' (contexts: {', '.join(scene.contexts)})")


def footage_exists(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    # sha256: and footage: references are checked against the catalog at build time, not here.
    if scene.footage.kind == "path" and not (base_dir / scene.footage.value).is_file():
        yield Finding(("footage",), f"bestand niet gevonden: {scene.footage.value} (gezocht vanaf {base_dir})")


SCENE_CHECKS: tuple[Callable[[Scene, Path], Iterator[Finding]], ...] = (
    out_after_in, captions_fit, hotspots_fit, privacy_fits, prompts_fit_contexts, footage_exists,
)


def check_script(data: dict, *, base_dir: Path) -> list[Finding]:
    """Every finding of every check, for a script's raw data read from a file in ``base_dir``."""
    found: list[Finding] = []
    for check in SCRIPT_CHECKS:
        found += check(data)
    for index, scene in _valid_scenes(data):
        for scene_check in SCENE_CHECKS:
            found += [Finding(("scenes", index) + f.loc, f.message) for f in scene_check(scene, base_dir)]
    return found


def _valid_scenes(data: dict) -> Iterator[tuple[int, Scene]]:
    scenes: Any = data.get("scenes")
    if not isinstance(scenes, list):
        return
    for index, raw in enumerate(scenes):
        try:
            yield index, Scene.model_validate(raw)
        except ValidationError:
            continue
