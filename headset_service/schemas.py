"""What the service sends and takes, declared once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zorgblik.bundle import BundleFile
from zorgblik.terms import EventKind, Language, MboLevel, Route, SessionCommand, StaffRole, UseContext

#: A row id sent in a body: SQLite's ids are signed 64-bit, and a larger number crashed the query
#: (OverflowError binding it) instead of being refused.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]



class ScenePublic(BaseModel):
    bundle_key: str
    script: str
    scene: str
    version: int
    title: dict[str, str]
    media_kind: str
    stereo: str
    projection: str = "equirectangular"  # or "equirectangular-vr180" (zorgblik.terms.VR180)
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
    headset_id: RowId | None = Field(None, description="the headset it runs on; it gets a start command")
    playlist_id: RowId | None = Field(None, description="a playlist of the same context; the headset gets it if it lacks it")
    record_head_direction: bool | None = Field(
        None, description="default: yes; never in sollicitatie (candidates are not judged by where they looked)")
    route: Route | None = Field(None, description="the learner's route; decides which expectations the headset shows")
    level: MboLevel | None = None
    year: Annotated[int, Field(ge=1, le=4)] | None = Field(None, description="leerjaar")
    language: Language = Field("nl", description="what the headset shows the session in (the script's words where it has them)")


class SessionPublic(BaseModel):
    id: int
    context: str
    learner_code: str | None
    route: str | None = None
    level: int | None = None
    year: int | None = None
    language: str = "nl"
    headset_id: int | None
    playlist_id: int | None
    run: str | None
    state: str
    record_head_direction: bool
    started_at: datetime
    ended_at: datetime | None


#: What an event's ``data`` may take, serialised as JSON: players send a hotspot name or a head
#: direction (tens of bytes), so this only stops a sender filling the catalog.
MAX_EVENT_DATA_BYTES = 16 << 10
#: The same for all events of one batch together (500 head-direction samples are some 15 KB).
MAX_BATCH_DATA_BYTES = 1 << 20


def data_bytes(data: dict) -> int:
    """The size of ``data`` as the catalog stores it (JSON, UTF-8)."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_id: str = Field(min_length=8, max_length=64, description="chosen by the sender; a retry sends the same id")
    kind: EventKind
    at: datetime
    bundle_key: str | None = None
    data: dict = Field(default_factory=dict, description=f"at most {MAX_EVENT_DATA_BYTES // 1024} KB as JSON")

    @field_validator("event_id")
    @classmethod
    def _not_the_services(cls, value: str) -> str:
        if value.startswith("svc-"):
            raise ValueError("event ids beginnend met 'svc-' zijn van de service zelf")
        return value

    @field_validator("data")
    @classmethod
    def _small(cls, value: dict) -> dict:
        if (size := data_bytes(value)) > MAX_EVENT_DATA_BYTES:
            raise ValueError(f"data van een event mag hoogstens {MAX_EVENT_DATA_BYTES // 1024} KB zijn (JSON), "
                             f"deze is {size} bytes")
        return value


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[EventIn] = Field(min_length=1, max_length=500,
                                  description=f"data of all events together at most {MAX_BATCH_DATA_BYTES >> 20} MB as JSON")

    @field_validator("events")
    @classmethod
    def _small(cls, events: list[EventIn]) -> list[EventIn]:
        if (size := sum(data_bytes(e.data) for e in events)) > MAX_BATCH_DATA_BYTES:
            raise ValueError(f"data van alle events samen mag hoogstens {MAX_BATCH_DATA_BYTES >> 20} MB zijn (JSON), "
                             f"deze batch is {size} bytes; stuur kleinere batches")
        return events


class EventBatchResult(BaseModel):
    received: int
    stored: int
    skipped: int = Field(description="stored before (a retry), head direction not recorded, or above 5 Hz")


# staff -----------------------------------------------------------------------------------------
Role = StaffRole


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: Role
    password: str = Field(max_length=1024, description="the password rules (catalog.passwords) answer 400, in Dutch")
    display_name: str = Field("", max_length=255)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(None, max_length=1024, description="as for a new account")
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
OWNER = ("the use context it belongs to: its staff use and change it; null: shared (every session role "
         "uses it, the admin changes it). Staff who run one context get their own; the admin chooses.")


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    context: UseContext | None = Field(None, description=OWNER)


