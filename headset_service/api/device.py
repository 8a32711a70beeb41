"""What a headset calls with its device token: the sync manifest, its inventory report, and
session commands over a WebSocket (or by polling when a WebSocket cannot stay open).

WebSocket ``/api/device/ws`` messages, JSON:

    server → headset   {"type": "command", "id": 12, "command": "start", "session_id": 3, "payload": {...}}
    headset → server   {"type": "ack", "id": 12}
                       {"type": "status", "state": "playing", "session_id": 3, "bundle_key": "…", "position_s": 41.5,
                        "device": {"battery": 81, "charging": false, "free_bytes": …, "storage_reason": null}}

Every message a headset sends counts as being heard from (``Live.seen``): the headset page sends
its status at least every 5 s, so one that stops is offline within the online window. It also
sends ``{"type": "heartbeat"}`` every 4 s, which the server answers with the same at once: a
browser does not notice a socket whose Wi-Fi went, the missing answers tell it to drop the socket
and reconnect.

                       {"type": "status", ..., "yaw": 12.5, "pitch": -3.0}   (head direction for meekijken, ≤ 5 Hz,
                                                                                  only when the session records it)

The clock, for a class in step (``headset_service.classroom``):

    headset → server   {"type": "ping", "t0": <headset ms>}
    server → headset   {"type": "pong", "t0": <the same>, "server_ms": <server Unix ms>}

A class (sessions sharing a ``run``), see ``headset_service.classroom`` for the whole exchange:

    headset → server   {"type": "loaded", "session_id": 3, "index": 0, "rtt_ms": 4.2, "start_ms": 40}
                       {"type": "join", "session_id": 3}
    server → headset   {"type": "load", "session_id": 3, "index": 1}
                       {"type": "play_at", "session_id": 3, "index": 0, "at_ms": 1796300000123.0}
                       {"type": "hold", "session_id": 3, "index": 0, "position_s": 12.4}

On connect the server first sends every command not yet acknowledged, so a headset that was
offline catches up. A revoked headset's socket is closed with code 4401.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from catalog import Headset, HeadsetCommand, fleet, presence, runs, session_control
from headset_service.auth import DeviceDep, device_token
from headset_service.deps import MAX_ID, ClassroomDep, DbDep, LiveDep, QueryId, SettingsDep, UnitOfWorkRoute
from headset_service.classroom import Classroom, wall_ms
from headset_service.live import CLOSE
from headset_service.schemas import (ClassCue, ClassMessage, CommandPublic, HeadsetStatus, InventoryReport, InventoryResult,
                                     RejoinPublic)
from headset_service.sync import build_manifest, etag_matches, manifest_body_and_etag

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/api/device", tags=["device"])
UNAUTHORIZED_CLOSE = 4401
HEARTBEAT = {"type": "heartbeat"}  # the answer to a headset's heartbeat


def live_status(status: HeadsetStatus) -> dict:
    """What the live view keeps of a status report: head direction (for meekijken) only when the
    headset sent it, stamped with the service's time so the staff page can place the scene time."""
    kept = status.model_dump(exclude={"ack", "yaw", "pitch", "device"})
    if status.yaw is not None and status.pitch is not None:
        kept.update(yaw=status.yaw, pitch=status.pitch, reported_ms=wall_ms())
    return kept


def command_message(row: HeadsetCommand) -> dict:
    return {"type": "command", "id": row.id, "command": row.command, "session_id": row.session_id,
            "payload": row.payload}


