"""Sessions on headsets and their control: start (one headset, or a group together), pause,
resume, stop, recenter, next; each command goes into the session's timeline and to the
headset's command queue, which it reads after the last command it carried out.

    session ──► headset commands (start, pause, resume, stop, recenter, next) ──► events (catalog.event_log)
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.errors import CatalogError, Conflict, NotFound
from catalog.event_log import add_event
from catalog.fleet import headset_playlists
from catalog.models import Headset, HeadsetCommand, HeadsetGroup, Playlist, Session, StaffUser, utcnow
from catalog.playlists import playlist_versions, start_items
from zorgblik.terms import LANGUAGES, MBO_LEVELS, ROUTES, SESSION_COMMANDS, SESSION_STATES, USE_CONTEXTS, YEARS, label


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


# the headset's command queue --------------------------------------------------------------------
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
