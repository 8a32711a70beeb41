"""Playlists: published scenes in order, for one use context and audience, made by the staff who
run that context's sessions.

    playlist (name, context, route?, level?) ──< items (scene, photo_seconds?, wait_for_staff?)
                                                    │
                     the scene's published version ─┘── what a headset holds and plays

A scene fits a playlist when its published version is made for the playlist's context and its
audience (routes, levels) meets the playlist's route and level and the context's routes
(:data:`zorgblik.terms.CONTEXT_ROUTES`); :func:`misfit` says why not, in Dutch, or None. Every
write goes through :func:`set_items`, so nothing that does not fit gets in; a scene already in the
playlist stays when its version is withdrawn or republished (headsets skip a scene with no
published version; the page shows why one no longer fits). A manifest without an ``audience``
(bundles built before render wrote it) counts as fitting every route and level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.errors import CatalogError, Conflict, Misfit, NotFound
from catalog.models import Playlist, PlaylistItem, Scene, SceneVersion, Script, Session, StaffUser
from zorgblik.terms import CONTEXT_ROUTES, MBO_LEVELS, ROUTES, USE_CONTEXTS, WAIT_FOR_STAFF_BY_DEFAULT, label

PHOTO_SECONDS_MAX = 600.0  # ten minutes: longer is "until verder", which is no value at all


@dataclass(frozen=True)
class ItemSpec:
    """One scene of a playlist as asked for; ``None`` settings: a photo stays until "verder", and
    waiting at the end is the context's default."""

    scene: Scene
    photo_seconds: float | None = None
    wait_for_staff: bool | None = None


# reading ---------------------------------------------------------------------------------------
def find_scene(db: DbSession, script: str, scene: str) -> Scene:
    found = db.scalar(select(Scene).join(Script).where(Script.name == script, Scene.slug == scene))
    if found is None:
        raise NotFound(f"scène {script}/{scene} bestaat niet")
    return found


def get_playlist(db: DbSession, playlist_id: int) -> Playlist:
    playlist = db.get(Playlist, playlist_id)
    if playlist is None:
        raise NotFound(f"afspeellijst {playlist_id} bestaat niet")
    return playlist


def list_playlists(db: DbSession, contexts: Iterable[str] | None = None) -> list[Playlist]:
    stmt = select(Playlist).order_by(Playlist.context, Playlist.name)
    if contexts is not None:
        stmt = stmt.where(Playlist.context.in_(list(contexts)))
    return list(db.scalars(stmt))


def published_version(scene: Scene) -> SceneVersion | None:
    return next((v for v in scene.versions if v.status == "published"), None)


def playlist_versions(playlist: Playlist) -> list[SceneVersion]:
    """The published version of each scene, in playlist order; scenes with none are left out."""
    return [v for item in playlist.items if (v := published_version(item.scene)) is not None]


def title_of(version: SceneVersion) -> str:
    """The scene's Dutch title (the manifest's; else the title the version was recorded with)."""
    return version.manifest.title.get("nl") or version.title


def is_photo(version: SceneVersion) -> bool:
    return version.manifest.media_kind == "photo"


def waits_for_staff(item: PlaylistItem) -> bool:
    """Whether the headset holds this item's scene at its end: the item's choice, else its context's."""
    if item.wait_for_staff is not None:
        return item.wait_for_staff
    return WAIT_FOR_STAFF_BY_DEFAULT.get(item.playlist.context, False)


def start_items(playlist: Playlist) -> list[dict]:
    """What a headset's start command says per scene, beside ``scenes`` and in the same order."""
    return [{"bundle_key": v.bundle_key, "photo_seconds": item.photo_seconds, "wait_for_staff": waits_for_staff(item)}
            for item in playlist.items if (v := published_version(item.scene)) is not None]


