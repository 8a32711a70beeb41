"""What the staff pages and reports read about sessions: the open ones, notes, one session's
timeline, usage counts, and the exports (CSV rows, xAPI statements).

Every function that lists sessions takes ``contexts``: the use contexts the reader may see
(HR's interviews are not a teacher's business); ``None`` means all (admin).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession, selectinload

from catalog.models import Event, Headset, Scene, SceneVersion, Script, Session, SessionNote, StaffUser, utcnow
from catalog.playlists import title_of
from zorgblik.terms import COMMANDS_DONE, EVENT_KINDS, SESSION_END_REASONS, STAFF_ROLES, label


def _in_contexts(stmt, contexts: Iterable[str] | None):
    return stmt if contexts is None else stmt.where(Session.context.in_(list(contexts)))


# sessions as staff see them ---------------------------------------------------------------------
def open_sessions(db: DbSession, contexts: Iterable[str] | None = None) -> list[Session]:
    """Sessions not stopped yet, newest first."""
    stmt = select(Session).where(Session.state != "stopped").order_by(Session.id.desc())
    return list(db.scalars(_in_contexts(stmt, contexts)))


def recent_sessions(db: DbSession, contexts: Iterable[str] | None = None, limit: int = 20) -> list[Session]:
    stmt = select(Session).order_by(Session.id.desc()).limit(limit)
    return list(db.scalars(_in_contexts(stmt, contexts)))


def scene_titles(db: DbSession, bundle_keys: Iterable[str | None]) -> dict[str, str]:
    """Dutch title per bundle key (the scene's manifest title)."""
    keys = [k for k in set(bundle_keys) if k]
    if not keys:
        return {}
    rows = db.scalars(select(SceneVersion).where(SceneVersion.bundle_key.in_(keys)))
    return {v.bundle_key: title_of(v) for v in rows}


def scene_prompts(db: DbSession, bundle_key: str | None, context: str) -> list[str]:
    """The conversation prompts of a scene for ``context`` (a prompt without contexts fits every one)."""
    if not bundle_key:
        return []
    version = db.scalar(select(SceneVersion).where(SceneVersion.bundle_key == bundle_key))
    if version is None:
        return []
    out = []
    for prompt in version.manifest.prompts:
        if not prompt.contexts or context in prompt.contexts:
            out.append(prompt.text.get("nl") or next(iter(prompt.text.values()), ""))
    return [p for p in out if p]


def add_note(db: DbSession, session: Session, text: str, *, author: StaffUser | None = None,
             bundle_key: str | None = None) -> SessionNote:
    note = SessionNote(session_id=session.id, author_id=author.id if author else None, bundle_key=bundle_key,
                       text=text.strip())
    db.add(note)
    db.flush()
    return note


def notes_of(db: DbSession, session: Session) -> list[SessionNote]:
    return list(db.scalars(select(SessionNote).where(SessionNote.session_id == session.id).order_by(SessionNote.id)))


@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    offset_s: float
    kind: str
    scene: str | None
    detail: str


def _detail(session: Session, e: Event) -> str:
    """What the timeline says beside an event's kind, in Dutch."""
    if e.kind == "hotspot_open":
        return str(e.data.get("hotspot", ""))
    if e.kind == "panel_show":
        return str(e.data.get("kind", ""))
    if e.kind == "command":
        done = label(COMMANDS_DONE, e.data.get("command"))
        role = e.data.get("role")
        return f"{done} door {label(STAFF_ROLES, role)}" if role else done
    if e.kind == "session_end":
        if e.data.get("by") == "service" and session.end_reason:
            return label(SESSION_END_REASONS, session.end_reason)
        return str(e.data.get("reason") or "")
    return ""


def timeline(db: DbSession, session: Session) -> list[TimelineStep]:
    """One session's events and notes in time order (head direction left out: it is a stream, not a step)."""
    events = db.scalars(select(Event).where(Event.session_id == session.id, Event.kind != "head_direction")
                        .order_by(Event.at, Event.id))
    versions = {v.id: v for v in db.scalars(select(SceneVersion).join(Event, Event.scene_version_id == SceneVersion.id)
                                            .where(Event.session_id == session.id))}
    steps = []
    for e in events:
        version = versions.get(e.scene_version_id)
        title = title_of(version) if version else None
        steps.append(TimelineStep(e.at, (e.at - session.started_at).total_seconds(), label(EVENT_KINDS, e.kind),
                                  title, _detail(session, e)))
    notes = notes_of(db, session)
    titles = scene_titles(db, (n.bundle_key for n in notes))
    for n in notes:
        steps.append(TimelineStep(n.created_at, (n.created_at - session.started_at).total_seconds(), "notitie",
                                  titles.get(n.bundle_key or ""), n.text))
    return sorted(steps, key=lambda s: s.at)


# usage ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return datetime.combine(self.start, datetime.min.time()), datetime.combine(self.end + timedelta(days=1),
                                                                                   datetime.min.time())

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> "Period":
        today = today or utcnow().date()
        return cls(today - timedelta(days=days - 1), today)


@dataclass
class Usage:
    """Sessions and scene views in a period, counted four ways."""

    period: Period
    sessions: int = 0
    by_context: Counter = None  # type: ignore[assignment]
    by_category: Counter = None  # type: ignore[assignment]
    by_scene: Counter = None  # type: ignore[assignment]
    by_week: Counter = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        for name in ("by_context", "by_category", "by_scene", "by_week"):
            if getattr(self, name) is None:
                setattr(self, name, Counter())


