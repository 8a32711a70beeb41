"""Dependencies the route handlers declare; the app factory puts the real objects on app.state.

The database session is function-scoped: it commits when the handler returns, before the
response goes out (so a client that reads right after a write sees it), and it is closed
before a bundle file starts streaming. Work that must only happen once the change is committed
(pushing a command to a headset) is registered with :func:`after_commit`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session as DbSession
from starlette.datastructures import FormData

from catalog.db import begin_write

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
    """A request's unit of work: it reads first (the sign-in check); a handler that writes takes the
    write lock itself (UnitOfWorkRoute)."""
    with request.app.state.catalog.session(read_first=True) as db:
        yield db
    for action in db.info.pop("after_commit", []):
        action()


class UnitOfWorkRoute(APIRoute):
    """A route whose handler writes in a short transaction of its own. SQLite has one writer at a
    time, and a transaction that read first (the sign-in check, in a dependency) cannot wait for the
    write lock when it writes later ("database is locked" at once). So a plain (``def``) handler of
    a method that may write (not GET/HEAD) first ends the reading and takes the write lock
    (:func:`catalog.db.begin_write`), waiting for it in its own worker thread, and commits before it
    returns, in that thread: the lock is never held while a request waits for a thread (50 headsets
    posting at once then queue for it, instead of timing out)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any):
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        wants_db = "db" in inspect.signature(endpoint).parameters
        if wants_db and methods - {"GET", "HEAD"}:
            if inspect.iscoroutinefunction(endpoint):  # it would write in a transaction that read first
                raise TypeError(f"{endpoint.__qualname__}: a handler that may write is a plain def (read the form "
                                "with FormDep), so it takes the write lock before it reads what it writes from")
            endpoint = _in_a_write_transaction(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _in_a_write_transaction(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def handler(*args: Any, **kwargs: Any) -> Any:
        db: DbSession = kwargs["db"]
        begin_write(db)
        result = endpoint(*args, **kwargs)
        db.commit()
        return result

    return handler


async def read_form(request: Request) -> FormData:
    """The posted form, read in the event loop, for a plain handler (Starlette keeps it parsed)."""
    return await request.form()


def after_commit(db: DbSession, action: Callable[[], None]) -> None:
    db.info.setdefault("after_commit", []).append(action)


#: The highest row id SQLite holds (a signed 64-bit INTEGER); a larger one cannot even be bound to a
#: query (OverflowError, a 500), so ids are checked where they come in.
MAX_ID = 2**63 - 1
#: A row id in a path (``/api/sessions/{session_id}``): past the range it is a 422, not a crash.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
#: The same for a row id in the query string.
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]

SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[DbSession, Depends(get_db, scope="function")]
FormDep = Annotated[FormData, Depends(read_form)]
LiveDep = Annotated[Live, Depends(get_live)]
ClassroomDep = Annotated[Classroom, Depends(get_classroom)]
