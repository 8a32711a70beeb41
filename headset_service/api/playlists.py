"""Playlists: published scenes in order, per use context and audience. Staff who run a context's
sessions make and change its playlists (authors any); every member of staff reads them.

A scene that does not fit the playlist (its context, route or level) is refused with 409 and the
reason; so is a photo duration on a video. Deleting a playlist a session still uses is refused too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from catalog import Playlist, StaffUser, playlists
from headset_service.auth import may_manage_playlist, require
from headset_service.deps import DbDep, Id, UnitOfWorkRoute
from headset_service.schemas import (PlaylistCreate, PlaylistItemIn, PlaylistItemPublic, PlaylistPublic, PlaylistScenes,
                                     PlaylistUpdate, SceneRef)
from zorgblik.terms import USE_CONTEXTS, label

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/playlists", tags=["playlists"])

Reader = Annotated[StaffUser, Depends(require("playlists.read"))]
Writer = Annotated[StaffUser, Depends(require("playlists.write"))]


def playlist_public(playlist: Playlist) -> PlaylistPublic:
    items = []
    for item in playlist.items:
        version = playlists.published_version(item.scene)
        items.append(PlaylistItemPublic(script=item.scene.script.name, scene=item.scene.slug,
                                        bundle_key=version.bundle_key if version else None,
                                        photo_seconds=item.photo_seconds, wait_for_staff=item.wait_for_staff,
                                        waits=playlists.waits_for_staff(item)))
    return PlaylistPublic(
        id=playlist.id, name=playlist.name, context=playlist.context, route=playlist.route, level=playlist.level,
        scenes=[SceneRef(script=i.script, scene=i.scene) for i in items], items=items,
        published=[v.bundle_key for v in playlists.playlist_versions(playlist)],
    )


def _check_context(user: StaffUser, context: str) -> None:
    if not may_manage_playlist(user.role, context):
        raise HTTPException(403, f"je rol ({user.role}) mag geen afspeellijsten voor {label(USE_CONTEXTS, context)} "
                                 "maken of wijzigen")


def _writable(db, user: StaffUser, playlist_id: int) -> Playlist:
    playlist = playlists.get_playlist(db, playlist_id)
    _check_context(user, playlist.context)
    return playlist


def _specs(db, items: list[PlaylistItemIn]) -> list[playlists.ItemSpec]:
    return [playlists.ItemSpec(playlists.find_scene(db, i.script, i.scene), i.photo_seconds, i.wait_for_staff)
            for i in items]


@router.get("", response_model=list[PlaylistPublic])
def list_playlists(db: DbDep, _user: Reader) -> list[PlaylistPublic]:
    return [playlist_public(p) for p in playlists.list_playlists(db)]


@router.post("", response_model=PlaylistPublic, status_code=201)
def create_playlist(body: PlaylistCreate, db: DbDep, user: Writer) -> PlaylistPublic:
    _check_context(user, body.context)
    return playlist_public(playlists.create_playlist(db, name=body.name, context=body.context, route=body.route,
                                                     level=body.level, items=_specs(db, body.scenes), created_by=user))


@router.get("/{playlist_id}", response_model=PlaylistPublic)
def get_playlist(playlist_id: Id, db: DbDep, _user: Reader) -> PlaylistPublic:
    return playlist_public(playlists.get_playlist(db, playlist_id))


@router.patch("/{playlist_id}", response_model=PlaylistPublic)
def update_playlist(playlist_id: Id, body: PlaylistUpdate, db: DbDep, user: Writer) -> PlaylistPublic:
    """Rename, or change who it is for (route, level; null: any). Refused while a scene would not fit."""
    playlist = _writable(db, user, playlist_id)
    sent = body.model_fields_set
    if "name" in sent and body.name is not None:
        playlists.rename_playlist(db, playlist, body.name)
    if sent & {"route", "level"}:
        playlists.set_audience(db, playlist, route=body.route if "route" in sent else playlist.route,
                               level=body.level if "level" in sent else playlist.level)
    return playlist_public(playlist)


@router.delete("/{playlist_id}", status_code=204)
def delete_playlist(playlist_id: Id, db: DbDep, user: Writer) -> Response:
    """Delete it; refused (409) while a session uses it. Headsets drop its scenes at their next sync."""
    playlists.delete_playlist(db, _writable(db, user, playlist_id))
    return Response(status_code=204)


@router.put("/{playlist_id}/scenes", response_model=PlaylistPublic)
def set_scenes(playlist_id: Id, body: PlaylistScenes, db: DbDep, user: Writer) -> PlaylistPublic:
    """Replace the playlist's scenes (in this order, with their settings); headsets follow at their next sync."""
    playlist = _writable(db, user, playlist_id)
    playlists.set_items(db, playlist, _specs(db, body.scenes))
    return playlist_public(playlist)
