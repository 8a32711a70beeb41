"""Privacy sign-off: no scene showing someone without consent is published unseen.

A scene version needs a sign-off before :func:`catalog.queries.publish` lets it out when
:func:`signoff_reasons` gives any reason:

- its bundle has no privacy summary (built before the privacy pass: nobody can vouch for it);
- the privacy pass blurred faces (a person checks on the review sheet that it caught them all);
- its footage's consent register is not all ``given`` (someone refused, withdrew or is unknown,
  or nobody is on record) — the same rule as ``capture.consent.consent_state``.

    reasons = signoff_reasons(version)          # [] : may be published as it is
    sign_off(db, version, by="Anne (comms)")    # after looking at review.png
    latest_version(db, "de-linde-ouderenzorg/huiskamer")   # what 'privacy signoff SCRIPT/SCENE' signs
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from catalog.errors import Conflict, NotFound
from catalog.models import PrivacySignoff, Scene, SceneVersion, Script, StaffUser, utcnow


def scene_ref(version: SceneVersion) -> str:
    """How people name a scene version: script/scene versie N."""
    return f"{version.scene.script.name}/{version.scene.slug} versie {version.number}"


def signoff_reasons(version: SceneVersion) -> list[str]:
    """Why ``version`` needs a sign-off before publishing (Dutch, one phrase each); [] when it does not."""
    privacy = version.manifest.privacy
    reasons = []
    if privacy is None:
        reasons.append("de bundel is niet door de privacycontrole gegaan")
    elif privacy.blurred_faces:
        reasons.append(f"{privacy.blurred_faces} gezicht(en) vervaagd")
    consents = version.footage.consents
    if not consents:
        reasons.append("geen toestemming vastgelegd voor deze opname")
    elif any(c.status != "given" for c in consents):
        missing = sum(c.status != "given" for c in consents)
        reasons.append(f"{missing} gefilmde perso(o)n(en) zonder toestemming")
    return reasons


def signoff_for(db: DbSession, version: SceneVersion) -> PrivacySignoff | None:
    return db.scalar(select(PrivacySignoff).where(PrivacySignoff.scene_version_id == version.id))


def sign_off(db: DbSession, version: SceneVersion, *, by: str, user: StaffUser | None = None,
             when: datetime | None = None) -> PrivacySignoff:
    """Record that ``by`` looked at ``version``'s review sheet and agrees it may be published.
    Signing a version again returns the first sign-off."""
    by = (by or "").strip()
    if not by:
        raise Conflict("aftekenen kan alleen met een naam", hint="geef aan wie het reviewblad bekeek (--by NAAM)")
    if version.status == "withdrawn":
        raise Conflict(f"scène {scene_ref(version)} is teruggetrokken; aftekenen heeft geen zin",
                       hint="bouw de scène opnieuw en teken de nieuwe versie af")
    existing = signoff_for(db, version)
    if existing is not None:
        return existing
    signoff = PrivacySignoff(version=version, signed_by=by[:255], staff_user_id=user.id if user else None,
                             signed_at=when or utcnow(), reasons=signoff_reasons(version))
    db.add(signoff)
    db.flush()
    return signoff


def latest_version(db: DbSession, scene_ref: str) -> SceneVersion:
    """The newest draft or published version of ``scene_ref`` (``script/scene``)."""
    script_name, _, slug = scene_ref.partition("/")
    scene = db.scalar(select(Scene).join(Script).where(Script.name == script_name, Scene.slug == slug))
    live = [v for v in (scene.versions if scene else []) if v.status != "withdrawn"]
    if not live:
        raise NotFound(f"scène {scene_ref} heeft geen versie om af te tekenen",
                       hint="geef SCRIPT/SCENE zoals 'zorgblik build' ze toont, en bouw eerst")
    return live[-1]
