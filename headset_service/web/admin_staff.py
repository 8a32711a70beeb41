"""The admin's forms on /beheer for the fleet and the staff: make a pairing code to enrol a
headset, revoke one, create a member of staff, change their role, close their account, unlock an
account that too many failed sign-ins locked.
The page itself is :func:`headset_service.web.admin.admin_page`; this module gives it
:func:`admin_context` and takes its form posts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session as DbSession

from catalog import StaffUser, accounts, fleet, throttle
from catalog.errors import CatalogError
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, Id, LiveDep, SettingsDep, UnitOfWorkRoute
from headset_service.api.headsets import revoke
from headset_service.live import Live
from headset_service.web.rendering import PageUser, back, render
from headset_service.web.sessions import owner_choices, pairing_code_message
from render.profiles import PROFILES
from zorgblik.settings import Settings
from zorgblik.terms import STAFF_ROLES

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Admin = PageUser("users.manage")


def admin_context(db: DbSession, user: StaffUser) -> dict:
    """``locks``: username → (until, on this machine's clock; failed attempts) of the locked accounts."""
    locks = {name: (throttle.local_time(row.locked_until), row.failures)
             for name, row in throttle.locked_accounts(db).items()}
    return {"headsets": fleet.list_headsets(db), "groups": fleet.list_groups(db), "profiles": list(PROFILES),
            "staff": accounts.list_users(db), "roles": STAFF_ROLES, "locks": locks,
            "owner_choices": owner_choices(user)}


def admin_page_response(request: Request, db: DbSession, settings: Settings, live: Live, user: StaffUser,
                        extra: dict | None = None, status_code: int = 200) -> HTMLResponse:
    """/beheer itself; ``extra``: what a refused form shows again (its error, what was typed)."""
    context = admin_context(db, user)
    online = {h.id: live.online(h.id) for h in context["headsets"]}
    return render(request, "admin.html", user, {"retention_months": settings.retention_months,
                                                 "grace_minutes": settings.session_grace_minutes, "online": online,
                                                 **context, **(extra or {})}, status_code=status_code)


@router.post("/beheer/koppelcode")
def pairing_code_form(db: DbDep, user: Admin, _csrf: CsrfChecked, naam: Annotated[str, Form()],
                      profiel: Annotated[str, Form()], groep: Annotated[str, Form()] = "",
                      hoort_bij: Annotated[str, Form()] = ""):
    return back("/beheer", **pairing_code_message(db, user, naam, profiel, groep, hoort_bij))


@router.post("/beheer/headsets/{headset_id}/hoort-bij")
def owner_form(headset_id: Id, db: DbDep, user: Admin, _csrf: CsrfChecked, hoort_bij: Annotated[str, Form()] = ""):
    """The admin gives a headset to a context (or makes it shared): from then on only that
    context's staff use and change it. It leaves a group of another context."""
    if hoort_bij not in owner_choices(user):
        return back("/beheer", fout="Kies bij 'Hoort bij' een context uit de lijst.")
    headset = fleet.get_headset(db, headset_id)
    headset.context = hoort_bij or None
    left = ""
    if headset.group is not None and headset.group.context != headset.context:
        left = f" Hij is uit groep {headset.group.name} gehaald, want die hoort bij {fleet.owner_name(headset.group.context)}."
        headset.group = None
    return back("/beheer", melding=f"{headset.name} hoort nu bij {fleet.owner_name(headset.context)}.{left}")


@router.post("/beheer/headsets/{headset_id}/intrekken")
def revoke_form(headset_id: Id, db: DbDep, live: LiveDep, user: Admin, _csrf: CsrfChecked):
    headset = revoke(db, live, headset_id, user)
    return back("/beheer", melding=f"{headset.name} is ontkoppeld: de headset kan niets meer ophalen of versturen.")


@router.post("/beheer/medewerkers")
def create_staff_form(request: Request, db: DbDep, settings: SettingsDep, live: LiveDep, user: Admin,
                      _csrf: CsrfChecked, gebruikersnaam: Annotated[str, Form()], naam: Annotated[str, Form()],
                      rol: Annotated[str, Form()], wachtwoord: Annotated[str, Form()]):
    try:
        created = accounts.create_user(db, username=gebruikersnaam, role=rol, password=wachtwoord, display_name=naam.strip())
    except CatalogError as error:
        # the page again, with what was typed (but the password) still in the form: not in a redirect's URL
        db.rollback()
        return admin_page_response(request, db, settings, live, user, status_code=422, extra={
            "flash_error": error.one_line(), "new_staff": {"naam": naam, "gebruikersnaam": gebruikersnaam, "rol": rol}})
    return back("/beheer", melding=f"Account {created.username} ({created.display_name}) is aangemaakt.")


@router.post("/beheer/medewerkers/{user_id}")
def change_staff_form(user_id: Id, db: DbDep, user: Admin, _csrf: CsrfChecked, rol: Annotated[str, Form()] = "",
                      actief: Annotated[str, Form()] = ""):
    target = accounts.get_user(db, user_id)
    if target.id == user.id and (actief == "nee" or (rol and rol != "admin")):
        return back("/beheer", fout="Je kunt je eigen beheerdersaccount niet afsluiten of een andere rol geven.")
    try:
        accounts.update_user(db, target, role=rol or None, active={"ja": True, "nee": False}.get(actief))
    except CatalogError as error:
        return back("/beheer", fout=error.one_line())
    state = "" if target.active else " (afgesloten)"
    return back("/beheer", melding=f"{target.display_name}: rol {target.role}{state}.")


@router.post("/beheer/medewerkers/{user_id}/deblokkeren")
def unlock_staff_form(user_id: int, db: DbDep, user: Admin, _csrf: CsrfChecked):
    """The admin lets a locked-out colleague try again at once (after, say, a phone call)."""
    target = accounts.get_user(db, user_id)
    throttle.clear(db, throttle.account_key(target.username))
    return back("/beheer", melding=f"{target.display_name} is gedeblokkeerd en kan weer inloggen.")
