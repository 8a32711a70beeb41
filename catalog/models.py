"""The catalog's tables, declared once (SQLAlchemy 2, typed mappings).

    consents >── footage ──< scene_versions >── scenes >── scripts
                                    │   └──< privacy_signoffs (who looked at the review sheet)
                                    │              │
                  sessions ──< events     playlist_items >── playlists ──< group_playlists, headset_playlists
                     │
                     └──── headsets >── headset_groups        headsets ──< headset_commands, pairing_codes
                                                              staff_users ──< staff_logins
    sessions ──< session_notes        learner_outcomes (by learner code; no foreign key to sessions)
    script_saves, script_approvals (by script name: a script exists as a file before it is built)

Migrations in ``catalog/migrations`` create exactly these tables; a test compares the two.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Column, Float, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from zorgblik.bundle import BundleManifest


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ManifestJSON(TypeDecorator):
    """A bundle manifest stored as its JSON (the bundle's manifest.json), read back as a
    :class:`BundleManifest`."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else BundleManifest.model_validate(value).model_dump(mode="json")

    def process_result_value(self, value, dialect):
        return None if value is None else BundleManifest.model_validate(value)


class Footage(Base):
    """One original file in the content-addressed store."""

    __tablename__ = "footage"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    store_path: Mapped[str] = mapped_column(String(255), doc="relative to the store folder")
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_kind: Mapped[str] = mapped_column(String(16), doc="video | photo")
    codec: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    fps: Mapped[float | None]
    duration_s: Mapped[float | None]
    has_audio: Mapped[bool] = mapped_column(default=False)
    projection: Mapped[str] = mapped_column(String(32), doc="equirectangular | not_360 | ...")
    stereo: Mapped[str] = mapped_column(String(16), doc="mono | top-bottom | left-right")
    confidence: Mapped[float] = mapped_column(default=0.0)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    pose_yaw: Mapped[float] = mapped_column(default=0.0)
    pose_pitch: Mapped[float] = mapped_column(default=0.0)
    pose_roll: Mapped[float] = mapped_column(default=0.0)
    level_estimate: Mapped[dict | None] = mapped_column(
        JSON, doc="without a pose in the metadata: the level read from the picture, {yaw, pitch, roll, lines} in a "
                  "script's level terms, or {} when the picture gave too little; None when not estimated")
    probe: Mapped[dict] = mapped_column(JSON, default=dict)
    category: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    consents: Mapped[list["Consent"]] = relationship(back_populates="footage", order_by="Consent.id")


class Consent(Base):
    """Someone recognisably filmed in a footage item, and whether they consented.

    ``person`` is personal data: a reference the communications team can trace to the signed
    form (a name only where the organisation's own register uses names).
    """

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    footage_id: Mapped[int] = mapped_column(ForeignKey("footage.id"), index=True)
    person: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), doc="client | staff | student | visitor")
    status: Mapped[str] = mapped_column(String(16), doc="given | refused | unknown | withdrawn")
    form_ref: Mapped[str | None] = mapped_column(String(255), doc="reference of the signed consent form")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    footage: Mapped[Footage] = relationship(back_populates="consents")


class Script(Base):
    """A VR script: one per organisation and care category, identified by its file name."""

    __tablename__ = "scripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    organisation: Mapped[str] = mapped_column(String(255))
    care_category: Mapped[str] = mapped_column(String(64))
    versions: Mapped[list[ScriptVersion]] = relationship(back_populates="script", order_by="ScriptVersion.id")
    scenes: Mapped[list[Scene]] = relationship(back_populates="script", order_by="Scene.position")


