"""Headsets, their groups and playlists, what each may hold, session control and event ingest.

    pairing code ──(pair)──► headset + device token       (staff makes the code; the headset trades it)
    playlist (per use context) ──► group / headset         (assignments; playlists in catalog.playlists)
    published scene versions of those playlists ──► what a headset may hold (sync)
    session ──► headset commands (start, pause, resume, stop, recenter, next) ──► events

Tokens and codes are random and kept only as their sha256 (:func:`catalog.accounts.token_sha256`).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from collections.abc import Iterable

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session as DbSession, selectinload

from catalog.accounts import token_sha256
from catalog.errors import CatalogError, Conflict, NotFound
from catalog.models import (Event, Headset, HeadsetCommand, HeadsetGroup, PairingCode, Playlist, PlaylistItem,
                            SceneVersion, Session, StaffUser, utcnow)
from catalog.playlists import (create_playlist, find_scene, get_playlist, list_playlists,  # noqa: F401 - re-exported for older callers
                               playlist_versions, published_version, set_playlist_scenes, start_items)
from zorgblik.terms import LANGUAGES, MBO_LEVELS, ROUTES, SESSION_COMMANDS, SESSION_STATES, USE_CONTEXTS, YEARS, label

DEVICE_TOKEN_PREFIX = "zbh_"
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud from a screen
PAIRING_LENGTH = 8  # 40 bits, single use, valid for PAIRING_LIFETIME
PAIRING_LIFETIME = timedelta(minutes=15)
HEAD_DIRECTION_MIN_GAP_S = 0.19  # at most 5 Hz, with 10 ms for clock jitter


def owner_name(context: str | None) -> str:
    """Who a headset or group belongs to, in words: 'Intake', … or 'gedeeld'."""
    return label(USE_CONTEXTS, context) if context else "gedeeld"


# groups ----------------------------------------------------------------------------------------
def create_group(db: DbSession, name: str, context: str | None = None) -> HeadsetGroup:
    """A group of headsets that belongs to ``context`` (None: shared; see ``models.OWNER_DOC``)."""
    if db.scalar(select(HeadsetGroup.id).where(HeadsetGroup.name == name)) is not None:
        raise Conflict(f"groep {name} bestaat al")
    group = HeadsetGroup(name=name, context=context)
    db.add(group)
    db.flush()
    return group


def get_group(db: DbSession, group_id: int) -> HeadsetGroup:
    group = db.get(HeadsetGroup, group_id)
    if group is None:
        raise NotFound(f"groep {group_id} bestaat niet")
    return group


def _owned_by(column, contexts: Iterable[str] | None, shared: bool):
    """``column`` (a ``context`` column) is one of ``contexts`` (None: any), or None when ``shared``."""
    if contexts is None:
        return true()
    owned = column.in_(list(contexts))
    return or_(owned, column.is_(None)) if shared else owned


def list_groups(db: DbSession, contexts: Iterable[str] | None = None, shared: bool = True) -> list[HeadsetGroup]:
    """Every group, or those of ``contexts`` (and the shared ones, unless ``shared`` is false)."""
    return list(db.scalars(select(HeadsetGroup).where(_owned_by(HeadsetGroup.context, contexts, shared))
                           .order_by(HeadsetGroup.name)))


# enrolment -------------------------------------------------------------------------------------
def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in PAIRING_ALPHABET)


def create_pairing_code(db: DbSession, *, headset_name: str, profile: str, group: HeadsetGroup | None = None,
                        context: str | None = None, created_by: StaffUser | None = None,
                        now: datetime | None = None) -> tuple[str, PairingCode]:
    """A new code (shown once, as ``ABCD-EFGH``) and its row; the headset will belong to ``context``
    (None: shared), which must be its group's."""
    now = now or utcnow()
    if group is not None and group.context != context:
        raise Conflict(f"groep {group.name} hoort bij {owner_name(group.context)}, de headset bij {owner_name(context)}",
                       hint="kies een groep van dezelfde context, of een nieuwe groepsnaam")
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))
    row = PairingCode(code_sha256=token_sha256(raw), headset_name=headset_name, profile=profile,
                      context=context, group_id=group.id if group else None,
                      created_by_id=created_by.id if created_by else None,
                      created_at=now, expires_at=now + PAIRING_LIFETIME)
    db.add(row)
    db.flush()
    return f"{raw[:4]}-{raw[4:]}", row