# fit -------------------------------------------------------------------------------------------
def _and(words: Iterable[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} en {words[-1]}"


def _levels(levels: Iterable[int]) -> str:
    return "niveau " + _and(str(n) for n in sorted(levels))


def misfit(version: SceneVersion | None, *, context: str, route: str | None = None, level: int | None = None) -> str | None:
    """Why the scene of ``version`` (its published version) does not fit a playlist for
    ``context``, ``route`` and ``level`` (None: any), in Dutch; None when it fits."""
    if version is None or version.status != "published":
        return "deze scène heeft geen gepubliceerde versie"
    title = title_of(version)
    contexts = version.manifest.contexts
    if context not in contexts:
        made_for = _and(label(USE_CONTEXTS, c) for c in contexts) if contexts else "geen enkele context"
        return f"«{title}» past niet bij {label(USE_CONTEXTS, context)}: de scène is gemaakt voor {made_for}"
    audience = version.manifest.audience
    if audience is None:
        return None  # built before manifests carried the audience: unknown, so it fits
    routes = set(audience.routes or ROUTES)
    levels = set(audience.levels or MBO_LEVELS)
    context_routes = CONTEXT_ROUTES.get(context, frozenset(ROUTES))
    if not routes & context_routes:
        return (f"«{title}» is voor {_and(sorted(routes))}-leerlingen; {label(USE_CONTEXTS, context)} is alleen "
                f"voor {_and(sorted(context_routes))}")
    if route is not None and route not in routes:
        return f"«{title}» is voor {_and(sorted(routes))}-leerlingen, deze afspeellijst voor {route}"
    if level is not None and level not in levels:
        return f"«{title}» is voor {_levels(levels)}, deze afspeellijst voor niveau {level}"
    return None


def playlist_misfit(playlist: Playlist, scene: Scene) -> str | None:
    return misfit(published_version(scene), context=playlist.context, route=playlist.route, level=playlist.level)


def scene_choices(db: DbSession, playlist: Playlist) -> list[tuple[SceneVersion, str | None]]:
    """Every published scene with the reason it does not fit ``playlist`` (None: it fits)."""
    stmt = (select(SceneVersion).join(Scene).join(Script).where(SceneVersion.status == "published")
            .order_by(Script.name, Scene.position))
    return [(v, misfit(v, context=playlist.context, route=playlist.route, level=playlist.level))
            for v in db.scalars(stmt)]


# writing ---------------------------------------------------------------------------------------
def _check_audience(context: str, route: str | None, level: int | None) -> None:
    if context not in USE_CONTEXTS:
        raise CatalogError(f"onbekende context {context!r}", hint=f"kies uit {', '.join(USE_CONTEXTS)}")
    if route is not None and route not in CONTEXT_ROUTES[context]:
        raise Misfit(f"{label(USE_CONTEXTS, context)} is alleen voor {_and(sorted(CONTEXT_ROUTES[context]))}, "
                     f"niet voor {route}")
    if level is not None and level not in MBO_LEVELS:
        raise CatalogError(f"onbekend niveau {level!r}", hint="kies 1, 2, 3 of 4, of laat het leeg")


def _check_name(db: DbSession, name: str, playlist: Playlist | None = None) -> str:
    name = name.strip()
    if not name:
        raise CatalogError("een afspeellijst heeft een naam nodig")
    other = db.scalar(select(Playlist.id).where(Playlist.name == name))
    if other is not None and (playlist is None or other != playlist.id):
        raise Conflict(f"afspeellijst {name} bestaat al", hint="kies een andere naam")
    return name


def create_playlist(db: DbSession, *, name: str, context: str, scenes: Sequence[Scene] = (),
                    items: Sequence[ItemSpec] | None = None, route: str | None = None, level: int | None = None,
                    created_by: StaffUser | None = None) -> Playlist:
    """A new playlist of ``items`` (or of ``scenes`` with default settings), every one fitting."""
    _check_audience(context, route, level)
    playlist = Playlist(name=_check_name(db, name), context=context, route=route, level=level,
                        created_by_id=created_by.id if created_by else None)
    db.add(playlist)
    set_items(db, playlist, items if items is not None else [ItemSpec(s) for s in scenes])
    return playlist


def rename_playlist(db: DbSession, playlist: Playlist, name: str) -> None:
    playlist.name = _check_name(db, name, playlist)
    db.flush()


def set_audience(db: DbSession, playlist: Playlist, *, route: str | None, level: int | None) -> None:
    """Narrow or widen who the playlist is for (None: any); refused while a scene in it would not fit."""
    _check_audience(playlist.context, route, level)
    for item in playlist.items:
        version = published_version(item.scene)  # a withdrawn scene is skipped on the headset anyway
        reason = misfit(version, context=playlist.context, route=route, level=level) if version else None
        if reason is not None:
            raise Misfit(reason, hint="haal die scène eerst uit de afspeellijst")
    playlist.route, playlist.level = route, level
    db.flush()


def _check_item(playlist: Playlist, spec: ItemSpec, *, listed: bool) -> None:
    """Refuse ``spec`` when its scene does not fit (only checked for a scene new to the playlist:
    one already in it stays, even when withdrawn since) or its photo seconds do not fit."""
    version = published_version(spec.scene)
    if not listed:
        if version is None:
            raise Misfit(f"scène {spec.scene.script.name}/{spec.scene.slug} heeft geen gepubliceerde versie")
        reason = playlist_misfit(playlist, spec.scene)
        if reason is not None:
            raise Misfit(reason)
    if spec.photo_seconds is not None:
        if version is not None and not is_photo(version):
            raise Misfit(f"«{title_of(version)}» is een video: alleen een foto heeft een weergaveduur")
        if not 0 < spec.photo_seconds <= PHOTO_SECONDS_MAX:
            raise CatalogError(f"weergaveduur {spec.photo_seconds:g} s kan niet",
                               hint=f"kies meer dan 0 en hooguit {PHOTO_SECONDS_MAX:g} seconden, of laat het leeg")


def set_items(db: DbSession, playlist: Playlist, items: Sequence[ItemSpec]) -> None:
    """Replace the playlist's scenes by ``items``, in this order; refused whole if one does not fit."""
    listed = {i.scene_id for i in playlist.items}
    for spec in items:
        _check_item(playlist, spec, listed=spec.scene.id in listed)
    playlist.items.clear()
    db.flush()  # the old positions go before the new ones take them
    playlist.items.extend(PlaylistItem(position=n, scene=s.scene, photo_seconds=s.photo_seconds,
                                       wait_for_staff=s.wait_for_staff) for n, s in enumerate(items))
    db.flush()


def set_playlist_scenes(db: DbSession, playlist: Playlist, scenes: Sequence[Scene]) -> None:
    """Replace the playlist's scenes, each with default settings."""
    set_items(db, playlist, [ItemSpec(s) for s in scenes])


def item_specs(playlist: Playlist) -> list[ItemSpec]:
    """The playlist's items as specs, to change one and write them back with :func:`set_items`."""
    return [ItemSpec(i.scene, i.photo_seconds, i.wait_for_staff) for i in playlist.items]


def sessions_using(db: DbSession, playlist: Playlist) -> list[Session]:
    """The sessions with this playlist that have not stopped (running, paused, interrupted)."""
    stmt = select(Session).where(Session.playlist_id == playlist.id, Session.state != "stopped").order_by(Session.id)
    return list(db.scalars(stmt))


def delete_playlist(db: DbSession, playlist: Playlist) -> None:
    """Delete ``playlist``; refused while a session uses it. Past sessions keep their events and
    lose only the link to it; headsets drop its scenes at their next sync."""
    running = sessions_using(db, playlist)
    if running:
        where = ", ".join(f"sessie {s.id}" + (f" op {s.headset.name}" if s.headset else "") for s in running)
        raise Conflict(f"afspeellijst {playlist.name} is in gebruik ({where})", hint="stop die sessie eerst")
    for session in db.scalars(select(Session).where(Session.playlist_id == playlist.id)):
        session.playlist = None
    db.delete(playlist)
    db.flush()
