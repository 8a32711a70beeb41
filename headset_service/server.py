"""Running the service on a real port in a background thread (the demo and the tests use it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from catalog import Catalog
from headset_service.app import create_app
from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings


class ServiceError(ZorgblikError):
    """The service could not start."""


def free_port(host: str, preferred: int) -> int:
    """``preferred`` when it is free, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise ServiceError(f"geen vrije poort op {host}", hint="stop het programma dat de poort gebruikt")


@dataclass
class RunningService:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def service_in_thread(settings: Settings, catalog: Catalog | None = None) -> Iterator[RunningService]:
    """The real service on a real port until the block ends."""
    port = free_port(settings.host, settings.port)
    config = uvicorn.Config(create_app(settings, catalog), host=settings.host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="zorgblik-service")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ServiceError(f"de service start niet op {settings.host}:{port}", hint="kijk of de poort vrij is")
        time.sleep(0.05)
    service = RunningService(f"http://{settings.host}:{port}", server, thread)
    try:
        yield service
    finally:
        service.stop()
