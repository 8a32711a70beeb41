"""Signing in and out, and staff accounts (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from catalog import StaffUser, accounts
from headset_service import throttling
from headset_service.auth import STAFF_COOKIE, require, staff_token
from headset_service.deps import DbDep, Id, SettingsDep, UnitOfWorkRoute
from headset_service.errors import error_response
from headset_service.schemas import LoginIn, LoginResult, UserCreate, UserPublic, UserUpdate

router = APIRouter(route_class=UnitOfWorkRoute, tags=["accounts"])

AnyStaff = Annotated[StaffUser, Depends(require("scenes.read"))]
Admin = Annotated[StaffUser, Depends(require("users.manage"))]


def user_public(user: StaffUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


def set_staff_cookie(response: Response, token: str) -> None:
    response.set_cookie(STAFF_COOKIE, token, max_age=int(accounts.LOGIN_LIFETIME.total_seconds()),
                        httponly=True, samesite="strict", path="/")


@router.post("/api/auth/login", response_model=LoginResult,
             responses={401: {"description": "gebruikersnaam of wachtwoord klopt niet"},
                        429: {"description": "te veel mislukte pogingen: account of adres tijdelijk geblokkeerd "
                                              "(Retry-After)"}})
def login(body: LoginIn, request: Request, response: Response, db: DbDep, settings: SettingsDep) -> LoginResult | Response:
    """Sign in; the token comes back in the body (scripts) and as an HttpOnly cookie (browsers).
    Repeated failures lock the account and the address for a while (429, :mod:`catalog.throttle`)."""
    wait = throttling.login_wait(db, request, body.username)
    if wait:
        return throttling.too_many(wait)
    user = accounts.authenticate(db, body.username, body.password)
    if user is None:
        throttling.login_failed(db, settings, request, body.username)
        return error_response(401, "gebruikersnaam of wachtwoord klopt niet", headers={"WWW-Authenticate": "Bearer"})
    throttling.login_succeeded(db, request, body.username)
    token = accounts.open_login(db, user)
    set_staff_cookie(response, token)
    return LoginResult(token=token, user=user_public(user))


@router.post("/api/auth/logout", status_code=204)
def logout(request: Request, response: Response, db: DbDep, _user: AnyStaff) -> None:
    accounts.close_login(db, staff_token(request) or "")
    response.delete_cookie(STAFF_COOKIE, path="/")


@router.get("/api/auth/me", response_model=UserPublic)
def me(user: AnyStaff) -> UserPublic:
    return user_public(user)


@router.get("/api/users", response_model=list[UserPublic])
def list_users(db: DbDep, _admin: Admin) -> list[UserPublic]:
    return [user_public(u) for u in accounts.list_users(db)]


@router.post("/api/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, db: DbDep, _admin: Admin) -> UserPublic:
    return user_public(accounts.create_user(db, username=body.username, role=body.role, password=body.password,
                                            display_name=body.display_name))


@router.patch("/api/users/{user_id}", response_model=UserPublic)
def update_user(user_id: Id, body: UserUpdate, db: DbDep, admin: Admin) -> UserPublic:
    user = accounts.get_user(db, user_id)
    if user.id == admin.id and (body.active is False or (body.role and body.role != "admin")):
        raise HTTPException(409, "je kunt je eigen beheerdersaccount niet uitzetten of een andere rol geven")
    return user_public(accounts.update_user(db, user, **body.model_dump(exclude_unset=True)))