class GroupPublic(BaseModel):
    id: int
    name: str
    context: str | None = Field(description=OWNER)
    headset_ids: list[int]
    playlist_ids: list[int]


class PairingCodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255, description="what staff call the headset, e.g. 'Quest 07'")
    profile: str = Field(description="the headset profile it plays: quest2, quest3, pico4, web")
    group_id: RowId | None = None
    context: UseContext | None = Field(None, description=OWNER)


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
    group_id: RowId | None = None
    profile: str | None = None
    context: UseContext | None = Field(None, description="admin only: " + OWNER)


class HeadsetPublic(BaseModel):
    id: int
    name: str
    profile: str
    context: str | None = Field(description=OWNER)
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
    playlist_ids: list[RowId]


# playlists -------------------------------------------------------------------------------------
class SceneRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    script: str
    scene: str


class PlaylistItemIn(SceneRef):
    """A scene of a playlist, with how long a photo stays and whether the headset waits at its end."""

    photo_seconds: float | None = Field(None, gt=0, le=600,
                                        description="photos only: seconds before the next scene; empty: until 'verder'")
    wait_for_staff: bool | None = Field(None, description="hold at the scene's end for the begeleider; "
                                                          "empty: the context's default (on in werkveldoriëntatie)")


class PlaylistCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    context: UseContext
    route: Route | None = Field(None, description="BOL | BBL; empty: every route the context is for")
    level: MboLevel | None = Field(None, description="mbo level 1-4; empty: every level")
    scenes: list[PlaylistItemIn] = Field(default_factory=list)


class PlaylistUpdate(BaseModel):
    """Only the fields sent change; ``route``/``level`` sent as null mean "any"."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=255)
    route: Route | None = None
    level: MboLevel | None = None


class PlaylistScenes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenes: list[PlaylistItemIn]


class PlaylistItemPublic(SceneRef):
    bundle_key: str | None = Field(description="its published version; empty: none published (skipped on headsets)")
    photo_seconds: float | None
    wait_for_staff: bool | None = Field(description="as chosen; empty: the context's default")
    waits: bool = Field(description="whether the headset holds at the scene's end, the default resolved")


class PlaylistPublic(BaseModel):
    id: int
    name: str
    context: str
    route: str | None
    level: int | None
    scenes: list[SceneRef]
    items: list[PlaylistItemPublic]
    published: list[str] = Field(description="bundle keys a headset holds for this playlist, in order")


# sync ------------------------------------------------------------------------------------------
MAX_BYTES = 1 << 50  # a petabyte: more free storage than any headset or station reports is a wrong number


class DeviceInfo(BaseModel):
    """What a headset (its browser) or a station (its OS) says of itself; a value it cannot give
    is null with the reason beside it (e.g. 'browser geeft geen accustand')."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    battery: int | None = Field(None, ge=0, le=100, description="percent")
    charging: bool | None = None
    battery_reason: str | None = Field(None, max_length=200, description="why there is no battery level")
    free_bytes: int | None = Field(None, ge=0, le=MAX_BYTES)
    storage_reason: str | None = Field(None, max_length=200, description="why there is no free storage")


class SyncFile(BundleFile):
    """A bundle file a headset should hold, with where to fetch it (``/bundles/{key}/{name}``)."""

    url: str


class SyncBundle(BaseModel):
    """A scene bundle in a headset's sync manifest: only the files for the headset's profile, plus
    the shared ones (poster, captions, hotspots, the bundle's manifest.json)."""

    bundle_key: str
    script: str
    scene: str = Field(description="the scene's slug in its script")
    version: int
    title: dict[str, str]
    media_kind: str
    stereo: str
    rendition: str = Field(description="the profile of the rendition this headset plays")
    bytes: int
    files: list[SyncFile]


class SyncPlaylist(BaseModel):
    id: int
    name: str
    context: str | None
    scenes: list[str] = Field(description="bundle keys, in play order (a scene this headset cannot play left out)")


class SyncHeadset(BaseModel):
    id: int
    name: str
    profile: str


class Unplayable(BaseModel):
    bundle_key: str
    reason: str


