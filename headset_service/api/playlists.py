"""Playlists: scenes in order, per use context. Authors make them; staff who run sessions read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from catalog import Playlist, StaffUser, fleet
from headset_service.auth import require
from headset_service.deps import DbDep
from headset_service.schemas import PlaylistCreate, PlaylistPublic, PlaylistScenes, SceneRef

router = APIRouter(prefix="/api/playlists", tags=["playlists"])

Reader = Annotated[StaffUser, Depends(require("playlists.read"))]
Writer = Annotated[StaffUser, Depends(require("playlists.write"))]


def playlist_public(playlist: Playlist) -> PlaylistPublic:
    return PlaylistPublic(
        id=playlist.id, name=playlist.name, context=playlist.context,
        scenes=[SceneRef(script=i.scene.script.name, scene=i.scene.key) for i in playlist.items],
        published=[v.bundle_key for v in fleet.playlist_versions(playlist)],
    )


@router.get("", response_model=list[PlaylistPublic])
def list_playlists(db: DbDep, _user: Reader) -> list[PlaylistPublic]:
    return [playlist_public(p) for p in fleet.list_playlists(db)]


@router.post("", response_model=PlaylistPublic, status_code=201)
def create_playlist(body: PlaylistCreate, db: DbDep, _user: Writer) -> PlaylistPublic:
    scenes = [fleet.find_scene(db, s.script, s.scene) for s in body.scenes]
    return playlist_public(fleet.create_playlist(db, name=body.name, context=body.context, scenes=scenes))


@router.get("/{playlist_id}", response_model=PlaylistPublic)
def get_playlist(playlist_id: int, db: DbDep, _user: Reader) -> PlaylistPublic:
    return playlist_public(fleet.get_playlist(db, playlist_id))


@router.put("/{playlist_id}/scenes", response_model=PlaylistPublic)
def set_scenes(playlist_id: int, body: PlaylistScenes, db: DbDep, _user: Writer) -> PlaylistPublic:
    """Replace the playlist's scenes (in this order); headsets follow at their next sync."""
    playlist = fleet.get_playlist(db, playlist_id)
    fleet.set_playlist_scenes(db, playlist, [fleet.find_scene(db, s.script, s.scene) for s in body.scenes])
    return playlist_public(playlist)
