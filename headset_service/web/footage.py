"""The communications team's page: upload footage (the browser speaks tus to /api/uploads, so a
cut connection resumes), see each upload being processed, the classification with its reasons,
and record who is filmed and whether they consented (or withdraw it).

The upload itself goes to the tus API, not through a form: its requests carry a ``Tus-Resumable``
header, which no other site's form can send, and the sign-in cookie is SameSite=Strict. The
consent forms are ordinary forms with the CSRF field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from capture.consent import consent_state, record_consent, withdraw
from capture.errors import CaptureError
from capture.level_estimate import describe as describe_level
from capture.upload import UploadNotFound, UploadStore
from catalog import queries
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, Id, SettingsDep, UnitOfWorkRoute
from headset_service.web.rendering import PageUser, back, render
from scripts_vr import TEMPLATE_CATEGORIES
from zorgblik.terms import CONSENT_STATES, CONSENT_STATUSES, FILMED_ROLES, MEDIA_KINDS, PROJECTIONS, STEREO_MODES, UPLOAD_STATES

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Comms = PageUser("footage.upload")

def recent_uploads(store: UploadStore, limit: int = 15) -> list:
    """The newest uploads in the store (the folder names are their ids)."""
    found = []
    if store.root.is_dir():
        for folder in store.root.iterdir():
            try:
                found.append(store.get(folder.name))
            except (UploadNotFound, CaptureError, ValueError):
                continue
    return sorted(found, key=lambda u: u.updated_at, reverse=True)[:limit]


@router.get("/beeldmateriaal")
def footage_page(request: Request, db: DbDep, settings: SettingsDep, user: Comms):
    store = UploadStore(settings.data_dir / "uploads", max_bytes=settings.max_footage_bytes)
    footage = list(reversed(queries.list_footage(db)))
    return render(request, "footage.html", user, {
        "uploads": recent_uploads(store), "footage": footage, "categories": TEMPLATE_CATEGORIES,
        "consent_state": consent_state, "state_dutch": CONSENT_STATES, "upload_status": UPLOAD_STATES,
        "projections": PROJECTIONS, "media_kinds": MEDIA_KINDS, "max_bytes": settings.max_footage_bytes})


@router.get("/beeldmateriaal/{footage_id}")
def footage_item(request: Request, footage_id: Id, db: DbDep, user: Comms):
    item = queries.get_footage(db, footage_id)
    return render(request, "footage_item.html", user, {
        "item": item, "state": consent_state(item), "state_dutch": CONSENT_STATES, "roles": FILMED_ROLES,
        "statuses": {k: v for k, v in CONSENT_STATUSES.items() if k != "withdrawn"}, "status_dutch": CONSENT_STATUSES,
        "projections": PROJECTIONS, "stereo_modes": STEREO_MODES, "level": describe_level(item.level_estimate)})


@router.post("/beeldmateriaal/{footage_id}/toestemming")
def add_consent(request: Request, footage_id: Id, db: DbDep, user: Comms, _csrf: CsrfChecked,
                person: Annotated[str, Form(max_length=255)], role: Annotated[str, Form()],
                status: Annotated[str, Form()], form_ref: Annotated[str, Form(max_length=255)] = ""):
    try:
        record_consent(db, footage_id, person=person, role=role, status=status, form_ref=form_ref.strip() or None)
    except CaptureError as exc:
        return back(f"/beeldmateriaal/{footage_id}", fout=exc.one_line())
    return back(f"/beeldmateriaal/{footage_id}", melding=f"Toestemming van {person.strip()} vastgelegd.")


@router.post("/beeldmateriaal/{footage_id}/intrekken")
def withdraw_consent(request: Request, footage_id: Id, db: DbDep, user: Comms, _csrf: CsrfChecked,
                     person: Annotated[str, Form(max_length=255)]):
    try:
        withdraw(db, person, footage_id=footage_id)
    except CaptureError as exc:
        return back(f"/beeldmateriaal/{footage_id}", fout=exc.one_line())
    return back(f"/beeldmateriaal/{footage_id}",
                melding=f"Toestemming van {person} ingetrokken. Scènes met dit beeld moeten opnieuw (vervaagd) gebouwd "
                        "of teruggetrokken worden.")