def pair_headset(db: DbSession, code: str, now: datetime | None = None) -> tuple[str, Headset]:
    """Trade a pairing code for a new headset and its device token (shown once)."""
    now = now or utcnow()
    row = db.scalar(select(PairingCode).where(PairingCode.code_sha256 == token_sha256(normalise_code(code))))
    if row is None or row.used_at is not None or row.expires_at < now:
        raise NotFound("koppelcode onbekend, verlopen of al gebruikt", hint="vraag een nieuwe koppelcode")
    token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    headset = Headset(name=row.headset_name, profile=row.profile, context=row.context, group_id=row.group_id,
                      token_sha256=token_sha256(token), enrolled_at=now, last_seen_at=now)
    db.add(headset)
    db.flush()
    row.used_at, row.headset_id = now, headset.id
    return token, headset


def pairing_code_for(db: DbSession, *, headset_name: str, profile: str, group_name: str = "",
                     context: str | None = None, created_by: StaffUser | None = None) -> tuple[str, PairingCode]:
    """A code for a headset to be called ``headset_name`` in the group of that name (made if new,
    for ``context``): what the forms on the sessions page and on Beheer ask for."""
    name = headset_name.strip()[:255]
    if not name:
        raise CatalogError("een headset zonder naam kan niet gekoppeld worden", hint="geef de headset een naam")
    group = None
    if group_name.strip():
        group = (next((g for g in list_groups(db) if g.name == group_name.strip()), None)
                 or create_group(db, group_name.strip(), context))
    return create_pairing_code(db, headset_name=name, profile=profile, group=group, context=context, created_by=created_by)


def outstanding_pairing_codes(db: DbSession, contexts: Iterable[str] | None = None,
                              now: datetime | None = None) -> list[PairingCode]:
    """Codes made and not used yet that still work (for headsets of ``contexts``; None: all),
    soonest to expire first."""
    now = now or utcnow()
    return list(db.scalars(select(PairingCode).where(PairingCode.used_at.is_(None), PairingCode.expires_at >= now,
                                                     _owned_by(PairingCode.context, contexts, shared=False))
                           .order_by(PairingCode.expires_at)))


def withdraw_pairing_code(db: DbSession, code_id: int) -> PairingCode:
    """Make an unused code unusable at once (it is deleted: it names nothing but a headset to be)."""
    row = db.get(PairingCode, code_id)
    if row is None or row.used_at is not None:
        raise NotFound(f"koppelcode {code_id} is er niet (meer)", hint="hij is al gebruikt, verlopen of ingetrokken")
    db.delete(row)
    db.flush()
    return row


def headset_for_token(db: DbSession, token: str) -> Headset | None:
    """The enrolled, unrevoked headset with this device token."""
    headset = db.scalar(select(Headset).where(Headset.token_sha256 == token_sha256(token)))
    if headset is None or headset.revoked_at is not None:
        return None
    return headset


def get_headset(db: DbSession, headset_id: int) -> Headset:
    headset = db.get(Headset, headset_id)
    if headset is None:
        raise NotFound(f"headset {headset_id} bestaat niet")
    return headset


def list_headsets(db: DbSession, include_revoked: bool = False, contexts: Iterable[str] | None = None,
                  shared: bool = True) -> list[Headset]:
    """Every headset, or those of ``contexts`` (and the shared ones, unless ``shared`` is false)."""
    stmt = (select(Headset).options(selectinload(Headset.playlists)).where(_owned_by(Headset.context, contexts, shared))
            .order_by(Headset.id))
    if not include_revoked:
        stmt = stmt.where(Headset.revoked_at.is_(None))
    return list(db.scalars(stmt))


def revoke_headset(db: DbSession, headset: Headset, now: datetime | None = None) -> None:
    if headset.revoked_at is None:
        headset.revoked_at = now or utcnow()


# playlists (catalog.playlists) ----------------------------------------------------------------
def headset_playlists(headset: Headset) -> list[Playlist]:
    """The playlists assigned to the headset itself and to its group."""
    seen: dict[int, Playlist] = {p.id: p for p in headset.playlists}
    if headset.group is not None:
        for p in headset.group.playlists:
            seen.setdefault(p.id, p)
    return sorted(seen.values(), key=lambda p: p.id)


