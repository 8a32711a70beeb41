"""A class in step: the sessions a group started together (they share ``Session.run``), and the
run a group is in now. The live timing of a run (scene index, start time) is not stored: it is in
memory in ``headset_service.classroom``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.fleet import playlist_versions
from catalog.models import Headset, HeadsetGroup, Session


@dataclass(frozen=True)
class RunPlan:
    """What the service needs to run a class in step: who is in it and what they play."""

    run: str
    context: str
    sessions: dict[int, int]  # session id → headset id, open sessions only
    scenes: list[str]  # bundle keys in playlist order


def run_plan(db: DbSession, run: str) -> RunPlan | None:
    """The open sessions of ``run`` and its playlist's scenes; None when none is open."""
    rows = list(db.scalars(select(Session).where(Session.run == run, Session.state != "stopped",
                                                 Session.headset_id.is_not(None)).order_by(Session.id)))
    if not rows:
        return None
    first = rows[0]
    scenes = [v.bundle_key for v in playlist_versions(first.playlist)] if first.playlist else []
    return RunPlan(run=run, context=first.context, sessions={s.id: s.headset_id for s in rows}, scenes=scenes)


def run_of_session(db: DbSession, session_id: int, headset_id: int) -> str | None:
    """The run of an open session on ``headset_id`` (None: no such session, or not in a run)."""
    return db.scalar(select(Session.run).where(Session.id == session_id, Session.headset_id == headset_id,
                                               Session.state != "stopped"))


def group_run(db: DbSession, group: HeadsetGroup) -> str | None:
    """The newest run with an open session on one of the group's headsets."""
    return db.scalar(select(Session.run).join(Headset, Session.headset_id == Headset.id)
                     .where(Headset.group_id == group.id, Session.run.is_not(None), Session.state != "stopped")
                     .order_by(Session.id.desc()).limit(1))
