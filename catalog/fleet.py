"""The fleet: headsets, their groups, enrolment, and what each headset may hold.

    pairing code ──(pair)──► headset + device token       (staff makes the code; the headset trades it)
    playlist (per use context) ──► group / headset         (assignments; playlists in catalog.playlists)
    published scene versions of those playlists ──► what a headset may hold (sync)

Sessions on headsets and their commands are :mod:`catalog.session_control`; what happens in a
session, :mod:`catalog.event_log`.

Tokens and codes are random and kept only as their sha256 (:func:`catalog.accounts.token_sha256`).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from collections.abc import Iterable

from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session as DbSession, selectinload

from catalog.accounts import token_sha256
from catalog.errors import CatalogError, Conflict, NotFound
from catalog.models import Headset, HeadsetGroup, PairingCode, Playlist, PlaylistItem, SceneVersion, StaffUser, utcnow
from catalog.playlists import playlist_versions
from zorgblik.terms import USE_CONTEXTS, label

DEVICE_TOKEN_PREFIX = "zbh_"
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud from a screen
PAIRING_LENGTH = 8  # 40 bits, single use, valid for PAIRING_LIFETIME
PAIRING_LIFETIME = timedelta(minutes=15)


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


def withdraw_pairing_code(db: DbSession, code_id: int, contexts: Iterable[str] | None = None) -> PairingCode:
    """Make an unused code unusable at once (it is deleted: it names nothing but a headset to be);
    with ``contexts``, only a code for a headset of one of them."""
    row = db.get(PairingCode, code_id)
    if row is None or row.used_at is not None or (contexts is not None and row.context not in contexts):
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


def record_inventory(db: DbSession, headset: Headset, *, bundle_keys: list[str], free_bytes: int | None,
                     battery: int | None, now: datetime | None = None) -> None:
    headset.inventory = sorted(set(bundle_keys))
    headset.free_bytes, headset.battery = free_bytes, battery
    headset.last_sync_at = headset.last_seen_at = now or utcnow()
