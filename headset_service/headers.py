"""Security headers on every response, set in one place (the app factory adds :class:`SecurityHeaders`).

Every response: not framed by another site (``X-Frame-Options``), no content-type sniffing, no
referrer to other sites. HTML and JSON (not /static, not bundle files): ``Cache-Control: no-store``
unless the route chose its own (the headset page, the device manifest), so a shared classroom
PC keeps nothing of a staff member's in its cache. Staff HTML pages: :data:`STAFF_CSP`. The
headset page and the OpenAPI docs get no CSP: the headset page opens a WebSocket and registers a
service worker, the docs load Swagger UI from a CDN.

Cookies get ``Secure`` over HTTPS. uvicorn sets the scheme from ``X-Forwarded-Proto`` when the
request comes from a proxy it trusts (its ``forwarded_allow_ips``: this machine by default).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The pages load their scripts, styles, images and media from the service itself. Inline
#: ``<script>`` and ``style`` stay allowed: the 2D player, the projector and meekijken start
#: from an inline script, the printed handout has its own ``<style>``.
STAFF_CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

EVERY_RESPONSE = ((b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                  (b"referrer-policy", b"same-origin"))
#: Files meant to be cached (the headset keeps bundles, browsers the scripts and styles).
CACHED_PREFIXES = ("/static/", "/bundles/")


class SecurityHeaders:
    """ASGI middleware (not ``BaseHTTPMiddleware``: bundle downloads stream through it untouched)."""

    def __init__(self, app: ASGIApp, no_csp: frozenset[str]):
        self.app = app
        self.no_csp = no_csp  # HTML pages that run without the staff CSP

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self.headers(list(message.get("headers", [])), path, https)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def headers(self, headers: list[tuple[bytes, bytes]], path: str, https: bool) -> list[tuple[bytes, bytes]]:
        names = {name.lower() for name, _ in headers}
        content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"").lower()
        html = content_type.startswith(b"text/html")
        added = [(n, v) for n, v in EVERY_RESPONSE if n not in names]
        if (html or content_type.startswith(b"application/json")) and not path.startswith(CACHED_PREFIXES) \
                and b"cache-control" not in names:
            added.append((b"cache-control", b"no-store"))
        if html and path not in self.no_csp and b"content-security-policy" not in names:
            added.append((b"content-security-policy", STAFF_CSP.encode()))
        if https:
            headers = [(n, v + b"; Secure") if n.lower() == b"set-cookie" and not secure(v) else (n, v)
                       for n, v in headers]
        return headers + added


def secure(cookie: bytes) -> bool:
    """Whether a Set-Cookie value already has the ``Secure`` attribute."""
    return any(a.strip().lower() == b"secure" for a in cookie.split(b";")[1:])
