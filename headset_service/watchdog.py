"""The session watchdog: a background task of the service (started by the app's lifespan, like
the retention job) that keeps the sessions' states true to what the service hears of their
headsets — "onderbroken" when a headset is gone, back when it returns, ended after the grace
period (``session_grace_minutes``). The rules are :func:`catalog.presence.watch_sessions`.

The upload janitor, started the same way, finishes at start-up the uploads a killed service left
``processing`` and then, every hour, removes the uploads untouched for ``upload_expire_hours``."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from fastapi.concurrency import run_in_threadpool

from capture.store import FootageStore
from capture.upload import UploadStore
from catalog import Catalog, presence
from headset_service.api.device import command_message
from headset_service.live import ONLINE_WINDOW_S, Live

log = logging.getLogger(__name__)
UPLOADS_EVERY_S = 3600.0
EVERY_S = 2.0  # a closed headset page: heard last ≤ 5 s before, offline 15 s after that, seen here ≤ 2 s later


def watch_once(catalog: Catalog, live: Live, grace: timedelta) -> list[presence.Change]:
    """One round: sessions interrupted, rejoined or ended; a stop for an ended one is pushed."""
    with catalog.session() as db:
        changes = presence.watch_sessions(db, online=live.online, heard=live.last_heard, grace=grace, now=live.now())
        presence.note_seen(db, {h: at for h in live.known() if live.online(h) and (at := live.last_heard(h))})
        messages = [(c.command.headset_id, command_message(c.command)) for c in changes if c.command is not None]
    for headset_id, message in messages:
        live.send(headset_id, message)
    for change in changes:
        log.info("sessie %d: %s", change.session_id, change.became)
    return changes


async def session_watchdog(catalog: Catalog, live: Live, grace_minutes: float, every_s: float = EVERY_S) -> None:
    # after a restart nobody has been heard yet: give the headsets the online window to reconnect
    await asyncio.sleep(ONLINE_WINDOW_S)
    grace = timedelta(minutes=grace_minutes)
    while True:
        try:
            await run_in_threadpool(watch_once, catalog, live, grace)
        except Exception:  # noqa: BLE001 - one failed round must not stop the watchdog
            log.warning("session watchdog round failed; trying again", exc_info=True)
        await asyncio.sleep(every_s)


async def upload_janitor(uploads: UploadStore, catalog: Catalog, footage: FootageStore, expire_after: timedelta,
                         every_s: float = UPLOADS_EVERY_S) -> None:
    try:
        for upload in await run_in_threadpool(uploads.recover, catalog=catalog, footage=footage):
            log.info("upload %s na herstart afgerond: %s (%s)", upload.id, upload.status, upload.message)
    except Exception:  # noqa: BLE001 - the service starts regardless; the next start tries again
        log.warning("recovering uploads failed", exc_info=True)
    while True:
        try:
            removed = await run_in_threadpool(uploads.expire, expire_after)
            if removed:
                log.info("%d verlaten uploads verwijderd", len(removed))
        except Exception:  # noqa: BLE001 - one failed round must not stop the janitor
            log.warning("expiring uploads failed; trying again later", exc_info=True)
        await asyncio.sleep(every_s)
