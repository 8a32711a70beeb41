"""Headsets and their groups: enrolment with a pairing code, revoking, playlist assignment,
and each headset's live status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from sqlalchemy.orm import Session as DbSession

from catalog import Headset, HeadsetGroup, NotFound, StaffUser, fleet, playlists
from headset_service import throttling
from headset_service.auth import DEVICE_COOKIE, headset_scope, own_context, refusal, require
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
        id=headset.id, name=headset.name, profile=headset.profile, context=headset.context, group_id=headset.group_id,
        playlist_ids=[p.id for p in headset.playlists], enrolled_at=headset.enrolled_at, revoked_at=headset.revoked_at,
        last_sync_at=headset.last_sync_at, inventory=list(headset.inventory or []), free_bytes=headset.free_bytes,
        battery=headset.battery, live=live.view(headset.id) if headset.revoked_at is None else {"online": False},
    )


def group_public(group: HeadsetGroup) -> GroupPublic:
    return GroupPublic(id=group.id, name=group.name, context=group.context, headset_ids=[h.id for h in group.headsets if h.revoked_at is None],
                       playlist_ids=[p.id for p in group.playlists])


def _check_profile(profile: str) -> None:
    if profile not in PLAYABLE:
        raise HTTPException(422, f"onbekend headsetprofiel {profile!r}; kies uit {', '.join(PLAYABLE)}")


def owner_for(user: StaffUser, body: GroupCreate | PairingCodeCreate) -> str | None:
    """The context a new group or headset of ``user`` belongs to: the one its role runs; the admin
    chooses (none: shared)."""
    if user.role == "admin":
        return body.context
    own = own_context(user.role)
    if "context" in body.model_fields_set and body.context != own:
        raise HTTPException(403, f"je rol ({user.role}) koppelt headsets en maakt groepen alleen voor {fleet.owner_name(own)}")
    return own


def check(user: StaffUser, thing: Headset | HeadsetGroup, *, manage: bool = False) -> None:
    """403 unless ``user`` may use (or, with ``manage``, change) this headset or group."""
    refused = refusal(user.role, thing, manage=manage)
    if refused:
        raise HTTPException(403, refused)


# groups ----------------------------------------------------------------------------------------
@router.get("/api/groups", response_model=list[GroupPublic])
def list_groups(db: DbDep, user: Reader) -> list[GroupPublic]:
    """The groups of the caller's context and the shared ones (the admin and authors: all)."""
    return [group_public(g) for g in fleet.list_groups(db, headset_scope(user.role))]


@router.post("/api/groups", response_model=GroupPublic, status_code=201)
def create_group(body: GroupCreate, db: DbDep, user: Manager) -> GroupPublic:
    return group_public(fleet.create_group(db, body.name, owner_for(user, body)))


@router.put("/api/groups/{group_id}/playlists", response_model=GroupPublic)
def assign_group_playlists(group_id: Id, body: Assignment, db: DbDep, user: Manager) -> GroupPublic:
    group = fleet.get_group(db, group_id)
    check(user, group, manage=True)
    group.playlists = [playlists.get_playlist(db, pid) for pid in dict.fromkeys(body.playlist_ids)]
    return group_public(group)


# enrolment -------------------------------------------------------------------------------------
@router.post("/api/headsets/pairing-codes", response_model=PairingCodePublic, status_code=201)
def create_pairing_code(body: PairingCodeCreate, db: DbDep, user: Manager) -> PairingCodePublic:
    """A single-use code to type on a new headset (valid for 15 minutes)."""
    _check_profile(body.profile)
    context = owner_for(user, body)
    group = fleet.get_group(db, body.group_id) if body.group_id is not None else None
    if group is not None:
        check(user, group, manage=True)
    code, row = fleet.create_pairing_code(db, headset_name=body.name, profile=body.profile, group=group,
                                          context=context, created_by=user)
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
def list_headsets(db: DbDep, live: LiveDep, user: Reader, include_revoked: bool = False) -> list[HeadsetPublic]:
    """The headsets of the caller's context and the shared ones (the admin and authors: all), with
    their live status: online, current scene and position."""
    return [headset_public(h, live) for h in fleet.list_headsets(db, include_revoked, headset_scope(user.role))]


@router.get("/api/headsets/{headset_id}", response_model=HeadsetPublic)
def get_headset(headset_id: Id, db: DbDep, live: LiveDep, user: Reader) -> HeadsetPublic:
    headset = fleet.get_headset(db, headset_id)
    if headset_scope(user.role) is not None:
        check(user, headset)
    return headset_public(headset, live)


@router.patch("/api/headsets/{headset_id}", response_model=HeadsetPublic)
def update_headset(headset_id: Id, body: HeadsetUpdate, db: DbDep, live: LiveDep, user: Manager) -> HeadsetPublic:
    """Rename, regroup or re-profile a headset of one's own context; the admin also says which
    context it belongs to (``context``; null: shared). A headset and its group belong to the same."""
    headset = fleet.get_headset(db, headset_id)
    check(user, headset, manage=True)
    changes = body.model_dump(exclude_unset=True)
    if "context" in changes and user.role != "admin":
        raise HTTPException(403, "alleen de beheerder zegt bij welke context een headset hoort")
    if "profile" in changes:
        _check_profile(changes["profile"])
    context = changes.get("context", headset.context)
    group_id = changes.get("group_id", headset.group_id)
    if group_id is not None:
        group = fleet.get_group(db, group_id)
        if group.context != context:
            raise HTTPException(409, f"groep {group.name} hoort bij {fleet.owner_name(group.context)}, de headset bij "
                                     f"{fleet.owner_name(context)}; kies een groep van dezelfde context")
    for name, value in changes.items():
        setattr(headset, name, value)
    db.flush()
    db.refresh(headset)
    return headset_public(headset, live)


@router.put("/api/headsets/{headset_id}/playlists", response_model=HeadsetPublic)
def assign_headset_playlists(headset_id: Id, body: Assignment, db: DbDep, live: LiveDep, user: Manager) -> HeadsetPublic:
    headset = fleet.get_headset(db, headset_id)
    check(user, headset, manage=True)
    headset.playlists = [playlists.get_playlist(db, pid) for pid in dict.fromkeys(body.playlist_ids)]
    return headset_public(headset, live)


def revoke(db: DbSession, live: Live, headset_id: int, user: StaffUser) -> Headset:
    """Revoke the headset's token and, once that is committed, close its open WebSocket: the API
    and the admin page both end a headset's access this way (if ``user`` may)."""
    headset = fleet.get_headset(db, headset_id)
    check(user, headset, manage=True)
    fleet.revoke_headset(db, headset)
    after_commit(db, lambda: live.close(headset_id))
    return headset


@router.post("/api/headsets/{headset_id}/revoke", response_model=HeadsetPublic)
def revoke_headset(headset_id: Id, db: DbDep, live: LiveDep, user: Manager) -> HeadsetPublic:
    """The headset's token stops working at once (its open WebSocket is closed); history stays."""
    headset = revoke(db, live, headset_id, user)
    return headset_public(headset, live)