def allowed_versions(headset: Headset) -> dict[str, SceneVersion]:
    """Every scene version this headset may hold, by bundle key: published, and in one of its playlists."""
    return {v.bundle_key: v for p in headset_playlists(headset) for v in playlist_versions(p)}


def allowed_version(db: DbSession, headset: Headset, bundle_key: str) -> SceneVersion | None:
    """``allowed_versions(headset).get(bundle_key)`` in two small queries, for the file requests a
    headset makes by the thousand (it walked every playlist, scene and version each time)."""
    version = db.scalar(select(SceneVersion).where(SceneVersion.bundle_key == bundle_key,
                                                   SceneVersion.status == "published"))
    if version is None:
        return None
    playlists = [p.id for p in headset_playlists(headset)]
    listed = db.scalar(select(PlaylistItem.id).where(PlaylistItem.playlist_id.in_(playlists),
                                                     PlaylistItem.scene_id == version.scene_id).limit(1))
    return version if listed is not None else None


def withdraw(db: DbSession, version: SceneVersion, when: datetime | None = None) -> None:
    """Take ``version`` off every headset at its next sync; it can no longer be published again."""
    version.status = "withdrawn"
    version.withdrawn_at = when or utcnow()


def record_inventory(db: DbSession, headset: Headset, *, bundle_keys: list[str], free_bytes: int | None,
                     battery: int | None, now: datetime | None = None) -> None:
    headset.inventory = sorted(set(bundle_keys))
    headset.free_bytes, headset.battery = free_bytes, battery
    headset.last_sync_at = headset.last_seen_at = now or utcnow()


# sessions and commands -------------------------------------------------------------------------
def start_session(db: DbSession, *, context: str, learner_code: str | None = None, headset: Headset | None = None,
                  playlist: Playlist | None = None, started_by: StaffUser | None = None, run: str | None = None,
                  record_head_direction: bool | None = None, route: str | None = None, level: int | None = None,
                  year: int | None = None, language: str = "nl") -> Session:
    """A new session; on a headset it queues the ``start`` command with the playlist's scenes.

    A headset that does not hold the playlist yet gets it: starting is the assignment (staff who
    run sessions never assign playlists by hand), and the headset syncs what it misses before it
    plays. Head direction is recorded unless asked otherwise, except in interviews
    (sollicitatie), where it is never recorded: candidates are not judged by where they looked.
    The learner's route, level and year (each optional) decide which of the team's expectations
    the headset shows; ``language`` the language it shows them in (the script's own text in that
    language where the script has it).
    """
    if context not in USE_CONTEXTS:
        raise CatalogError(f"onbekende context {context!r}", hint=f"kies uit {', '.join(USE_CONTEXTS)}")
    if playlist is not None and playlist.context != context:
        raise Conflict(f"afspeellijst {playlist.name} is voor {playlist.context}, niet voor {context}")
    if headset is not None and headset.revoked_at is not None:
        raise Conflict(f"headset {headset.name} is ontkoppeld", hint="koppel hem opnieuw met een koppelcode")
    if route is not None and route not in ROUTES:
        raise CatalogError(f"onbekende leerweg {route!r}", hint=f"kies uit {', '.join(ROUTES)}")
    if level is not None and level not in MBO_LEVELS:
        raise CatalogError(f"onbekend niveau {level!r}", hint="kies niveau 1 tot en met 4")
    if year is not None and year not in YEARS:
        raise CatalogError(f"onbekend leerjaar {year!r}", hint="kies leerjaar 1 tot en met 4")
    if language not in LANGUAGES:
        raise CatalogError(f"onbekende taal {language!r}", hint=f"kies uit {', '.join(LANGUAGES)}")
    if headset is not None and playlist is not None and playlist.id not in {p.id for p in headset_playlists(headset)}:
        headset.playlists.append(playlist)
    if record_head_direction is None or context == "sollicitatie":
        record_head_direction = context != "sollicitatie"
    session = Session(context=context, learner_code=learner_code, headset=headset, playlist=playlist,
                      started_by_id=started_by.id if started_by else None, run=run, state="running",
                      record_head_direction=record_head_direction, route=route, level=level, year=year,
                      language=language)
    db.add(session)
    db.flush()
    if headset is not None:
        scenes = [v.bundle_key for v in playlist_versions(playlist)] if playlist is not None else []
        queue_command(db, headset, "start", session, {
            "context": context, "playlist_id": playlist.id if playlist else None, "scenes": scenes,
            "items": start_items(playlist) if playlist is not None else [],
            "record_head_direction": record_head_direction, "run": run,
            "learner": {"route": route, "level": level, "year": year}, "language": language,
        })
    return session