class SyncManifest(BaseModel):
    """What a headset should hold now (``GET /api/device/manifest``), written by
    :func:`headset_service.sync.build_manifest` and read by the station through this model; the
    WebXR player reads the same JSON."""

    format: Literal["zorgblik-sync/1"] = "zorgblik-sync/1"
    headset: SyncHeadset
    playlists: list[SyncPlaylist]
    bundles: list[SyncBundle]
    total_bytes: int
    unplayable: list[Unplayable]
    remove: list[str] = Field(description="bundle keys to delete (withdrawn, or no longer assigned)")
    profiles: dict[str, dict] = Field(description="per script of the bundles, its profile as panels per language")

    def body(self) -> bytes:
        """The JSON a headset is sent: deterministic, so the same state gives the same ETag."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode()


class InventoryReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bundles: list[str] = Field(default_factory=list, max_length=10_000,
                               description="bundle keys held complete, every file's sha256 verified")
    free_bytes: int | None = Field(None, ge=0, le=MAX_BYTES)
    battery: int | None = Field(None, ge=0, le=100, description="percent")
    device: DeviceInfo | None = Field(None, description="battery and storage with the reason when missing")


class InventoryResult(BaseModel):
    remove: list[str] = Field(description="bundle keys to delete now (withdrawn, or no longer assigned)")
    missing: list[str] = Field(description="bundle keys still to download")


class SyncProgress(BaseModel):
    """How far a headset is with fetching the scenes it needs (bytes of the files it misses)."""

    model_config = ConfigDict(extra="forbid")
    state: Literal["downloading", "ready", "failed"]
    done_bytes: int = Field(0, ge=0, le=2**50)
    total_bytes: int = Field(0, ge=0, le=2**50)


class HeadsetStatus(BaseModel):
    """Where the headset is now; sent every few seconds (its heartbeat). Numbers from a device are
    checked here: finite and in range (a ``position_s`` of Infinity is refused)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    state: Literal["idle", "syncing", "playing", "paused", "waiting"] = "idle"
    session_id: RowId | None = None
    bundle_key: str | None = Field(None, max_length=64)
    position_s: float | None = Field(None, ge=0, le=86_400)
    yaw: float | None = Field(None, ge=-360, le=360, description="where the viewer looks (degrees, scene); only "
                              "while the session records head direction, for meekijken")
    pitch: float | None = Field(None, ge=-90, le=90)
    sync: SyncProgress | None = Field(None, description="while it fetches scenes for a session, and once it has them")
    ack: int | None = Field(None, ge=0, le=2**63 - 1, description="the id of the last command carried out")
    device: DeviceInfo | None = Field(None, description="battery and storage, now and then")


class CommandPublic(BaseModel):
    id: int
    command: str
    session_id: int | None
    payload: dict


class ClassMessage(BaseModel):
    """What a class headset tells the service (over HTTP when it has no WebSocket); see
    headset_service.classroom."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    type: Literal["loaded", "join"]
    session_id: RowId
    index: int | None = Field(None, ge=0, le=10_000)
    rtt_ms: float | None = Field(None, ge=0, le=60_000)
    start_ms: float | None = Field(None, ge=0, le=60_000)


class ClassCue(BaseModel):
    """The class's current cue for one session: load scene ``index``, play it so that it is at 0:00
    at service time ``at_ms``, or hold it at ``position_s``; ``server_ms``: the service's time now."""

    type: Literal["load", "play_at", "hold"]
    session_id: int
    index: int
    at_ms: float | None = None
    position_s: float | None = None
    server_ms: float


class RejoinPublic(BaseModel):
    """A headset page that lost its session (reloaded, restarted) takes it up again from this."""

    session_id: int
    command_id: int = Field(description="the session's start command; a page that has not carried it out waits for it")
    payload: dict = Field(description="the start command's payload: scenes, items, context, learner, language, run")
    index: int | None = Field(description="the scene it was in (the last it started); None: none started yet")
    position_s: float | None = Field(description="where in that scene it last said it was; None: from the start")
    paused: bool


# sessions --------------------------------------------------------------------------------------
class GroupSessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: UseContext
    playlist_id: RowId
    language: Language = "nl"


class SessionCommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: SessionCommand
