"""Headsets and their groups: enrolment with a pairing code, revoking, playlist assignment,
and each headset's live status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from sqlalchemy.orm import Session as DbSession

from catalog import Headset, HeadsetGroup, NotFound, StaffUser, fleet
from headset_service import throttling
from headset_service.auth import DEVICE_COOKIE, require
from headset_service.deps import DbDep, Id, LiveDep, SettingsDep, UnitOfWorkRoute, after_commit
from headset_service.errors import error_response
from headset_service.live import Live
from headset_service.schemas import (Assignment, GroupCreate, GroupPublic, HeadsetPublic, HeadsetUpdate, PairIn,
                                     PairingCodeCreate, PairingCodePublic, PairResult)
from headset_service.sync import PLAYABLE

router = APIRouter(route_class=UnitOfWorkRoute, tags=["headsets"])

Reader = Annotated[StaffUser, Depends(require("headsets.read"))]
Manager = Annotated[StaffUser, Depends(require("headsets.manage"))]
DEVICE_COOKIE_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days; a headset re-pairs after that


def headset_public(headset: Headset, live: Live) -> HeadsetPublic:
    return HeadsetPublic(
        id=headset.id, name=headset.name, profile=headset.profile, group_id=headset.group_id,
        playlist_ids=[p.id for p in headset.playlists], enrolled_at=headset.enrolled_at, revoked_at=headset.revoked_at,
        last_sync_at=headset.last_sync_at, inventory=list(headset.inventory or []), free_bytes=headset.free_bytes,
        battery=headset.battery, live=live.view(headset.id) if headset.revoked_at is None else {"online": False},
    )


def group_public(group: HeadsetGroup) -> GroupPublic:
    return GroupPublic(id=group.id, name=group.name, headset_ids=[h.id for h in group.headsets if h.revoked_at is None],
                       playlist_ids=[p.id for p in group.playlists])


def _check_profile(profile: str) -> None:
    if profile not in PLAYABLE:
        raise HTTPException(422, f"onbekend headsetprofiel {profile!r}; kies uit {', '.join(PLAYABLE)}")


# groups ----------------------------------------------------------------------------------------
@router.get("/api/groups", response_model=list[GroupPublic])
def list_groups(db: DbDep, _user: Reader) -> list[GroupPublic]:
    return [group_public(g) for g in fleet.list_groups(db)]


@router.post("/api/groups", response_model=GroupPublic, status_code=201)
def create_group(body: GroupCreate, db: DbDep, _user: Manager) -> GroupPublic:
    return group_public(fleet.create_group(db, body.name))


@router.put("/api/groups/{group_id}/playlists", response_model=GroupPublic)
def assign_group_playlists(group_id: Id, body: Assignment, db: DbDep, _user: Manager) -> GroupPublic:
    group = fleet.get_group(db, group_id)
    group.playlists = [fleet.get_playlist(db, pid) for pid in dict.fromkeys(body.playlist_ids)]
    return group_public(group)


# enrolment -------------------------------------------------------------------------------------
@router.post("/api/headsets/pairing-codes", response_model=PairingCodePublic, status_code=201)
def create_pairing_code(body: PairingCodeCreate, db: DbDep, user: Manager) -> PairingCodePublic:
    """A single-use code to type on a new headset (valid for 15 minutes)."""
    _check_profile(body.profile)
    group = fleet.get_group(db, body.group_id) if body.group_id is not None else None
    code, row = fleet.create_pairing_code(db, headset_name=body.name, profile=body.profile, group=group, created_by=user)
    return PairingCodePublic(code=code, expires_at=row.expires_at)


@router.post("/api/headsets/pair", response_model=PairResult, status_code=201,
             responses={404: {"description": "koppelcode onbekend, verlopen of al gebruikt"},
                        429: {"description": "te veel verkeerde koppelcodes van dit adres (Retry-After)"}})
def pair(body: PairIn, request: Request, response: Response, db: DbDep, settings: SettingsDep) -> PairResult | Response:
    """Public: a headset trades a pairing code for its device token (also set as an HttpOnly
    cookie, for a player in the headset's browser). Repeated wrong codes lock the address for a
    while (429), like failed sign-ins."""
    wait = throttling.pairing_wait(db, request)
    if wait:
        return throttling.too_many(wait)
    try:
        token, headset = fleet.pair_headset(db, body.code)
    except NotFound as error:
        throttling.pairing_failed(db, settings, request)
        return error_response(404, error.one_line())
    response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="strict", path="/")
    return PairResult(headset_id=headset.id, name=headset.name, profile=headset.profile, token=token)


# headsets --------------------------------------------------------------------------------------
@router.get("/api/headsets", response_model=list[HeadsetPublic])
def list_headsets(db: DbDep, live: LiveDep, _user: Reader, include_revoked: bool = False) -> list[HeadsetPublic]:
    """Every headset with its live status: online, current scene and position."""
    return [headset_public(h, live) for h in fleet.list_headsets(db, include_revoked)]


@router.get("/api/headsets/{headset_id}", response_model=HeadsetPublic)
def get_headset(headset_id: Id, db: DbDep, live: LiveDep, _user: Reader) -> HeadsetPublic:
    return headset_public(fleet.get_headset(db, headset_id), live)


@router.patch("/api/headsets/{headset_id}", response_model=HeadsetPublic)
def update_headset(headset_id: Id, body: HeadsetUpdate, db: DbDep, live: LiveDep, _user: Manager) -> HeadsetPublic:
    headset = fleet.get_headset(db, headset_id)
    changes = body.model_dump(exclude_unset=True)
    if "profile" in changes:
        _check_profile(changes["profile"])
    if changes.get("group_id") is not None:
        fleet.get_group(db, changes["group_id"])
    for name, value in changes.items():
        setattr(headset, name, value)
    db.flush()
    db.refresh(headset)
    return headset_public(headset, live)


@router.put("/api/headsets/{headset_id}/playlists", response_model=HeadsetPublic)
def assign_headset_playlists(headset_id: Id, body: Assignment, db: DbDep, live: LiveDep, _user: Manager) -> HeadsetPublic:
    headset = fleet.get_headset(db, headset_id)
    headset.playlists = [fleet.get_playlist(db, pid) for pid in dict.fromkeys(body.playlist_ids)]
    return headset_public(headset, live)


def revoke(db: DbSession, live: Live, headset_id: int) -> Headset:
    """Revoke the headset's token and, once that is committed, close its open WebSocket: the API
    and the admin page both end a headset's access this way."""
    headset = fleet.get_headset(db, headset_id)
    fleet.revoke_headset(db, headset)
    after_commit(db, lambda: live.close(headset_id))
    return headset


@router.post("/api/headsets/{headset_id}/revoke", response_model=HeadsetPublic)
def revoke_headset(headset_id: Id, db: DbDep, live: LiveDep, _user: Manager) -> HeadsetPublic:
    """The headset's token stops working at once (its open WebSocket is closed); history stays."""
    headset = revoke(db, live, headset_id)
    return headset_public(headset, live)