@router.get("/manifest", responses={200: {"description": "what this headset should hold"}, 304: {"description": "unchanged"}})
def manifest(headset: DeviceDep, settings: SettingsDep, live: LiveDep,
             if_none_match: str | None = Header(None)) -> Response:
    """Everything this headset should hold: its playlists, and per bundle the files for its profile."""
    live.seen(headset.id)
    body, etag = manifest_body_and_etag(build_manifest(headset, settings.bundles_dir))
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.post("/inventory", response_model=InventoryResult)
def inventory(body: InventoryReport, headset: DeviceDep, settings: SettingsDep, db: DbDep, live: LiveDep) -> InventoryResult:
    """What the headset holds (verified), its free storage and battery; the answer says what to delete."""
    allowed = fleet.allowed_versions(headset)
    fleet.record_inventory(db, headset, bundle_keys=body.bundles, free_bytes=body.free_bytes, battery=body.battery)
    if body.device is not None:
        device_info = body.device.model_dump()
        live.device_changed(headset.id, device_info)
        presence.record_device_info(db, headset, device_info)
    live.seen(headset.id)
    held = set(body.bundles)
    wanted = build_manifest(headset, settings.bundles_dir).bundles
    return InventoryResult(remove=sorted(held - set(allowed)),
                           missing=[b.bundle_key for b in wanted if b.bundle_key not in held])


