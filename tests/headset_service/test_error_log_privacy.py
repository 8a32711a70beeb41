"""A database error reaches the server log ("unexpected error"): its text may not carry the SQL
parameters, which hold learner codes, notes and event data (issue #14, item 17b)."""

from __future__ import annotations

import asyncio
import logging

import httpx

from fastapi import FastAPI
from sqlalchemy import text

from catalog.db import make_engine
from headset_service.errors import install_error_handlers

SECRET = "LEERLING-GEHEIM-7Q"


def test_a_database_error_is_logged_without_its_parameters(tmp_path, caplog):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/kapot")
    def broken():
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO bestaat_niet (code) VALUES (:code)"), {"code": SECRET})

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://zorgblik") as client:
            return await client.get("/kapot")

    with caplog.at_level(logging.ERROR):
        assert asyncio.run(get()).status_code == 500
    logged = "\n".join(r.getMessage() + "\n" + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
                       for r in caplog.records)
    assert "unexpected error" in logged and "bestaat_niet" in logged
    assert SECRET not in logged
    caplog.clear()  # the ERROR was this test's own doing
    engine.dispose()
