"""Who may do what. Every endpoint declares the permission it needs; :data:`PERMISSIONS` says,
in one place, which roles hold it (admin holds every permission).

Two kinds of caller:

    staff     signed in with a password; token in the ``zorgblik_sessie`` cookie (browser) or
              ``Authorization: Bearer zbs_…`` (scripts)
    headset   enrolled with a pairing code; device token in ``Authorization: Bearer zbh_…`` or
              the ``zorgblik_headset`` cookie (the headset's browser player)

The checks that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in a worker
thread, and each hand-off waits for the event loop, which is busy while headsets download.

Public, without either: /api/health, the OpenAPI schema and /docs, /static, the login page,
and trading a pairing code (POST /api/headsets/pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from catalog import Headset, HeadsetGroup, StaffUser, accounts, fleet
from headset_service.deps import DbDep
from zorgblik.terms import CONTEXT_ROLES, STAFF_ROLES

STAFF_COOKIE = "zorgblik_sessie"
DEVICE_COOKIE = "zorgblik_headset"

_SESSION_ROLES = frozenset({"intake", "hr", "teacher"})
_ALL_STAFF = frozenset(STAFF_ROLES)

PERMISSIONS: dict[str, frozenset[str]] = {
    "users.manage": frozenset(),  # admin only
    "scenes.read": _ALL_STAFF,
    "scenes.publish": frozenset({"author"}),
    "scenes.withdraw": frozenset({"author", "comms"}),  # comms: when consent is withdrawn
    "scenes.signoff": frozenset({"author", "comms"}),  # after looking at the privacy review sheet
    # the review sheet and privacy summary name filmed people who refused consent, drafts included
    "privacy.read": frozenset({"author", "comms"}),
    "footage.upload": frozenset({"comms"}),
    "playlists.read": _ALL_STAFF,
    "playlists.write": _SESSION_ROLES | {"author"},  # session roles: their own contexts (may_manage_playlist)
    "headsets.read": _SESSION_ROLES | {"author"},
    "headsets.manage": _SESSION_ROLES,
    "sessions.run": _SESSION_ROLES,
    "scripts.edit": frozenset({"author"}),
    "profiles.read": _SESSION_ROLES | {"author"},  # the team profile page and its printed handout
    # the school side (a teacher) and the practice side (the trainer) approve a script's profile
    "scripts.approve": frozenset({"author", "teacher"}),
    "reports.read": _SESSION_ROLES,  # each sees only the contexts they run (CONTEXT_ROLES)
    "outcomes.manage": frozenset(),  # the coordinator (admin): enrolment outcomes and the effect report
    "learners.erase": frozenset(),  # admin only: export and erase one learner's data on request
}
# Who runs sessions in which use context: CONTEXT_ROLES, with the words in zorgblik.terms.


def allowed(role: str, permission: str) -> bool:
    return role == "admin" or role in PERMISSIONS[permission]


def may_run_context(role: str, context: str) -> bool:
    return role == "admin" or role in CONTEXT_ROLES.get(context, frozenset())


def own_context(role: str) -> str | None:
    """The one use context ``role`` runs (None for the admin and for roles that run none): the
    context a headset belongs to when that role enrols it."""
    contexts = [c for c, roles in CONTEXT_ROLES.items() if role in roles]
    return contexts[0] if len(contexts) == 1 else None


def headset_scope(role: str) -> list[str] | None:
    """The use contexts whose headsets and groups ``role`` sees, besides the shared ones; None:
    every one (the admin, and the author, who only reads where scenes are)."""
    contexts = [c for c, roles in CONTEXT_ROLES.items() if role in roles]
    return contexts if contexts and role != "admin" else None


def may_use_headsets_of(role: str, context: str | None) -> bool:
    """Who starts sessions on a headset or group of ``context``: its staff, anyone who runs sessions
    when it is shared (None), and the admin."""
    if context is None:
        return allowed(role, "sessions.run")
    return may_run_context(role, context)


def may_manage_headsets_of(role: str, context: str | None) -> bool:
    """Who revokes, renames, regroups or gives playlists to a headset or group of ``context``: its
    staff; a shared one (None) only the admin."""
    return role == "admin" or (context is not None and may_run_context(role, context))


def refusal(role: str, thing: Headset | HeadsetGroup, *, manage: bool = False) -> str | None:
    """Why ``role`` may not start sessions on (or, with ``manage``, change) a headset or group, in
    words for a page or a 403; None when it may."""
    if (may_manage_headsets_of if manage else may_use_headsets_of)(role, thing.context):
        return None
    kind = "groep" if isinstance(thing, HeadsetGroup) else "headset"
    if thing.context is None:
        return f"{kind} {thing.name} is gedeeld; alleen de beheerder past hem aan"
    return f"{kind} {thing.name} hoort bij {fleet.owner_name(thing.context)}; vraag daar of bij de beheerder"


def may_manage_playlist(role: str, context: str) -> bool:
    """Who makes and changes the playlists of ``context``: whoever runs its sessions, and authors
    (who made every playlist before the pages let staff do it)."""
    return role == "author" or may_run_context(role, context)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def staff_token(request: Request) -> str | None:
    token = _bearer(request)
    if token and token.startswith(accounts.STAFF_TOKEN_PREFIX):
        return token
    return request.cookies.get(STAFF_COOKIE)


def device_token(request_or_socket) -> str | None:
    """The device token from the Authorization header or the headset cookie (HTTP or WebSocket)."""
    token = _bearer(request_or_socket)
    if token and token.startswith(fleet.DEVICE_TOKEN_PREFIX):
        return token
    return request_or_socket.cookies.get(DEVICE_COOKIE)


def unauthorized(message: str = "niet ingelogd") -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def optional_staff(request: Request, db: DbDep) -> StaffUser | None:
    token = staff_token(request)
    return accounts.user_for_token(db, token) if token else None


def optional_device(request: Request, db: DbDep) -> Headset | None:
    token = device_token(request)
    return fleet.headset_for_token(db, token) if token else None


def require(permission: str):
    """A dependency: the signed-in staff member, who must hold ``permission``."""
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    async def dependency(user: Annotated[StaffUser | None, Depends(optional_staff)]) -> StaffUser:
        if user is None:
            raise unauthorized()
        if not allowed(user.role, permission):
            raise HTTPException(403, f"je rol ({user.role}) mag dit niet ({permission})")
        return user

    return dependency


async def current_device(device: Annotated[Headset | None, Depends(optional_device)]) -> Headset:
    if device is None:
        raise unauthorized("headset niet (meer) gekoppeld")
    return device


@dataclass(frozen=True)
class Caller:
    """Staff or a headset: the endpoints both use (bundle files, events, the player)."""

    staff: StaffUser | None = None
    headset: Headset | None = None


def staff_or_device(permission: str):
    async def dependency(user: Annotated[StaffUser | None, Depends(optional_staff)],
                         device: Annotated[Headset | None, Depends(optional_device)]) -> Caller:
        if device is not None:
            return Caller(headset=device)
        if user is None:
            raise unauthorized()
        if not allowed(user.role, permission):
            raise HTTPException(403, f"je rol ({user.role}) mag dit niet ({permission})")
        return Caller(staff=user)

    return dependency


DeviceDep = Annotated[Headset, Depends(current_device)]
