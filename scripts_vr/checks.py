"""Rules that span fields, run after (and independently of) the schema.

Each check is a small named function that yields :class:`Finding` s: a path of YAML keys and
indices plus a Dutch message; the linter turns the path into ``file:line:col``. Script checks
look at the raw data, so they work even when the schema rejects something elsewhere. Scene checks
look at each scene that on its own passes the schema; a scene with a schema error is skipped here
(its schema error is reported anyway).

All times inside a scene (captions, hotspots, privacy) count from the scene's ``in`` point.

Footage checks need to know the footage itself: whether it is in the catalog, a photo or a video,
and how long. They run only when the caller passes a :data:`FootageLookup` (the staff page always,
``zorgblik script lint`` when there is a data folder, and the build, before any ffmpeg), so that
a build never trips over them with a raw ffmpeg message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from scripts_vr.model import FootageRef, Scene
from zorgblik.terms import CONTEXT_ROUTES, USE_CONTEXTS, MediaKind, label

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


def places_unique(data: dict) -> Iterator[Finding]:
    places = data.get("places")
    if not isinstance(places, list):
        return
    first: dict[tuple, int] = {}
    for index, entry in enumerate(places):
        if not isinstance(entry, dict):
            continue
        key = (entry.get("route"), entry.get("level"), entry.get("year"))
        if key in first:
            year = f", leerjaar {key[2]}" if key[2] is not None else ""
            yield Finding(("places", index), f"plaatsen voor {key[0]} niveau {key[1]}{year} staan al bij places.{first[key]}; "
                                             "tel ze daar samen")
        else:
            first[key] = index


SCRIPT_CHECKS: tuple[Callable[[dict], Iterator[Finding]], ...] = (custom_category_matches, scene_ids_unique, places_unique)


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


def audience_fits_contexts(scene: Scene, base_dir: Path) -> Iterator[Finding]:
    """A scene plays only in a session of one of its contexts, for a learner on a route that
    context is for: an audience sharing no route with them can never be shown."""
    usable = set().union(*(CONTEXT_ROUTES[c] for c in scene.contexts))
    if not usable & set(scene.audience.routes):
        contexts = ", ".join(f"{label(USE_CONTEXTS, c)} is voor {'/'.join(sorted(CONTEXT_ROUTES[c]))}" for c in scene.contexts)
        yield Finding(("audience", "routes"),
                      f"geen afspeellijst kan deze scène laten zien ({contexts}); voeg "
                      f"{' of '.join(sorted(usable))} toe aan audience.routes, of kies contexts die bij "
                      f"{'/'.join(scene.audience.routes)} passen")


SCENE_CHECKS: tuple[Callable[[Scene, Path], Iterator[Finding]], ...] = (
    out_after_in, captions_fit, hotspots_fit, privacy_fits, prompts_fit_contexts, footage_exists, audience_fits_contexts,
)


# --- the footage a scene uses (needs the catalog) ------------------------------------------------


@dataclass(frozen=True)
class KnownFootage:
    """What is known of a scene's footage, as far as the footage checks need it."""

    media_kind: MediaKind
    duration_s: float | None = None
    name: str = ""
    level_known: bool = True  # a pose in the metadata, or a level estimate read from the picture at capture


#: ``lookup(ref)``: what the catalog knows of ``ref``. For ``sha256:`` and ``footage:`` references
#: None means the catalog does not have it; for a path, None means nothing is known of it (yet).
FootageLookup = Callable[[FootageRef], KnownFootage | None]


def footage_in_catalog(scene: Scene, footage: KnownFootage | None) -> Iterator[Finding]:
    if footage is None and scene.footage.kind != "path":
        yield Finding(("footage",), f"{scene.footage} staat niet in de catalogus; voeg de opname toe met "
                                    "'zorgblik capture add' (of op de pagina Opnames) en neem de verwijzing daarvan over")


def points_within_footage(scene: Scene, footage: KnownFootage | None) -> Iterator[Finding]:
    if footage is None or footage.media_kind != "video" or footage.duration_s is None:
        return
    length = footage.duration_s
    if scene.in_point >= length:
        yield Finding(("in",), f"ligt na het einde van de opname, die {show_time(length)} duurt; kies een in vóór "
                               f"{show_time(length)}")
    elif scene.out_point is not None and scene.out_point > length + 0.001:
        yield Finding(("out",), f"ligt na het einde van de opname, die {show_time(length)} duurt; kies een out tot en "
                                f"met {show_time(length)}, of laat out weg (dan loopt de scène tot het eind)")


def photo_has_no_timeline(scene: Scene, footage: KnownFootage | None) -> Iterator[Finding]:
    if footage is None or footage.media_kind != "photo":
        return
    for key, name in (("in_point", "in"), ("out_point", "out")):
        if key in scene.model_fields_set:
            yield Finding((name,), f"{scene.footage} is een foto, die heeft geen begin en einde; haal {name} weg")
    for index, _ in enumerate(scene.captions):
        yield Finding(("captions", index), "een foto heeft geen tijdlijn voor ondertitels; zet de tekst in een "
                                           "hotspot (kind: info) of gebruik een video")
    timed = [(("hotspots", i), h) for i, h in enumerate(scene.hotspots)]
    timed += [(("privacy", "keep_unblurred", i), p) for i, p in enumerate(scene.privacy.keep_unblurred)]
    timed += [(("privacy", "blur_regions", i), r) for i, r in enumerate(scene.privacy.blur_regions)]
    for loc, item in timed:
        for key in ("start", "end"):
            if getattr(item, key) is not None:
                yield Finding(loc + (key,), f"een foto heeft geen tijdlijn; haal {key} weg (het geldt dan de hele scène)")


def auto_level_is_known(scene: Scene, footage: KnownFootage | None) -> Iterator[Finding]:
    if footage is not None and scene.level == "auto" and not footage.level_known:
        yield Finding(("level",), f"auto, maar van {scene.footage} is de stand onbekend: geen stand in de metadata en geen "
                                  "schatting uit het beeld ('zorgblik capture show'); zet level: {yaw: …, pitch: …, "
                                  "roll: …} of laat level weg")


FOOTAGE_CHECKS: tuple[Callable[[Scene, KnownFootage | None], Iterator[Finding]], ...] = (
    footage_in_catalog, points_within_footage, photo_has_no_timeline, auto_level_is_known,
)


def check_script(data: dict, *, base_dir: Path, footage: FootageLookup | None = None) -> list[Finding]:
    """Every finding of every check, for a script's raw data read from a file in ``base_dir``;
    with ``footage``, the footage checks too."""
    found: list[Finding] = []
    for check in SCRIPT_CHECKS:
        found += check(data)
    for index, scene in _valid_scenes(data):
        for scene_check in SCENE_CHECKS:
            found += [Finding(("scenes", index) + f.loc, f.message) for f in scene_check(scene, base_dir)]
        if footage is not None:
            known = footage(scene.footage)
            for footage_check in FOOTAGE_CHECKS:
                found += [Finding(("scenes", index) + f.loc, f.message) for f in footage_check(scene, known)]
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
