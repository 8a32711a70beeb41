"""What the service sends and takes, declared once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UseContext = Literal["intake", "sollicitatie", "werkveldorientatie"]
EventKind = Literal["session_start", "session_end", "scene_start", "scene_end", "hotspot_open", "head_direction"]


class ScenePublic(BaseModel):
    bundle_key: str
    script: str
    scene: str
    version: int
    title: dict[str, str]
    media_kind: str
    stereo: str
    profile: str
    duration_s: float | None
    contexts: list[str]
    manifest_url: str
    poster_url: str
    player_url: str


class SignoffPublic(BaseModel):
    """A privacy sign-off: who looked at a scene version's review sheet, when, and why it was needed."""

    bundle_key: str
    scene: str  # script/scene versie N
    signed_by: str
    signed_at: datetime
    reasons: list[str]


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: UseContext
    learner_code: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                     description="a pseudonymous code, never a name")
    headset_id: int | None = Field(None, description="the headset it runs on; it gets a start command")
    playlist_id: int | None = Field(None, description="a playlist of the same context, assigned to the headset")
    record_head_direction: bool | None = Field(
        None, description="default: yes, except in sollicitatie (candidates are not judged by where they looked)")


class SessionPublic(BaseModel):
    id: int
    context: str
    learner_code: str | None
    headset_id: int | None
    playlist_id: int | None
    run: str | None
    state: str
    record_head_direction: bool
    started_at: datetime
    ended_at: datetime | None


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_id: str = Field(min_length=8, max_length=64, description="chosen by the sender; a retry sends the same id")
    kind: EventKind
    at: datetime
    bundle_key: str | None = None
    data: dict = Field(default_factory=dict)


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[EventIn] = Field(min_length=1, max_length=500)


class EventBatchResult(BaseModel):
    received: int
    stored: int
    skipped: int = Field(description="stored before (a retry), head direction not recorded, or above 5 Hz")


# staff -----------------------------------------------------------------------------------------
Role = Literal["admin", "comms", "author", "intake", "hr", "teacher"]
SessionCommand = Literal["pause", "resume", "stop", "recenter", "next"]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: Role
    password: str = Field(min_length=10, max_length=1024)
    display_name: str = Field("", max_length=255)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(None, min_length=10, max_length=1024)
    display_name: str | None = Field(None, max_length=255)


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    last_login_at: datetime | None


class LoginResult(BaseModel):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; browsers get it as a cookie")
    user: UserPublic


# headsets --------------------------------------------------------------------------------------
class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)


class GroupPublic(BaseModel):
    id: int
    name: str
    headset_ids: list[int]
    playlist_ids: list[int]


class PairingCodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255, description="what staff call the headset, e.g. 'Quest 07'")
    profile: str = Field(description="the headset profile it plays: quest2, quest3, pico4, web")
    group_id: int | None = None


class PairingCodePublic(BaseModel):
    code: str = Field(description="type it on the headset; single use")
    expires_at: datetime


class PairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=32)


class PairResult(BaseModel):
    headset_id: int
    name: str
    profile: str
    token: str = Field(description="the device token, shown once; send as 'Authorization: Bearer <token>'")


class HeadsetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=255)
    group_id: int | None = None
    profile: str | None = None


class HeadsetPublic(BaseModel):
    id: int
    name: str
    profile: str
    group_id: int | None
    playlist_ids: list[int]
    enrolled_at: datetime
    revoked_at: datetime | None
    last_sync_at: datetime | None
    inventory: list[str]
    free_bytes: int | None
    battery: int | None
    live: dict = Field(description="online, via (websocket | polling), and the last reported state, scene, position")


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    playlist_ids: list[int]


# playlists -------------------------------------------------------------------------------------
class SceneRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    script: str
    scene: str


class PlaylistCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    context: UseContext
    scenes: list[SceneRef] = Field(default_factory=list)


class PlaylistScenes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenes: list[SceneRef]


class PlaylistPublic(BaseModel):
    id: int
    name: str
    context: str
    scenes: list[SceneRef]
    published: list[str] = Field(description="bundle keys a headset holds for this playlist, in order")


# sync ------------------------------------------------------------------------------------------
class InventoryReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bundles: list[str] = Field(default_factory=list, max_length=10_000,
                               description="bundle keys held complete, every file's sha256 verified")
    free_bytes: int | None = Field(None, ge=0)
    battery: int | None = Field(None, ge=0, le=100, description="percent")


class InventoryResult(BaseModel):
    remove: list[str] = Field(description="bundle keys to delete now (withdrawn, or no longer assigned)")
    missing: list[str] = Field(description="bundle keys still to download")


class HeadsetStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["idle", "playing", "paused", "waiting"] = "idle"
    session_id: int | None = None
    bundle_key: str | None = None
    position_s: float | None = Field(None, ge=0)
    yaw: float | None = Field(None, ge=-360, le=360, description="where the viewer looks (degrees, scene); only "
                              "while the session records head direction, for meekijken")
    pitch: float | None = Field(None, ge=-90, le=90)
    ack: int | None = Field(None, description="the id of the last command carried out")


class CommandPublic(BaseModel):
    id: int
    command: str
    session_id: int | None
    payload: dict


# sessions --------------------------------------------------------------------------------------
class GroupSessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: UseContext
    playlist_id: int


class SessionCommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: SessionCommand