@router.get("/commands", response_model=list[CommandPublic])
def poll_commands(headset: DeviceDep, db: DbDep, live: LiveDep,
                  after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> list[CommandPublic]:
    """The polling fallback: commands after id ``after`` (ask every few seconds)."""
    live.seen(headset.id)
    return [CommandPublic(id=c.id, command=c.command, session_id=c.session_id, payload=c.payload)
            for c in session_control.commands_after(db, headset, after)]


@router.get("/session", response_model=RejoinPublic, responses={204: {"description": "no open session"}})
def rejoin(headset: DeviceDep, db: DbDep, live: LiveDep) -> RejoinPublic | Response:
    """The open session this headset was running, for a page that lost it (reloaded, the browser
    restarted): its start, the scene it was in and where in it, and whether it is paused."""
    point = presence.rejoin_point(db, headset)
    if point is None:
        return Response(status_code=204)
    scenes = point.start.payload.get("scenes") or []
    last = live.view(headset.id)  # its last report, from before the page went
    where = (last.get("position_s") if point.index is not None and point.index < len(scenes)
             and last.get("session_id") == point.session.id and last.get("bundle_key") == scenes[point.index] else None)
    return RejoinPublic(session_id=point.session.id, command_id=point.start.id, payload=point.start.payload,
                        index=point.index, position_s=where, paused=point.paused)


@router.post("/status", status_code=204)
def report_status(body: HeadsetStatus, headset: DeviceDep, db: DbDep, live: LiveDep) -> None:
    """Where the headset is now (and, polling, the last command it carried out)."""
    if body.ack is not None:
        session_control.ack_commands(db, headset, body.ack)
    live.report(headset.id, live_status(body))
    if body.device is not None and live.device_changed(headset.id, info := body.device.model_dump()):
        presence.record_device_info(db, headset, info)


# the WebSocket -----------------------------------------------------------------------------------
def _authenticate(catalog, token: str | None) -> tuple[int, list[dict]] | None:
    if not token:
        return None
    with catalog.session() as db:
        headset: Headset | None = fleet.headset_for_token(db, token)
        if headset is None:
            return None
        return headset.id, [command_message(c) for c in session_control.unacked_commands(db, headset)]


def _ack(catalog, headset_id: int, command_id: int) -> None:
    with catalog.session() as db:
        session_control.ack_commands(db, fleet.get_headset(db, headset_id), command_id)


def _record_device(catalog, headset_id: int, info: dict) -> None:
    with catalog.session() as db:
        presence.record_device_info(db, fleet.get_headset(db, headset_id), info)


def _class_message(catalog, classroom: Classroom, headset_id: int, message: dict) -> None:
    """``loaded`` or ``join`` from a headset in a class: hand it to the run it belongs to."""
    session_id, index = message.get("session_id"), message.get("index")
    if not isinstance(session_id, int):
        return
    with catalog.session() as db:
        run = runs.run_of_session(db, session_id, headset_id)
        if not classroom.follow(db, run, refresh=message["type"] == "join"):
            return
    if message["type"] == "join":
        classroom.join(run, session_id)
    elif isinstance(index, int):
        rtt, start = message.get("rtt_ms"), message.get("start_ms")
        classroom.loaded(run, session_id, index, rtt if isinstance(rtt, (int, float)) else None,
                         start if isinstance(start, (int, float)) else None)


@router.post("/class", status_code=204)
def class_message_over_http(body: ClassMessage, request: Request, headset: DeviceDep, live: LiveDep) -> None:
    """``loaded`` or ``join`` from a class headset that has no WebSocket (it polls)."""
    live.seen(headset.id)
    _class_message(request.app.state.catalog, request.app.state.classroom, headset.id, body.model_dump(exclude_none=True))


@router.get("/cue", response_model=ClassCue)
def class_cue(session_id: QueryId, headset: DeviceDep, db: DbDep, live: LiveDep, classroom: ClassroomDep) -> ClassCue:
    """The class's current cue for this headset's ``session_id`` (what the socket would have sent
    last), with the service's time so a polling headset keeps its clock too."""
    live.seen(headset.id)
    run = runs.run_of_session(db, session_id, headset.id)
    cue = classroom.cue(run, session_id) if classroom.follow(db, run) else None
    if cue is None:
        raise HTTPException(404, f"sessie {session_id} is geen klassessie op deze headset")
    return ClassCue(**cue, server_ms=wall_ms())


@router.websocket("/ws")
async def device_socket(ws: WebSocket) -> None:
    catalog, live, classroom = ws.app.state.catalog, ws.app.state.live, ws.app.state.classroom
    await ws.accept()
    found = await run_in_threadpool(_authenticate, catalog, device_token(ws))
    if found is None:
        await ws.close(UNAUTHORIZED_CLOSE, "headset niet (meer) gekoppeld")
        return
    headset_id, pending = found
    queue = live.connect(headset_id)
    sending = asyncio.Lock()  # the reader answers pings while the writer sends commands

    async def send(message: dict) -> None:
        async with sending:
            await ws.send_json(message)

    # commands queued between the database read and connect() arrive twice: skip by id
    sent = 0
    for message in pending:
        await send(message)
        sent = message["id"]

    async def read() -> None:
        while True:
            message = await ws.receive_json()
            live.seen(headset_id)  # every message counts: the headset is there
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "heartbeat":  # answered at once: the headset learns its socket still works
                queue.put_nowait(HEARTBEAT)
            elif kind == "ping" and isinstance(message.get("t0"), (int, float)):
                async with sending:  # stamped as late as possible: the answer leaves right after
                    await ws.send_json({"type": "pong", "t0": message["t0"], "server_ms": wall_ms()})
            elif kind == "ack" and isinstance(message.get("id"), int):
                await run_in_threadpool(_ack, catalog, headset_id, message["id"])
            elif kind == "status":
                try:
                    status = HeadsetStatus.model_validate({k: v for k, v in message.items() if k != "type"})
                except ValidationError:
                    continue
                live.report(headset_id, live_status(status))
                if status.device is not None and live.device_changed(headset_id, info := status.device.model_dump()):
                    await run_in_threadpool(_record_device, catalog, headset_id, info)
            elif kind in ("loaded", "join"):
                await run_in_threadpool(_class_message, catalog, classroom, headset_id, message)

    reader = asyncio.create_task(read())
    try:
        while True:
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done:
                getter.cancel()
                break
            message = getter.result()
            if message is CLOSE:
                await ws.close(UNAUTHORIZED_CLOSE, "headset ingetrokken")
                break
            if message.get("type") != "command":  # a class cue: not stored, sent as it comes
                await send(message)
            elif message["id"] > sent:
                await send(message)
                sent = message["id"]
    except WebSocketDisconnect:
        pass
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
            await reader
        live.disconnect(headset_id, queue)