def start_group_sessions(db: DbSession, group: HeadsetGroup, *, context: str, playlist: Playlist | None,
                         started_by: StaffUser | None = None, language: str = "nl") -> list[Session]:
    """One session per headset of ``group``, started together (they share a ``run``)."""
    headsets = [h for h in group.headsets if h.revoked_at is None]
    if not headsets:
        raise Conflict(f"groep {group.name} heeft geen headsets")
    run = uuid.uuid4().hex
    return [start_session(db, context=context, headset=h, playlist=playlist, started_by=started_by, run=run,
                          language=language) for h in headsets]


def get_session(db: DbSession, session_id: int) -> Session:
    session = db.get(Session, session_id)
    if session is None:
        raise NotFound(f"sessie {session_id} bestaat niet")
    return session


def running_sessions(db: DbSession, headsets: list[Headset]) -> list[Session]:
    ids = [h.id for h in headsets]
    stmt = select(Session).where(Session.headset_id.in_(ids), Session.state != "stopped").order_by(Session.id)
    return list(db.scalars(stmt))


_NEXT_STATE = {"pause": ("running", "paused"), "resume": ("paused", "running"), "stop": (None, "stopped"),
               "recenter": (None, None), "next": (None, None)}


def control_session(db: DbSession, session: Session, command: str, now: datetime | None = None,
                    by: StaffUser | None = None) -> HeadsetCommand | None:
    """Apply ``command`` (pause, resume, stop, recenter, next), record it in the session's timeline
    (a ``command`` event with the command and the role of ``by``, never the name) and queue it for
    the session's headset. ``next`` changes no state: the headset ends its scene and plays the
    playlist's next one. An interrupted session ("onderbroken") can be stopped, not paused."""
    if command not in _NEXT_STATE:
        raise CatalogError(f"onbekend commando {command!r}", hint="pause, resume, stop, recenter of next")
    if session.state == "stopped":
        raise Conflict(f"sessie {session.id} is al gestopt")
    needs, becomes = _NEXT_STATE[command]
    if needs is not None and session.state != needs:
        raise Conflict(f"sessie {session.id} is {label(SESSION_STATES, session.state)}; "
                       f"{label(SESSION_COMMANDS, command).lower()} kan alleen als hij {label(SESSION_STATES, needs)} is")
    now = now or utcnow()
    if becomes is not None:
        session.state = becomes
    if becomes == "stopped":
        session.ended_at = session.ended_at or now
        session.end_reason = session.end_reason or "stopped"
        session.interrupted_at = None
    add_event(db, session, "command", {"command": command, "role": by.role if by is not None else None}, at=now)
    if session.headset is None:
        return None
    return queue_command(db, session.headset, command, session)


def control_one(db: DbSession, session: Session, command: str, now: datetime | None = None,
                by: StaffUser | None = None) -> HeadsetCommand | None:
    """:func:`control_session` for one session on its own (its page, the API): a session of a class
    (a ``run``) moves on only with its class ("Verder" on the class page), not alone."""
    if command == "next" and session.run is not None and session.state != "stopped":
        raise Conflict(f"sessie {session.id} hoort bij een klas die samen verder gaat",
                       hint="gebruik Verder op de klaspagina (Klas)")
    return control_session(db, session, command, now, by)


SERVICE_EVENT_PREFIX = "svc-"  # event ids of what the service recorded itself; a headset's are uuids


def is_service_event(event: Event) -> bool:
    return event.event_id.startswith(SERVICE_EVENT_PREFIX)


