"""A ceiling on request bodies, per route: a 150 MB JSON to the public pairing endpoint was read
whole into memory before any check. Over the limit the answer is a 413 in the one error shape;
a stated Content-Length over it is refused before a byte is read (the handler never runs), and a
body without one (chunked) is counted as it arrives and cut off at the limit.

    app.add_middleware(BodyLimit, default=1_000_000, routes=[("PATCH", r"/api/uploads/[^/]+", None)])

``None`` leaves a route to its own limit (tus chunks stream to disk and are checked there).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from headset_service.errors import error_response


def _megabytes(n: int) -> str:
    return f"{round(n / 1_000_000, 1):g} MB".replace(".", ",")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its limit; FastAPI's handlers turn it into the 413."""

    def __init__(self, limit: int):
        super().__init__(413, f"verzoek te groot: hoogstens {_megabytes(limit)} per verzoek")


class BodyLimit:
    """Pure ASGI (no BaseHTTPMiddleware): the body is counted as it streams, never buffered here."""

    def __init__(self, app: ASGIApp, *, default: int,
                 routes: Iterable[tuple[str, str, int | None]] = ()) -> None:
        self.app = app
        self.default = default
        self.routes = [(method.upper(), re.compile(pattern), limit) for method, pattern, limit in routes]

    def limit_for(self, method: str, path: str) -> int | None:
        for want, pattern, limit in self.routes:
            if want == method and pattern.fullmatch(path):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (limit := self.limit_for(scope["method"], scope["path"])) is None:
            await self.app(scope, receive, send)
            return
        stated = dict(scope["headers"]).get(b"content-length", b"")
        if stated.isdigit() and int(stated) > limit:  # refused before reading: the handler never runs
            await error_response(413, BodyTooLarge(limit).detail)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:  # read outside FastAPI's handlers (a middleware, a raw stream)
            if started:
                raise
            await error_response(413, exc.detail)(scope, receive, send)
