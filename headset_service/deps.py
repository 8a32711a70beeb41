"""Dependencies the route handlers declare; the app factory puts the real objects on app.state.

The database session is function-scoped: it commits when the handler returns, before the
response goes out (so a client that reads right after a write sees it), and it is closed
before a bundle file starts streaming. Work that must only happen once the change is committed
(pushing a command to a headset) is registered with :func:`after_commit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session as DbSession

from headset_service.classroom import Classroom
from headset_service.live import Live
from zorgblik.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_live(request: Request) -> Live:
    return request.app.state.live


async def get_classroom(request: Request) -> Classroom:
    return request.app.state.classroom


def get_db(request: Request) -> Iterator[DbSession]:
    with request.app.state.catalog.session() as db:
        yield db
    for action in db.info.pop("after_commit", []):
        action()


def after_commit(db: DbSession, action: Callable[[], None]) -> None:
    db.info.setdefault("after_commit", []).append(action)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[DbSession, Depends(get_db, scope="function")]
LiveDep = Annotated[Live, Depends(get_live)]
ClassroomDep = Annotated[Classroom, Depends(get_classroom)]
