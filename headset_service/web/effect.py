"""The coordinator's effect page (/effect): record per pseudonymous learner code whether the
student started and was still enrolled after a chosen period, and see dropout for students with
and without a VR session, per cohort and care category, with n in every cell."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile

from catalog import outcomes
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, UnitOfWorkRoute
from headset_service.web.rendering import PageUser, back, render
from scripts_vr import TEMPLATE_CATEGORIES

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Coordinator = PageUser("outcomes.manage")
MAX_CSV_BYTES = 2_000_000
ENROLLED = {"ja": True, "nee": False, "onbekend": None}


def _months(raw: str | None) -> int | None:
    """The ``periode`` filter: 1 to 60 months (as an outcome is recorded), or none. A number the
    database cannot bind (past 64 bits, or a digit like '²' that only int() reads) crashed the page."""
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 60):
        raise HTTPException(422, "periode moet een aantal maanden van 1 tot en met 60 zijn")
    return int(raw)


@router.get("/effect")
def effect_page(request: Request, db: DbDep, user: Coordinator, periode: str | None = None,
                cohort: str | None = None, categorie: str | None = None):
    period = _months(periode)
    report = outcomes.effect_report(db, period_months=period, cohort=cohort or None, care_category=categorie or None)
    known = outcomes.choices(db)
    return render(request, "effect.html", user, {
        "report": report, "choices": known, "period": period, "cohort": cohort or "", "categorie": categorie or "",
        "categories": sorted(set(TEMPLATE_CATEGORIES) | set(known["categories"])), "small": outcomes.SMALL_GROUP,
        "recent": outcomes.list_outcomes(db, limit=15), "columns": outcomes.CSV_COLUMNS})


@router.post("/effect/uitkomst")
def record_form(db: DbDep, user: Coordinator, _csrf: CsrfChecked, code: Annotated[str, Form()],
                cohort: Annotated[str, Form()], categorie: Annotated[str, Form()],
                periode: Annotated[int, Form()] = 6, gestart: Annotated[str, Form()] = "",
                ingeschreven: Annotated[str, Form()] = "onbekend"):
    try:
        row = outcomes.record_outcome(db, learner_code=code, cohort=cohort, care_category=categorie,
                                      started=gestart == "ja", enrolled_after=ENROLLED.get(ingeschreven),
                                      period_months=periode, by=user)
    except outcomes.OutcomeError as error:
        return back("/effect", fout=error.one_line())
    return back("/effect", melding=f"Uitkomst van {row.learner_code} vastgelegd.")


@router.post("/effect/import")
def import_form(db: DbDep, user: Coordinator, _csrf: CsrfChecked, bestand: Annotated[UploadFile, File()]):
    data = bestand.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        return back("/effect", fout="Het CSV-bestand is te groot (meer dan 2 MB).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's 'CSV (gescheiden door lijstscheidingsteken)'
    try:
        count = outcomes.import_outcomes_csv(db, text, by=user)
    except outcomes.OutcomeError as error:
        return back("/effect", fout=f"Niets ingelezen: {error.one_line()}")
    return back("/effect", melding=f"{count} uitkomsten ingelezen.")
