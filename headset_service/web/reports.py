"""Reports and exports: usage per use context, care category, scene and week in a period (with
bar charts drawn as SVG on the server), each session's timeline, a CSV export, and xAPI statements
for the school's learning record store.

Everyone sees only the contexts they run sessions in: a teacher never sees HR's interviews.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from catalog import reports
from headset_service.deps import DbDep, UnitOfWorkRoute
from headset_service.web.sessions import contexts_of
from headset_service.web.rendering import PageUser, render
from zorgblik.terms import USE_CONTEXTS, label

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Reader = PageUser("reports.read")
DEFAULT_DAYS = 90


def _period(van: str | None, tot: str | None) -> reports.Period:
    try:
        default = reports.Period.last_days(DEFAULT_DAYS)
        start = date.fromisoformat(van) if van else default.start
        end = date.fromisoformat(tot) if tot else default.end
    except ValueError:
        raise HTTPException(422, "datum moet de vorm JJJJ-MM-DD hebben") from None
    if end < start:
        raise HTTPException(422, "de einddatum ligt voor de begindatum")
    if end >= date.max:  # a period ends at midnight after its last day: there is none after 9999-12-31
        raise HTTPException(422, f"de einddatum (tot) kan hoogstens {date.max - timedelta(days=1)} zijn")
    return reports.Period(start, end)


def _contexts(user, context: str | None) -> list[str]:
    mine = contexts_of(user)
    if context and context not in mine:
        raise HTTPException(403, f"je rol ({user.role}) mag geen {context}-sessies zien")
    return [context] if context else mine


def bars(counter, limit: int = 12) -> list[tuple[str, int]]:
    return counter.most_common(limit)


@router.get("/rapportages")
def reports_page(request: Request, db: DbDep, user: Reader, van: str | None = None, tot: str | None = None,
                 context: str | None = None, categorie: str | None = None):
    period = _period(van, tot)
    contexts = _contexts(user, context or None)
    usage = reports.usage(db, period, contexts, category=categorie or None)
    sessions = reports.sessions_in(db, period, contexts)
    weeks = sorted(usage.by_week.items())
    return render(request, "reports.html", user, {
        "period": period, "usage": usage, "my_contexts": contexts_of(user), "context": context or "",
        "categories": reports.care_categories(db), "categorie": categorie or "",
        "charts": [("Sessies per context", [(label(USE_CONTEXTS, k), v) for k, v in bars(usage.by_context)], True),
                   ("Scènes bekeken per zorgcategorie", bars(usage.by_category), False),
                   ("Meest bekeken scènes", bars(usage.by_scene), False),
                   ("Sessies per week", weeks, False)],
        "sessions": list(reversed(sessions))[:50], "query": request.url.query})


@router.get("/rapportages/export.csv")
def export_csv(db: DbDep, user: Reader, van: str | None = None, tot: str | None = None, context: str | None = None):
    period = _period(van, tot)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reports.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(reports.csv_rows(db, period, _contexts(user, context or None)))
    name = f"zorgblik-sessies-{period.start}-{period.end}.csv"
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",  # BOM: Excel reads UTF-8
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/rapportages/xapi.json")
def export_xapi(request: Request, db: DbDep, user: Reader, van: str | None = None, tot: str | None = None,
                context: str | None = None):
    """xAPI statements (a JSON array) to post to the learning record store's /statements."""
    period = _period(van, tot)
    homepage = str(request.base_url).rstrip("/")
    statements = reports.xapi_statements(db, period, homepage=homepage, contexts=_contexts(user, context or None))
    name = f"zorgblik-xapi-{period.start}-{period.end}.json"
    return Response(json.dumps(statements, ensure_ascii=False, indent=1), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