def add_event(db: DbSession, session: Session, kind: str, data: dict, *, at: datetime,
              event_id: str | None = None) -> Event:
    """An event the service itself records (a command, an interruption, an end): beside the headset's."""
    event = Event(event_id=SERVICE_EVENT_PREFIX + (event_id or uuid.uuid4().hex), session_id=session.id, kind=kind, at=at, data=data)
    db.add(event)
    db.flush()
    return event


def queue_command(db: DbSession, headset: Headset, command: str, session: Session | None = None,
                  payload: dict | None = None) -> HeadsetCommand:
    row = HeadsetCommand(headset_id=headset.id, session_id=session.id if session else None, command=command,
                         payload=payload or {})
    db.add(row)
    db.flush()
    return row


def start_command(db: DbSession, session: Session) -> HeadsetCommand | None:
    return db.scalar(select(HeadsetCommand).where(HeadsetCommand.session_id == session.id,
                                                  HeadsetCommand.command == "start"))


def commands_after(db: DbSession, headset: Headset, after_id: int = 0, limit: int = 100) -> list[HeadsetCommand]:
    stmt = (select(HeadsetCommand).where(HeadsetCommand.headset_id == headset.id, HeadsetCommand.id > after_id)
            .order_by(HeadsetCommand.id).limit(limit))
    return list(db.scalars(stmt))


def unacked_commands(db: DbSession, headset: Headset) -> list[HeadsetCommand]:
    stmt = (select(HeadsetCommand).where(HeadsetCommand.headset_id == headset.id, HeadsetCommand.acked_at.is_(None))
            .order_by(HeadsetCommand.id))
    return list(db.scalars(stmt))


def ack_commands(db: DbSession, headset: Headset, up_to_id: int, now: datetime | None = None) -> None:
    """The headset carried out every command up to ``up_to_id``."""
    for row in db.scalars(select(HeadsetCommand).where(HeadsetCommand.headset_id == headset.id,
                                                       HeadsetCommand.id <= up_to_id, HeadsetCommand.acked_at.is_(None))):
        row.acked_at = now or utcnow()


# events ----------------------------------------------------------------------------------------
def _insert_new(db: DbSession, rows: list[dict]) -> int:
    """Insert ``rows`` into events, skipping event ids already stored (also by a concurrent batch)."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the catalog supports SQLite and PostgreSQL
        raise CatalogError(f"database {dialect} wordt niet ondersteund")
    stmt = insert(Event).values(rows).on_conflict_do_nothing(index_elements=["event_id"])
    return db.connection().execute(stmt).rowcount


def ingest_events(db: DbSession, session: Session, events: list[dict]) -> tuple[int, int]:
    """Store a batch of events for ``session``; returns (stored, skipped).

    Each event is a dict with ``event_id``, ``kind``, ``at`` (naive UTC), ``scene_version_id``
    and ``data``. Skipped are: event ids stored before (retries), head direction in a session that
    does not record it, and head-direction samples closer than 1/5 s to the previous one kept.
    """
    keep = [e for e in events if e["kind"] != "head_direction"]
    heads = sorted((e for e in events if e["kind"] == "head_direction"), key=lambda e: e["at"])
    if heads and session.record_head_direction:
        last = db.scalar(select(func.max(Event.at)).where(Event.session_id == session.id, Event.kind == "head_direction"))
        for e in heads:
            if last is None or (e["at"] - last).total_seconds() >= HEAD_DIRECTION_MIN_GAP_S:
                keep.append(e)
                last = e["at"]
    rows = [{"event_id": e["event_id"], "session_id": session.id, "kind": e["kind"], "at": e["at"],
             "scene_version_id": e.get("scene_version_id"), "data": e.get("data") or {}} for e in keep]
    stored = _insert_new(db, rows) if rows else 0
    for e in events:
        if e["kind"] == "session_end":
            end_on_headset(session, e["at"], (e.get("data") or {}).get("reason"))
    return stored, len(events) - stored


def end_on_headset(session: Session, at: datetime, reason: str | None) -> None:
    """The headset ended the session (its playlist ran out, or it was told to): it is over here too."""
    if session.ended_at is None:
        session.ended_at = at
    if session.state != "stopped":
        session.state = "stopped"
        session.interrupted_at = None
        session.end_reason = session.end_reason or ("finished" if reason == "einde afspeellijst" else "ended_on_headset")
