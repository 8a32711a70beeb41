"""The session pages for intake staff, HR and teachers: pick a playlist and headsets (or a group),
start, follow each headset live, pause / resume / stop / recenter, read the scene's conversation
prompts and write notes. The teacher's class pages (/klas) are in ``web/classroom.py``.

Forms post here (CSRF-checked) and redirect back; ``/sessies/live.json`` feeds the small script
that refreshes the live cells three times a second (the pages work without it, just not live).
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from catalog import Conflict, Headset, Playlist, Session, StaffUser, fleet, playlists, reports, session_control
from catalog.errors import CatalogError
from catalog.models import utcnow
from catalog.outcomes import clean_code
from headset_service.api.device import command_message
from headset_service.auth import CONTEXT_ROLES, headset_scope, may_run_context, own_context, refusal
from headset_service.csrf import CsrfChecked
from headset_service.deps import MAX_ID, DbDep, FormDep, Id, LiveDep, SettingsDep, UnitOfWorkRoute, after_commit
from headset_service.live import Live
from headset_service.sync import bytes_to_fetch
from headset_service.web.rendering import PageForbidden, PageUser, back, render
from headset_service.web.team_profile import load_profile
from render.profiles import PROFILES
from zorgblik.settings import Settings
from zorgblik.terms import LANGUAGES, MBO_LEVELS, ROUTES, SESSION_COMMANDS, SESSION_STATES, USE_CONTEXTS, YEARS

router = APIRouter(route_class=UnitOfWorkRoute, include_in_schema=False)
Runner = PageUser("sessions.run")

COMMAND_NAMES = SESSION_COMMANDS
#: Session states, then what a headset says it is doing.
STATE_NAMES = {**SESSION_STATES, "playing": "speelt", "idle": "wacht", "syncing": "downloaden"}


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB" if n >= 10_000_000 else f"{n / 1_000_000:.1f} MB".replace(".", ",")


def sync_text(status: dict) -> str:
    """'downloaden 40 % (120 MB van 300 MB)' while a headset fetches scenes, 'klaar' once it has them."""
    sync = status.get("sync") or {}
    if sync.get("state") == "downloading":
        done, total = int(sync.get("done_bytes") or 0), int(sync.get("total_bytes") or 0)
        percent = int(done * 100 / total) if total else 0
        return f"downloaden {percent} % ({megabytes(done)} van {megabytes(total)})"
    if sync.get("state") == "failed":
        return "downloaden mislukt; hij probeert het opnieuw"
    if sync.get("state") == "ready":
        return "klaar"
    return ""


def contexts_of(user: StaffUser) -> list[str]:
    """The use contexts ``user`` runs sessions in (admin: all)."""
    return [c for c in CONTEXT_ROLES if may_run_context(user.role, c)]


def _push(db, live: Live, commands) -> None:
    messages = [(c.headset_id, command_message(c)) for c in commands if c is not None]
    after_commit(db, lambda: [live.send(h, m) for h, m in messages])


def headset_view(headset: Headset, live: Live, titles: dict[str, str]) -> dict:
    status = live.view(headset.id)
    position = status.get("position_s")
    return {"id": headset.id, "name": headset.name, "online": status["online"],
            "state": STATE_NAMES.get(status.get("state") or "", status.get("state") or ""),
            "scene": titles.get(status.get("bundle_key") or "", ""), "bundle_key": status.get("bundle_key"),
            "time": f"{int(position // 60)}:{int(position % 60):02d}" if position is not None else "",
            "battery": headset.battery, "group_id": headset.group_id, "sync": sync_text(status),
            "shared": headset.context is None,
            "session_id": status.get("session_id")}


def _live_headsets(db, live: Live, user: StaffUser) -> list[dict]:
    """The headsets ``user`` starts sessions on (their context's and the shared ones), live."""
    headsets = fleet.list_headsets(db, contexts=headset_scope(user.role))
    titles = reports.scene_titles(db, (live.view(h.id).get("bundle_key") for h in headsets))
    return [headset_view(h, live, titles) for h in headsets]


def _session_for(db, user: StaffUser, session_id: int) -> Session:
    session = session_control.get_session(db, session_id)
    if not may_run_context(user.role, session.context):
        raise PageForbidden(user, "sessions.run")
    return session


@router.get("/sessies")
def sessions_page(request: Request, db: DbDep, live: LiveDep, user: Runner):
    contexts = contexts_of(user)
    offered = [p for p in playlists.list_playlists(db) if p.context in contexts]
    open_sessions = reports.open_sessions(db, contexts)
    headsets = _live_headsets(db, live, user)
    by_id = {h["id"]: h for h in headsets}
    scope = headset_scope(user.role)
    return render(request, "sessions.html", user, {
        "contexts": contexts, "playlists": offered, "headsets": headsets, "groups": fleet.list_groups(db, scope),
        "open_sessions": [(s, by_id.get(s.headset_id)) for s in open_sessions],
        "recent": reports.recent_sessions(db, contexts, limit=10), "command_names": COMMAND_NAMES,
        "state_names": STATE_NAMES, "routes": ROUTES, "levels": MBO_LEVELS, "years": YEARS, "languages": LANGUAGES,
        "profiles": list(PROFILES), "pairing_codes": fleet.outstanding_pairing_codes(db, scope), "now": utcnow(),
        "owner_choices": owner_choices(user)})


def why_not(headset: Headset, playlist: Playlist, live: Live, settings: Settings) -> str | None:
    """Why a session cannot start on ``headset`` now, in words for the page; None when it can."""
    if headset.revoked_at is not None:
        return f"{headset.name} is ontkoppeld; koppel hem opnieuw met een koppelcode"
    if not live.view(headset.id)["online"]:
        return f"{headset.name} is offline; zet hem aan en open /headset in zijn browser"
    versions = playlists.playlist_versions(playlist)
    if not versions:
        return f"afspeellijst {playlist.name} heeft nog geen gepubliceerde scènes"
    needed, unplayable = bytes_to_fetch(headset, versions, settings.bundles_dir)
    if len(unplayable) == len(versions):
        return f"{headset.name} ({headset.profile}) kan geen scène van {playlist.name} afspelen"
    if headset.free_bytes is not None and needed > headset.free_bytes:
        return (f"{headset.name} heeft te weinig opslag: nodig {megabytes(needed)}, vrij {megabytes(headset.free_bytes)}; "
                "verwijder andere afspeellijsten van de headset of kies een kortere")
    return None


def _choice(value: str, allowed: dict) -> object | None:
    """A form's select value among ``allowed``'s keys ('' is no choice), or ValueError."""
    if not value:
        return None
    key = int(value) if value.isascii() and value.isdigit() else value
    if key not in allowed:
        raise ValueError(value)
    return key


@router.post("/sessies/start")
def start_sessions(form: FormDep, db: DbDep, live: LiveDep, settings: SettingsDep, user: Runner,
                   _csrf: CsrfChecked, playlist_id: Annotated[int, Form(ge=1, le=MAX_ID)],
                   headset_ids: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]], Form()] = [],  # noqa: B006
                   group_id: Annotated[str, Form()] = "", record_head_direction: Annotated[str, Form()] = "",
                   head_direction_asked: Annotated[str, Form()] = "", route: Annotated[str, Form()] = "",
                   level: Annotated[str, Form()] = "", year: Annotated[str, Form()] = "",
                   language: Annotated[str, Form()] = "nl", back_to: Annotated[str, Form()] = "/sessies"):
    """Start the playlist on each chosen headset that can take it; say which could not, and why.

    Learner codes come per headset (``learner_code_<id>``; ``learner_code`` for a single one)."""
    back_to = back_to if back_to in ("/sessies", "/klas") or back_to.startswith("/klas?") else "/sessies"
    playlist = playlists.get_playlist(db, playlist_id)
    if not may_run_context(user.role, playlist.context):
        return back(back_to, fout=f"Je rol mag geen {USE_CONTEXTS[playlist.context]}-sessies starten.")
    try:
        learner = {"route": _choice(route, ROUTES), "level": _choice(level, MBO_LEVELS), "year": _choice(year, YEARS)}
    except ValueError:
        return back(back_to, fout="Kies een leerweg, niveau en leerjaar uit de lijst (of laat ze leeg).")
    if language not in LANGUAGES:
        return back(back_to, fout="Kies de taal in de headset uit de lijst.")
    if playlist.context == "sollicitatie":
        head = False  # never in an interview
    elif head_direction_asked or record_head_direction:
        head = bool(record_head_direction)  # the box was on the page: unchecked means no
    else:
        head = None  # a form without the box: the context's default
    if group_id:
        if not (group_id.isascii() and group_id.isdigit()) or not 1 <= int(group_id) <= MAX_ID:
            return back(back_to, fout="Kies een groep uit de lijst.")
        group = fleet.get_group(db, int(group_id))
        if refused := refusal(user.role, group):
            return back(back_to, fout=f"Niet gestart: {refused}.")
        headsets = [h for h in group.headsets if h.revoked_at is None]
    else:
        headsets = [fleet.get_headset(db, hid) for hid in dict.fromkeys(headset_ids)]
        if refused := "; ".join(r for h in headsets if (r := refusal(user.role, h))):
            return back(back_to, fout=f"Niet gestart: {refused}.")
    if not headsets:
        return back(back_to, fout="Kies minstens één headset of een groep (met headsets).")
    refused = {h.id: reason for h in headsets if (reason := why_not(h, playlist, live, settings))}
    ready = [h for h in headsets if h.id not in refused]
    if not ready:
        return back(back_to, fout="Niet gestart: " + "; ".join(refused.values()) + ".")
    run = uuid.uuid4().hex if len(ready) > 1 else None
    started = []
    for h in ready:
        code = clean_code(str(form.get(f"learner_code_{h.id}") or (form.get("learner_code") if len(headsets) == 1 else "")
                              or "")) or None
        try:
            started.append(session_control.start_session(db, context=playlist.context, learner_code=code, headset=h,
                                               playlist=playlist, started_by=user, run=run,
                                               record_head_direction=head, language=language, **learner))
        except CatalogError as error:
            refused[h.id] = f"{h.name}: {error.one_line()}"
    _push(db, live, [session_control.start_command(db, s) for s in started])
    not_started = ("Niet gestart: " + "; ".join(refused.values()) + ".") if refused else None
    if len(started) == 1 and back_to == "/sessies":
        return back(f"/sessies/{started[0].id}", melding="Sessie gestart.", fout=not_started)
    return back(back_to, melding="1 sessie gestart." if len(started) == 1 else f"{len(started)} sessies gestart.",
                fout=not_started)


