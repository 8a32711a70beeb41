"""One JSON error shape for every 4xx and 5xx the service sends::

    {"error": {"status": 404, "code": "not_found", "message": "scène x bestaat niet", "detail": null}}
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog import Conflict, NotFound
from zorgblik.errors import ZorgblikError

log = logging.getLogger(__name__)

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 416: "range_not_satisfiable", 422: "invalid", 429: "too_many_requests",
          500: "internal"}


#: Pydantic's words for the refusals a caller meets most (a number out of range, not a number), in Dutch.
_IN_DUTCH = {"int_parsing": "moet een geheel getal zijn", "int_from_float": "moet een geheel getal zijn",
             "less_than_equal": "mag hoogstens {le} zijn", "greater_than_equal": "moet minstens {ge} zijn",
             "missing": "ontbreekt"}


def _message(error: dict) -> str:
    text = _IN_DUTCH.get(error.get("type", ""))
    try:
        return text.format(**(error.get("ctx") or {})) if text else error.get("msg", "")
    except (KeyError, IndexError):
        return error.get("msg", "")


def error_body(status: int, message: str, detail: object = None, code: str | None = None) -> dict:
    return {"error": {"status": status, "code": code or _CODES.get(status, "error"), "message": message, "detail": detail}}


def error_response(status: int, message: str, detail: object = None, code: str | None = None, headers=None) -> JSONResponse:
    return JSONResponse(error_body(status, message, detail, code), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "fout")
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": _message(e)}
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"field": "", "message": "ongeldig verzoek"}
        return error_response(422, f"ongeldig verzoek: {first['field']}: {first['message']}", problems)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return error_response(404, exc.one_line())

    @app.exception_handler(Conflict)
    async def conflict(_request: Request, exc: Conflict) -> JSONResponse:
        return error_response(409, exc.one_line())

    @app.exception_handler(ZorgblikError)
    async def refused(_request: Request, exc: ZorgblikError) -> JSONResponse:
        return error_response(400, exc.one_line())

    @app.exception_handler(DataError)
    async def unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # a value the database cannot hold (PostgreSQL: a NUL character in a text, a number out of range)
        return error_response(400, "ongeldige invoer: de database kan deze waarde niet bewaren "
                                   "(bijvoorbeeld een NUL-teken); stuur de tekst zonder")

    @app.exception_handler(Exception)
    async def crashed(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, "interne fout; zie het serverlogboek")
