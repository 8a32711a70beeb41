"""Made together: a script's scenes are published only once the school side (opleiding) and the
practice side (praktijk) both approved its profile as it reads now.

An approval records a name, a role (free text: "docent zorg", "praktijkopleider"), the date and
``profile_sha256``, the hash of the script's profile (:func:`scripts_vr.digest.profile_sha256`:
everything but the scenes). It counts only while the profile is unchanged: when a save from the
page, a build or the script page sees another profile, :func:`profile_seen` marks the older
approvals withdrawn, with the reason. The privacy sign-off is separate (:mod:`catalog.signoffs`).

    approve(db, "de-linde", side="praktijk", by="Marieke de Vries", role="praktijkopleider",
            profile_sha256=h)
    current(db, "de-linde", h)        -> {"opleiding": ScriptApproval | None, "praktijk": ...}
    missing_sides(db, "de-linde", h)  -> ["opleiding"]
    profile_seen(db, "de-linde", h, reason="...")   withdraws approvals of another profile
    history(db, "de-linde")           -> every approval, newest first (withdrawn ones too)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.errors import Conflict
from catalog.models import ScriptApproval, StaffUser, utcnow
from zorgblik.terms import APPROVAL_SIDES


def approve(db: DbSession, script_name: str, *, side: str, by: str, role: str, profile_sha256: str,
            user: StaffUser | None = None, when: datetime | None = None) -> ScriptApproval:
    """Record that ``by`` (in ``role``) approves the profile with this hash for ``side``. Approving
    the same profile for the same side again returns the approval that stands."""
    by, role = (by or "").strip(), (role or "").strip()
    if side not in APPROVAL_SIDES:
        raise Conflict(f"onbekende kant {side!r}; kies {' of '.join(APPROVAL_SIDES)}")
    if not by or not role:
        raise Conflict("goedkeuren kan alleen met een naam en een rol",
                       hint="bijv. naam 'Jan Jansen', rol 'docent zorg' of 'praktijkopleider'")
    standing = current(db, script_name, profile_sha256)[side]
    if standing is not None:
        return standing
    approval = ScriptApproval(script_name=script_name, side=side, approved_by=by[:255], role=role[:255],
                              staff_user_id=user.id if user else None, approved_at=when or utcnow(),
                              profile_sha256=profile_sha256)
    db.add(approval)
    db.flush()
    return approval


def _standing(db: DbSession, script_name: str) -> list[ScriptApproval]:
    return list(db.scalars(select(ScriptApproval).where(ScriptApproval.script_name == script_name,
                                                        ScriptApproval.withdrawn_at.is_(None))
                           .order_by(ScriptApproval.id)))


def current(db: DbSession, script_name: str, profile_sha256: str) -> dict[str, ScriptApproval | None]:
    """Per side, the approval that counts for the profile with this hash (None: not approved).
    The team-profile page shows these."""
    found: dict[str, ScriptApproval | None] = dict.fromkeys(APPROVAL_SIDES)
    for approval in _standing(db, script_name):
        if approval.profile_sha256 == profile_sha256:
            found[approval.side] = approval
    return found


def missing_sides(db: DbSession, script_name: str, profile_sha256: str) -> list[str]:
    return [side for side, approval in current(db, script_name, profile_sha256).items() if approval is None]


def profile_seen(db: DbSession, script_name: str, profile_sha256: str, *, reason: str,
                 when: datetime | None = None) -> list[ScriptApproval]:
    """The script's profile now has this hash: withdraw every standing approval of another one,
    with ``reason`` (Dutch, e.g. "profiel gewijzigd op de pagina door Anouk"). Returns them."""
    withdrawn = [a for a in _standing(db, script_name) if a.profile_sha256 != profile_sha256]
    for approval in withdrawn:
        approval.withdrawn_at = when or utcnow()
        approval.withdrawn_reason = reason[:255]
    db.flush()
    return withdrawn


def history(db: DbSession, script_name: str, limit: int = 20) -> list[ScriptApproval]:
    return list(db.scalars(select(ScriptApproval).where(ScriptApproval.script_name == script_name)
                           .order_by(ScriptApproval.id.desc()).limit(limit)))


def missing_message(script_name: str, sides: list[str]) -> str:
    """The Dutch refusal when publishing waits for approval from ``sides``."""
    named = " en ".join(f"de {APPROVAL_SIDES[s]}" for s in sides)
    return f"script {script_name} wordt niet gepubliceerd zonder goedkeuring van {named} voor het profiel zoals het nu is"


__all__ = ["APPROVAL_SIDES", "approve", "current", "history", "missing_message", "missing_sides", "profile_seen"]
