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


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    context: UseContext
    learner_code: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                     description="a pseudonymous code, never a name")


class SessionPublic(BaseModel):
    id: int
    context: str
    learner_code: str | None
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