def owner_choices(user: StaffUser) -> dict[str, str]:
    """Whom the admin may give a new headset to ('' is shared); others enrol for their own context."""
    if user.role != "admin":
        return {}
    return {"": "Gedeeld (iedereen die sessies leidt)", **{c: USE_CONTEXTS[c] for c in CONTEXT_ROLES}}


def pairing_code_message(db, user: StaffUser, naam: str, profiel: str, groep: str, hoort_bij: str = "") -> dict:
    """The flash for a pairing-code form (sessions page and Beheer): the code and how to use it, or why not.
    The headset belongs to the context of whoever makes the code; the admin says (``hoort_bij``)."""
    if profiel not in PROFILES:
        return {"fout": "Kies het type headset uit de lijst."}
    if user.role == "admin":
        if hoort_bij not in owner_choices(user):
            return {"fout": "Kies bij 'Hoort bij' een context uit de lijst."}
        context = hoort_bij or None
    else:
        context = own_context(user.role)
    group = next((g for g in fleet.list_groups(db) if g.name == groep.strip()), None) if groep.strip() else None
    if group is not None and (refused := refusal(user.role, group, manage=True)):
        return {"fout": f"Geen koppelcode gemaakt: {refused}."}
    try:
        code, row = fleet.pairing_code_for(db, headset_name=naam, profile=profiel, group_name=groep, context=context,
                                           created_by=user)
    except CatalogError as error:
        return {"fout": error.one_line()}
    minutes = int((row.expires_at - row.created_at).total_seconds() // 60)
    return {"melding": f"Koppelcode voor {row.headset_name}: {code} — open /headset in de browser van de headset "
                       f"en typ hem daar binnen {minutes} minuten in."}


@router.post("/sessies/koppelcode")
def pairing_code(db: DbDep, user: Runner, _csrf: CsrfChecked, naam: Annotated[str, Form()],
                 profiel: Annotated[str, Form()], groep: Annotated[str, Form()] = "",
                 hoort_bij: Annotated[str, Form()] = ""):
    """A pairing code for a new headset, made by whoever runs the session (shown once)."""
    return back("/sessies#koppelen", **pairing_code_message(db, user, naam, profiel, groep, hoort_bij))


@router.post("/sessies/koppelcode/{code_id}/intrekken")
def withdraw_pairing_code(code_id: Id, db: DbDep, user: Runner, _csrf: CsrfChecked):
    """Only codes of one's own context (the admin: any): others are not on one's page either."""
    try:
        row = fleet.withdraw_pairing_code(db, code_id, headset_scope(user.role))
    except CatalogError as error:
        return back("/sessies#koppelen", fout=error.one_line())
    return back("/sessies#koppelen", melding=f"De koppelcode voor {row.headset_name} is ingetrokken.")


@router.post("/sessies/{session_id}/commando")
def command(request: Request, session_id: Id, db: DbDep, live: LiveDep, user: Runner, _csrf: CsrfChecked,
            command: Annotated[str, Form()], back_to: Annotated[str, Form()] = ""):
    session = _session_for(db, user, session_id)
    target = back_to if back_to.startswith("/sessies") or back_to.startswith("/klas") else f"/sessies/{session_id}"
    if command not in COMMAND_NAMES:
        return back(target, fout="Onbekende opdracht.")
    try:
        _push(db, live, [session_control.control_one(db, session, command, by=user)])
    except Conflict as exc:
        return back(target, fout=exc.one_line())
    return back(target, melding=f"{COMMAND_NAMES[command]}: verstuurd.")


@router.post("/sessies/{session_id}/notitie")
def add_note(request: Request, session_id: Id, db: DbDep, live: LiveDep, user: Runner, _csrf: CsrfChecked,
             text: Annotated[str, Form(max_length=4000)], scene: Annotated[str, Form()] = ""):
    """A note, filed under the scene the member of staff picked (the one playing, unless they chose)."""
    session = _session_for(db, user, session_id)
    if not text.strip():
        return back(f"/sessies/{session_id}", fout="Een lege notitie is niet bewaard.")
    playlist_keys = {v.bundle_key for v in playlists.playlist_versions(session.playlist)} if session.playlist else set()
    if scene and scene not in playlist_keys:
        return back(f"/sessies/{session_id}#notities", fout="Kies een scène uit de afspeellijst van deze sessie.")
    bundle_key = scene or (_playing(live, session) if session.headset_id else None)
    reports.add_note(db, session, text, author=user, bundle_key=bundle_key)
    return back(f"/sessies/{session_id}#notities", melding="Notitie bewaard.")


@router.get("/sessies/live.json")
def live_json(db: DbDep, live: LiveDep, user: Runner) -> JSONResponse:
    """Live status of every headset, and the state of every open or recent session (a session
    another member of staff stopped shows "gestopt"), for the page's script: ``sessions`` the
    Dutch label, ``session_states`` the state itself. Pages ask three times a second."""
    contexts = contexts_of(user)
    sessions = {s.id: s.state for s in reports.recent_sessions(db, contexts, limit=50)}
    sessions.update({s.id: s.state for s in reports.open_sessions(db, contexts)})
    return JSONResponse({"headsets": _live_headsets(db, live, user),
                         "sessions": {str(k): STATE_NAMES.get(v, v) for k, v in sessions.items()},
                         "session_states": {str(k): v for k, v in sessions.items()}},
                        headers={"Cache-Control": "no-store"})


@router.get("/sessies/{session_id}/live.json")
def session_live_json(session_id: Id, db: DbDep, live: LiveDep, user: Runner) -> JSONResponse:
    session = _session_for(db, user, session_id)
    status = live.view(session.headset_id) if session.headset_id else {"online": False}
    key = status.get("bundle_key") if status.get("session_id") in (None, session.id) else None
    return JSONResponse({"state": STATE_NAMES.get(session.state, session.state), "state_key": session.state,
                         "online": status["online"],
                         "scene": reports.scene_titles(db, [key]).get(key or "", ""),
                         "prompts": reports.scene_prompts(db, key, session.context)})


def _playing(live: Live, session: Session) -> str | None:
    """The bundle key the session's headset reports playing for this session, if any."""
    status = live.view(session.headset_id)
    return status.get("bundle_key") if status.get("session_id") in (None, session.id) else None


def has_profile(settings: Settings, db, name: str) -> bool:
    """Whether the team profile page can show script ``name`` (its file or a published build reads)."""
    try:
        load_profile(settings, db, name)
    except HTTPException:
        return False
    return True


@router.get("/sessies/{session_id}")
def session_page(request: Request, session_id: Id, db: DbDep, live: LiveDep, settings: SettingsDep, user: Runner):
    session = _session_for(db, user, session_id)
    view = None
    key = None
    if session.headset is not None:
        key = _playing(live, session)
        view = headset_view(session.headset, live, reports.scene_titles(db, [key]))
    playing = key
    playlist_scenes = playlists.playlist_versions(session.playlist) if session.playlist else []
    if key is None and playlist_scenes:  # not reported yet: the playlist's first scene is what starts
        key = playlist_scenes[0].bundle_key
    notes = reports.notes_of(db, session)
    query = urlencode({"route": session.route or "", "niveau": session.level or "", "jaar": session.year or "",
                       "context": session.context})
    profiles = [(name, f"/teamprofiel/{quote(name)}?{query}")
                for name in dict.fromkeys(v.scene.script.name for v in playlist_scenes) if has_profile(settings, db, name)]
    titles = reports.scene_titles(db, [key, *(n.bundle_key for n in notes), *(v.bundle_key for v in playlist_scenes)])
    return render(request, "session.html", user, {
        "session": session, "headset": view, "prompts": reports.scene_prompts(db, key, session.context),
        "prompt_scene": titles.get(key or "", ""), "playing": playing, "titles": titles,
        "playlist_scenes": playlist_scenes, "notes": notes, "learner_terms": (ROUTES, MBO_LEVELS, YEARS),
        "profiles": profiles,
        "timeline": reports.timeline(db, session), "command_names": COMMAND_NAMES, "state_names": STATE_NAMES})
