"""The admin's page: the retention period and the daily job that applies it, and one learner's
data exported or erased on request (AVG/GDPR: the right of access and to erasure).

The retention job runs in the service: :func:`retention_daily` is started by the app's lifespan,
deletes sessions older than ``retention_months`` at start-up and then every 24 hours.
``zorgblik retention run`` does the same by hand or from cron, for a service that is not always on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from catalog import Catalog, retention
from catalog.db import checkpoint
from catalog.outcomes import clean_code
from headset_service.csrf import CsrfChecked
from headset_service.deps import DbDep, LiveDep, SettingsDep, UnitOfWorkRoute
from headset_service.web.admin_staff import admin_page_response
from headset_service.web.rendering import PageUser, back

log = logging.getLogger(__name__)
router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Admin = PageUser("learners.erase")
EVERY_S = 24 * 3600


def purge_once(catalog: Catalog, months: int) -> int:
    with catalog.session() as db:
        removed = retention.purge_older_than(db, retention.retention_cutoff(months))
    if removed:
        log.info("retention: %d sessions older than %d months deleted", removed, months)
    return removed


async def retention_daily(catalog: Catalog, months: int) -> None:
    while True:
        try:
            await run_in_threadpool(purge_once, catalog, months)
        except Exception:  # noqa: BLE001 - a failed round is retried tomorrow, the service stays up
            log.warning("retention job failed; retrying in 24 hours", exc_info=True)
        await asyncio.sleep(EVERY_S)


@router.get("/beheer")
def admin_page(request: Request, db: DbDep, settings: SettingsDep, live: LiveDep, user: Admin):
    return admin_page_response(request, db, settings, live, user)


@router.get("/beheer/leerling.json")
def learner_json(db: DbDep, user: Admin, code: str) -> Response:
    data = retention.learner_export(db, clean_code(code))
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="leerling-{clean_code(code)}.json"'})


@router.post("/beheer/leerling/wissen")
def erase(request: Request, db: DbDep, user: Admin, _csrf: CsrfChecked, code: Annotated[str, Form()],
          confirm: Annotated[str, Form()] = ""):
    code = clean_code(code)
    if not code or confirm != code:
        return back("/beheer", fout="Typ de leerlingcode twee keer, precies gelijk, om te wissen.")
    removed = retention.erase_learner(db, code)
    checkpoint(db)  # out of the WAL file too, now
    return back("/beheer", melding=f"Alle gegevens van {code} zijn gewist ({removed} sessies).")