def sessions_in(db: DbSession, period: Period, contexts: Iterable[str] | None = None,
                context: str | None = None) -> list[Session]:
    start, end = period.bounds
    stmt = (select(Session).where(Session.started_at >= start, Session.started_at < end)
            .options(selectinload(Session.events)).order_by(Session.started_at))
    if context:
        stmt = stmt.where(Session.context == context)
    return list(db.scalars(_in_contexts(stmt, contexts)))


def usage(db: DbSession, period: Period, contexts: Iterable[str] | None = None, context: str | None = None,
          category: str | None = None) -> Usage:
    """Sessions per context and per ISO week; scene views (a scene started) per care category and scene."""
    result = Usage(period)
    versions = {v.id: v for v in db.scalars(select(SceneVersion).options(
        selectinload(SceneVersion.scene).selectinload(Scene.script)))}
    for session in sessions_in(db, period, contexts, context):
        views = [versions[e.scene_version_id] for e in session.events
                 if e.kind == "scene_start" and e.scene_version_id in versions]
        if category and not any(v.scene.script.care_category == category for v in views):
            continue
        result.sessions += 1
        result.by_context[session.context] += 1
        year, week, _ = session.started_at.isocalendar()
        result.by_week[f"{year}-W{week:02d}"] += 1
        for v in views:
            if category and v.scene.script.care_category != category:
                continue
            result.by_category[v.scene.script.care_category] += 1
            result.by_scene[title_of(v)] += 1
    return result


def care_categories(db: DbSession) -> list[str]:
    return sorted(set(db.scalars(select(Script.care_category))))


# exports ----------------------------------------------------------------------------------------
CSV_COLUMNS = ("session_id", "context", "learner_code", "headset", "started_at", "ended_at", "state", "end_reason",
               "scenes_started", "hotspots_opened", "notes")


def csv_rows(db: DbSession, period: Period, contexts: Iterable[str] | None = None) -> list[dict]:
    """One row per session in the period (the learner as their pseudonymous code)."""
    headsets = {h.id: h.name for h in db.scalars(select(Headset))}
    rows = []
    for s in sessions_in(db, period, contexts):
        kinds = Counter(e.kind for e in s.events)
        notes = db.scalar(select(SessionNote.id).where(SessionNote.session_id == s.id).limit(1))
        rows.append({"session_id": s.id, "context": s.context, "learner_code": s.learner_code or "",
                     "headset": headsets.get(s.headset_id, "") if s.headset_id else "",
                     "started_at": s.started_at.isoformat(timespec="seconds") + "Z",
                     "ended_at": s.ended_at.isoformat(timespec="seconds") + "Z" if s.ended_at else "",
                     "state": s.state, "end_reason": label(SESSION_END_REASONS, s.end_reason) if s.end_reason else "",
                     "scenes_started": kinds["scene_start"],
                     "hotspots_opened": kinds["hotspot_open"], "notes": "ja" if notes else "nee"})
    return rows


XAPI_VERBS = {
    "session_start": ("http://adlnet.gov/expapi/verbs/initialized", "initialized"),
    "session_end": ("http://adlnet.gov/expapi/verbs/terminated", "terminated"),
    "scene_start": ("http://adlnet.gov/expapi/verbs/experienced", "experienced"),
    "scene_end": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "hotspot_open": ("http://adlnet.gov/expapi/verbs/interacted", "interacted"),
    "interrupted": ("http://adlnet.gov/expapi/verbs/suspended", "suspended"),
    "rejoined": ("http://adlnet.gov/expapi/verbs/resumed", "resumed"),
}
_NAMESPACE = uuid.UUID("6f1b2c44-0d1e-4c43-9b7a-5a3e0c1d2e3f")  # stable statement ids: re-exporting sends no duplicates


def xapi_statements(db: DbSession, period: Period, *, homepage: str, contexts: Iterable[str] | None = None) -> list[dict]:
    """xAPI 1.0.3 statements for the school's learning record store: one per session event (not head
    direction), the learner as an account on ``homepage`` named by their pseudonymous code. Sessions
    without a learner code are left out (nobody to attribute them to)."""
    versions = {v.id: v for v in db.scalars(select(SceneVersion).options(
        selectinload(SceneVersion.scene).selectinload(Scene.script)))}
    out = []
    for s in sessions_in(db, period, contexts):
        if not s.learner_code:
            continue
        for e in s.events:
            if e.kind not in XAPI_VERBS:
                continue
            verb_id, verb = XAPI_VERBS[e.kind]
            version = versions.get(e.scene_version_id)
            if version is not None:
                obj_id = f"{homepage}/scenes/{version.scene.script.name}/{version.scene.slug}"
                name = title_of(version)
            else:
                obj_id, name = f"{homepage}/sessions/{s.id}", f"VR-sessie ({s.context})"
            statement = {
                "id": str(uuid.uuid5(_NAMESPACE, e.event_id)),
                "actor": {"objectType": "Agent", "account": {"homePage": homepage, "name": s.learner_code}},
                "verb": {"id": verb_id, "display": {"nl-NL": verb, "en-US": verb}},
                "object": {"objectType": "Activity", "id": obj_id,
                           "definition": {"name": {"nl-NL": name},
                                          "type": "http://adlnet.gov/expapi/activities/simulation"}},
                "timestamp": e.at.isoformat(timespec="milliseconds") + "Z",
                "context": {"registration": str(uuid.uuid5(_NAMESPACE, f"session-{s.id}")),
                            "platform": "zorgblik",
                            "extensions": {f"{homepage}/xapi/context": s.context}},
            }
            if version is not None:
                statement["context"]["extensions"][f"{homepage}/xapi/care-category"] = version.scene.script.care_category
            out.append(statement)
    return out