class ScriptVersion(Base):
    """The exact text of a script each time it was built."""

    __tablename__ = "script_versions"
    __table_args__ = (UniqueConstraint("script_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("scripts.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    script: Mapped[Script] = relationship(back_populates="versions")


class Scene(Base):
    """A scene of a script, stable across its versions. ``slug`` is the scene's ``id`` in the script
    (a slug: "huiskamer"); render calls it ``scene_slug``, the manifest and the API ``scene``."""

    __tablename__ = "scenes"
    __table_args__ = (UniqueConstraint("script_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("scripts.id"))
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    script: Mapped[Script] = relationship(back_populates="scenes")
    versions: Mapped[list[SceneVersion]] = relationship(back_populates="scene", order_by="SceneVersion.number")


class SceneVersion(Base):
    """One built scene bundle: draft until published, withdrawn when it may no longer be shown."""

    __tablename__ = "scene_versions"
    __table_args__ = (UniqueConstraint("scene_id", "number"), UniqueConstraint("bundle_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"))
    number: Mapped[int] = mapped_column(Integer)
    bundle_key: Mapped[str] = mapped_column(String(64), doc="folder name under the bundles folder")
    script_version_id: Mapped[int] = mapped_column(ForeignKey("script_versions.id"))
    footage_id: Mapped[int] = mapped_column(ForeignKey("footage.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft", doc="draft | published | withdrawn")
    title: Mapped[str] = mapped_column(String(255))
    manifest: Mapped[BundleManifest] = mapped_column(ManifestJSON, doc="a copy of the bundle's manifest.json")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    scene: Mapped[Scene] = relationship(back_populates="versions")
    footage: Mapped[Footage] = relationship()

    @validates("manifest")
    def _typed(self, _key: str, manifest: BundleManifest | dict) -> BundleManifest:
        return BundleManifest.model_validate(manifest)


class PrivacySignoff(Base):
    """A person looked at a scene version's privacy review sheet and agreed it may be published
    (catalog.signoffs says when one is needed). One per version: a rebuild needs a new one."""

    __tablename__ = "privacy_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scene_version_id: Mapped[int] = mapped_column(ForeignKey("scene_versions.id"), unique=True)
    signed_by: Mapped[str] = mapped_column(String(255), doc="the name of who signed, as they gave it")
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), doc="when signed in the service")
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reasons: Mapped[list] = mapped_column(JSON, default=list, doc="why it was needed, as shown when signing")
    version: Mapped[SceneVersion] = relationship()


class Session(Base):
    """A headset session in one use context; the learner is a pseudonymous code, never a name."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    context: Mapped[str] = mapped_column(String(32), doc="intake | sollicitatie | werkveldorientatie")
    learner_code: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    headset_id: Mapped[int | None] = mapped_column(ForeignKey("headsets.id"), index=True)
    playlist_id: Mapped[int | None] = mapped_column(ForeignKey("playlists.id"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    run: Mapped[str | None] = mapped_column(String(32), doc="shared by the sessions a group started together")
    state: Mapped[str] = mapped_column(String(16), default="running", server_default="running",
                                       doc="running | paused | stopped")
    record_head_direction: Mapped[bool] = mapped_column(default=False, server_default=false(),
                                                        doc="off by default in interviews (sollicitatie)")
    route: Mapped[str | None] = mapped_column(String(8), doc="the learner's route (BOL | BBL), when staff said it")
    level: Mapped[int | None] = mapped_column(Integer, doc="the learner's mbo level (1-4), when staff said it")
    year: Mapped[int | None] = mapped_column(Integer, doc="the learner's year (leerjaar), when staff said it")
    language: Mapped[str] = mapped_column(String(8), default="nl", server_default="nl",
                                          doc="what the headset shows it in: nl | en (zorgblik.terms.LANGUAGES)")
    interrupted_at: Mapped[datetime | None] = mapped_column(doc="when its headset was last heard of, while 'onderbroken'")
    end_reason: Mapped[str | None] = mapped_column(String(64), doc="why it ended: stopped, finished, headset gone")
    # a tie (a scene_end and a session_end in the same millisecond) in the order they were stored
    events: Mapped[list[Event]] = relationship(back_populates="session", order_by="[Event.at, Event.id]")
    headset: Mapped[Headset | None] = relationship()
    playlist: Mapped[Playlist | None] = relationship()


class Event(Base):
    """Something that happened in a session; ``event_id`` is the sender's, so retries store once."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_session_kind_at", "session_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    kind: Mapped[str] = mapped_column(String(32))
    scene_version_id: Mapped[int | None] = mapped_column(ForeignKey("scene_versions.id"))
    at: Mapped[datetime]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    session: Mapped[Session] = relationship(back_populates="events")


# staff, headsets, playlists and session control ------------------------------------------------
class StaffUser(Base):
    """A member of staff who signs in; ``role`` decides what they may do (headset_service.auth)."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16), doc="admin | comms | author | intake | hr | teacher")
    password_hash: Mapped[str] = mapped_column(String(255), doc="Argon2id, in its own encoded form")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class StaffLogin(Base):
    """A signed-in browser or script: only the sha256 of its random token is kept."""

    __tablename__ = "staff_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user: Mapped[StaffUser] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins (or pairing-code guesses) of one account or address, and the lock they
    brought (catalog.throttle): kept in the database, so a restart or a second worker does not
    give a guesser a fresh start."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(320), primary_key=True,
                                     doc="account:<username> | login-address:<ip> | pair-address:<ip>")
    failures: Mapped[int] = mapped_column(default=0, doc="failures since the last quiet spell")
    locks: Mapped[int] = mapped_column(default=0, doc="locks since the last quiet spell: each one doubles")
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None] = mapped_column(index=True)


group_playlists = Table(
    "group_playlists", Base.metadata,
    Column("group_id", ForeignKey("headset_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("playlist_id", ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True),
)

headset_playlists = Table(
    "headset_playlists", Base.metadata,
    Column("headset_id", ForeignKey("headsets.id", ondelete="CASCADE"), primary_key=True),
    Column("playlist_id", ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True),
)


#: Headsets and groups belong to the use context whose staff enrolled them; None: shared, every
#: session role starts sessions on it and only the admin changes or revokes it.
OWNER_DOC = "the use context it belongs to (intake | sollicitatie | werkveldorientatie); None: shared"


class HeadsetGroup(Base):
    """Headsets that are used together: a class set, the intake cart, the HR kit."""

    __tablename__ = "headset_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    context: Mapped[str | None] = mapped_column(String(32), doc=OWNER_DOC)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    headsets: Mapped[list[Headset]] = relationship(back_populates="group", order_by="Headset.id")
    playlists: Mapped[list[Playlist]] = relationship(secondary=group_playlists, order_by="Playlist.id")


class Headset(Base):
    """An enrolled headset. Only the sha256 of its device token is kept; revoking clears nothing
    else, so its history stays."""

    __tablename__ = "headsets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    profile: Mapped[str] = mapped_column(String(32), doc="the headset profile it plays (render.profiles)")
    context: Mapped[str | None] = mapped_column(String(32), doc=OWNER_DOC)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("headset_groups.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]
    inventory: Mapped[list] = mapped_column(JSON, default=list, doc="bundle keys it holds, verified")
    free_bytes: Mapped[int | None] = mapped_column(BigInteger)
    battery: Mapped[int | None] = mapped_column(Integer, doc="percent")
    device_info: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}",
                                              doc="what the device says of itself, and why a value is missing")
    group: Mapped[HeadsetGroup | None] = relationship(back_populates="headsets")
    playlists: Mapped[list[Playlist]] = relationship(secondary=headset_playlists, order_by="Playlist.id")


class PairingCode(Base):
    """A short single-use code a member of staff makes; a headset trades it for a device token."""

    __tablename__ = "pairing_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    headset_name: Mapped[str] = mapped_column(String(255))
    profile: Mapped[str] = mapped_column(String(32))
    context: Mapped[str | None] = mapped_column(String(32), doc="the context the headset will belong to")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("headset_groups.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    headset_id: Mapped[int | None] = mapped_column(ForeignKey("headsets.id"))


class Playlist(Base):
    """Scenes in order, for one use context; headsets hold the published version of each."""

    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    context: Mapped[str] = mapped_column(String(32), doc="intake | sollicitatie | werkveldorientatie")
    route: Mapped[str | None] = mapped_column(String(8), doc="BOL | BBL; empty: every route")
    level: Mapped[int | None] = mapped_column(Integer, doc="mbo level 1-4; empty: every level")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    items: Mapped[list[PlaylistItem]] = relationship(back_populates="playlist", order_by="PlaylistItem.position",
                                                     cascade="all, delete-orphan")


class PlaylistItem(Base):
    __tablename__ = "playlist_items"
    __table_args__ = (UniqueConstraint("playlist_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id"))
    position: Mapped[int] = mapped_column(Integer)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"))
    photo_seconds: Mapped[float | None] = mapped_column(Float, doc="how long a photo stays; empty: until 'verder'")
    wait_for_staff: Mapped[bool | None] = mapped_column(doc="hold at the scene's end for the begeleider; "
                                                            "empty: the context decides (on in a class)")
    playlist: Mapped[Playlist] = relationship(back_populates="items")
    scene: Mapped[Scene] = relationship()


class HeadsetCommand(Base):
    """A session command for one headset (start, pause, resume, stop, recenter); its id orders
    them, so a headset that polls asks for those after the last it saw."""

    __tablename__ = "headset_commands"

    id: Mapped[int] = mapped_column(primary_key=True)
    headset_id: Mapped[int] = mapped_column(ForeignKey("headsets.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    command: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acked_at: Mapped[datetime | None]


# staff pages: notes during a session, and what became of a learner -----------------------------
class SessionNote(Base):
    """A remark staff typed during a session (an intake or interview), with the scene then on screen."""

    __tablename__ = "session_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    bundle_key: Mapped[str | None] = mapped_column(String(64), doc="the scene on screen when it was written")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LearnerOutcome(Base):
    """Per pseudonymous learner: did they start, and were they still enrolled after ``period_months``?
    A coordinator records it; the effect report compares learners with and without a VR session."""

    __tablename__ = "learner_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_code: Mapped[str] = mapped_column(String(64), unique=True)
    cohort: Mapped[str] = mapped_column(String(32), doc="e.g. 2026-2027")
    care_category: Mapped[str] = mapped_column(String(64))
    started: Mapped[bool] = mapped_column(default=False)
    enrolled_after: Mapped[bool | None] = mapped_column(doc="None: not known yet")
    period_months: Mapped[int] = mapped_column(Integer, default=6)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


# the VR script made in the browser, and approved by both sides ---------------------------------
class ScriptSave(Base):
    """A VR script saved from the staff pages: its whole text, who saved it and when. The file in
    the scripts folder stays the source of truth; these rows are its history."""

    __tablename__ = "script_saves"
    __table_args__ = (Index("ix_script_saves_name_id", "script_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    script_name: Mapped[str] = mapped_column(String(255), doc="the file name without .yaml")
    sha256: Mapped[str] = mapped_column(String(64))
    base_sha256: Mapped[str | None] = mapped_column(String(64), doc="the text the saver had opened")
    source: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(255))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScriptApproval(Base):
    """The school side (opleiding) or the practice side (praktijk) agreed to a script's profile as
    it then read (``profile_sha256``); withdrawn when the profile changes after it."""

    __tablename__ = "script_approvals"
    __table_args__ = (Index("ix_script_approvals_name", "script_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    script_name: Mapped[str] = mapped_column(String(255))
    side: Mapped[str] = mapped_column(String(16), doc="opleiding | praktijk")
    approved_by: Mapped[str] = mapped_column(String(255), doc="the name, as they gave it")
    role: Mapped[str] = mapped_column(String(255), doc="their role, e.g. docent zorg of praktijkopleider")
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    profile_sha256: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(255))
