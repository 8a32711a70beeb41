"""Every query the other packages make; route handlers and the CLI call these, never SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from catalog import approvals
from catalog.errors import ApprovalRequired, Conflict, NotFound, SignoffRequired
from catalog.models import Consent, Footage, Scene, SceneVersion, Script, ScriptVersion, utcnow
from catalog.signoffs import scene_ref, signoff_for, signoff_reasons
from zorgblik.bundle import BundleManifest


# footage ---------------------------------------------------------------------------------------
def footage_by_sha256(db: DbSession, sha256: str) -> Footage | None:
    return db.scalar(select(Footage).where(Footage.sha256 == sha256))


def footage_by_ref(db: DbSession, kind: str, value: str) -> Footage | None:
    """The footage a script names as ``footage:<id>`` (kind ``catalog``) or ``sha256:<hex>``."""
    if kind == "catalog":
        number = int(value) if value.isascii() and value.isdigit() else -1
        return db.get(Footage, number) if 0 <= number < 2**63 else None  # SQLite cannot bind a larger id
    if kind == "sha256":
        return footage_by_sha256(db, value)
    return None


def get_footage(db: DbSession, footage_id: int) -> Footage:
    footage = db.get(Footage, footage_id)
    if footage is None:
        raise NotFound(f"footage {footage_id} bestaat niet", hint="zie 'zorgblik capture list'")
    return footage


def list_footage(db: DbSession) -> list[Footage]:
    return list(db.scalars(select(Footage).order_by(Footage.id)))


# consent (the rules live in capture.consent) -----------------------------------------------------
def consent_for(db: DbSession, footage_id: int, person: str) -> Consent | None:
    return db.scalar(select(Consent).where(Consent.footage_id == footage_id, Consent.person == person))


def add_consent(db: DbSession, footage: Footage, *, person: str, role: str, status: str, form_ref: str | None) -> Consent:
    consent = Consent(footage=footage, person=person, role=role, status=status, form_ref=form_ref)
    db.add(consent)
    db.flush()
    return consent


def consents_of_person(db: DbSession, person: str, *, footage_id: int | None = None) -> list[Consent]:
    """Everything on record for ``person``, optionally for one footage item only."""
    stmt = select(Consent).where(Consent.person == person)
    if footage_id is not None:
        stmt = stmt.where(Consent.footage_id == footage_id)
    return list(db.scalars(stmt.order_by(Consent.footage_id, Consent.id)))


# scripts and scenes ----------------------------------------------------------------------------
def record_script_version(db: DbSession, *, name: str, organisation: str, care_category: str, sha256: str, source: str) -> ScriptVersion:
    """The version of script ``name`` with this text, created if new."""
    script = db.scalar(select(Script).where(Script.name == name))
    if script is None:
        script = Script(name=name, organisation=organisation, care_category=care_category)
        db.add(script)
        db.flush()
    script.organisation, script.care_category = organisation, care_category
    version = db.scalar(select(ScriptVersion).where(ScriptVersion.script_id == script.id, ScriptVersion.sha256 == sha256))
    if version is None:
        version = ScriptVersion(script=script, sha256=sha256, source=source)
        db.add(version)
        db.flush()
    return version


def scene_for(db: DbSession, script: Script, slug: str, position: int) -> Scene:
    scene = db.scalar(select(Scene).where(Scene.script_id == script.id, Scene.slug == slug))
    if scene is None:
        scene = Scene(script=script, slug=slug, position=position)
        db.add(scene)
        db.flush()
    scene.position = position
    return scene


def record_scene_version(
    db: DbSession, *, scene: Scene, bundle_key: str, script_version: ScriptVersion, footage: Footage, title: str,
    manifest: BundleManifest,
) -> SceneVersion:
    """The scene version for this bundle; building the same bundle again returns the existing one."""
    existing = db.scalar(select(SceneVersion).where(SceneVersion.bundle_key == bundle_key))
    if existing is not None:
        return existing
    number = (db.scalar(select(func.max(SceneVersion.number)).where(SceneVersion.scene_id == scene.id)) or 0) + 1
    version = SceneVersion(
        scene=scene, number=number, bundle_key=bundle_key, script_version_id=script_version.id,
        footage=footage, title=title, manifest=manifest,
    )
    db.add(version)
    db.flush()
    return version


def publish(db: DbSession, version: SceneVersion, when: datetime | None = None) -> None:
    """Publish ``version``; the scene's previously published version steps back to draft.

    Every way of publishing (``zorgblik build --publish``, the API, the demo) comes through here:
    a withdrawn version is refused, and so is one that shows someone without consent until a
    person has signed its review sheet off (:mod:`catalog.signoffs`), and one whose script's
    profile lacks a current approval of the school or the practice (:func:`require_approvals`)."""
    if version.status == "withdrawn":
        raise Conflict(f"scène {scene_ref(version)} is teruggetrokken en kan niet opnieuw gepubliceerd worden",
                       hint="bouw de scène opnieuw; de nieuwe versie kan gepubliceerd worden")
    reasons = signoff_reasons(version)
    if reasons and signoff_for(db, version) is None:
        script, scene = version.scene.script.name, version.scene.slug
        raise SignoffRequired(
            f"scène {scene_ref(version)} wordt niet gepubliceerd zonder privacy-aftekening ({'; '.join(reasons)})",
            hint=f"bekijk eerst het reviewblad (bundles/{version.bundle_key}/review.png of "
                 f"GET /api/scenes/{version.bundle_key}/review-sheet) en teken dan af: "
                 f"zorgblik privacy signoff {script}/{scene} --by NAAM",
        )
    require_approvals(db, version)
    for other in version.scene.versions:
        if other.id != version.id and other.status == "published":
            other.status = "draft"
    version.status = "published"
    version.published_at = when or utcnow()


def require_approvals(db: DbSession, version: SceneVersion) -> None:
    """Refuse (:class:`ApprovalRequired`) unless both sides approved the profile ``version`` was
    built from. Every script version whose text is a VR script is held to this; only a text that
    does not say it is one (a test's synthetic bundle, which no build can make) is not."""
    from scripts_vr.digest import is_vr_script_text, profile_sha256_of_text
    from scripts_vr.errors import ScriptError

    source, name = db.get(ScriptVersion, version.script_version_id).source, version.scene.script.name
    if not is_vr_script_text(source):
        return
    try:
        profile = profile_sha256_of_text(source, file=name)
    except ScriptError:
        raise ApprovalRequired(f"het profiel van {scene_ref(version)} is niet meer te lezen; er is niets om goed te keuren",
                               sides=list(approvals.APPROVAL_SIDES), hint="bouw het script opnieuw") from None
    missing = approvals.missing_sides(db, name, profile)
    if missing:
        raise ApprovalRequired(
            approvals.missing_message(name, missing), sides=missing,
            hint=f"laat het profiel goedkeuren op de scriptpagina of met: zorgblik script approve {name} "
                 f"--side {missing[0]} --by NAAM --role ROL")


def published_scene_versions(db: DbSession) -> list[SceneVersion]:
    stmt = (
        select(SceneVersion)
        .join(Scene)
        .join(Script)
        .where(SceneVersion.status == "published")
        .order_by(Script.name, Scene.position)
    )
    return list(db.scalars(stmt))


def live_scene_versions_of_footage(db: DbSession, footage_ids: list[int]) -> list[SceneVersion]:
    """The draft and published scene versions made from any of ``footage_ids``."""
    stmt = (select(SceneVersion).where(SceneVersion.footage_id.in_(footage_ids), SceneVersion.status != "withdrawn")
            .order_by(SceneVersion.id))
    return list(db.scalars(stmt))


def scene_version_by_bundle_key(db: DbSession, bundle_key: str) -> SceneVersion:
    version = db.scalar(select(SceneVersion).where(SceneVersion.bundle_key == bundle_key))
    if version is None:
        raise NotFound(f"scène {bundle_key} bestaat niet")
    return version


def withdraw(db: DbSession, version: SceneVersion, when: datetime | None = None) -> None:
    """Take ``version`` off every headset at its next sync; it can no longer be published again."""
    version.status = "withdrawn"
    version.withdrawn_at = when or utcnow()
