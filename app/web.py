"""The web server: Streamlit's ASGI app (st.App) with the login routes and two middlewares.

A login is a server-side session (app.services.login_sessions), carried by an HttpOnly,
SameSite=Strict cookie that only the /login route sets. SessionGate turns a live cookie into
trusted headers: the session's id, the source address and the browser's agent, which Streamlit
copies into `st.user` at the websocket's connect (`server.trustedUserHeaders`, set only by
`serve`, so a server without this middleware trusts nothing). Streamlit resumes a browser
session only for a connection with equal `st.user`, so a session id copied from an upload URL or
a log is worthless without the cookie. Uploads into a Streamlit session and media files are
refused unless the request's cookie is that session's; a page is sent to /login without one.
SecurityHeaders puts CSP (frame-ancestors 'none'), nosniff and Referrer-Policy on every response.
"""

from __future__ import annotations

import hmac
import html
import secrets
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from app import audit
from app.db import get_engine
from app.errors import DomainError
from app.notify.compose import UNSUBSCRIBE_PATH
from app.services import login_sessions
from app.services.accounts import LOCKOUT_HINT, authenticate
from app.settings import get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_HEADER = "X-Ejournal-Session"
SOURCE_HEADER = "X-Ejournal-Source"
# Header → key of st.user. Only SessionGate writes the first two (it drops what a client sent).
TRUSTED_USER_HEADERS = {SESSION_HEADER: "sid", SOURCE_HEADER: "source", "User-Agent": "user_agent"}
CSRF_COOKIE = "ejournal_login_csrf"
LOGIN_PATH = "/login"

# Streamlit's frontend needs inline styles and eval-free scripts of its own origin; nothing of the
# app comes from elsewhere, so an image or a link target injected into a page cannot load either.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; "
    "media-src 'self' blob: data:; worker-src 'self' blob:; frame-src 'self' blob: data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Paths of Streamlit's own that serve no user data (assets, health): no session needed.
# /api/: a token on every request is the API's own check (app.api.routes)
_OPEN_PREFIXES = (
    "/api/",
    "/_stcore/",
    "/static/",
    "/component/",
    "/app/static/",
    "/auth/",
    "/favicon",
    "/manifest",
)


def _drop_trusted(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    names = {SESSION_HEADER.lower().encode(), SOURCE_HEADER.lower().encode()}
    return [(k, v) for k, v in headers if k.lower() not in names]


def _source(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def origin_of(scope: Scope, session_id: str | None = None) -> audit.Origin:
    return audit.Origin(_source(scope), Headers(scope=scope).get("user-agent"), session_id)


def _live_session(token: str | None, origin: audit.Origin) -> str | None:
    """The id of the live session the cookie's token opens, or None."""
    if not token:
        return None
    with audit.from_origin(origin), Session(get_engine()) as session:
        try:
            return login_sessions.resolve(token, session=session).id
        except login_sessions.SessionEnded:
            return None


class SessionGate:
    """Binds Streamlit's traffic to the login cookie (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _drop_trusted(list(scope["headers"]))
        scope["headers"] = headers
        path: str = scope["path"]
        kind = self._kind(scope)
        if kind == "open":
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(login_sessions.COOKIE)
        live = await run_in_threadpool(_live_session, token, origin_of(scope))
        if kind == "stream":
            headers.append((SOURCE_HEADER.lower().encode(), (_source(scope) or "").encode()))
            if live is not None:
                headers.append((SESSION_HEADER.lower().encode(), live.encode()))
            else:
                # Nothing to resume without a login: the third entry is the id of the session to
                # resume (Streamlit's own check would refuse it too; this does not depend on it).
                headers = [(k, _no_resume(v) if k == b"sec-websocket-protocol" else v) for k, v in headers]
            # Starlette's Headers(scope=…) above put a copy into the scope: set ours last.
            scope["headers"] = headers
            await self.app(scope, receive, send)
            return
        if kind == "upload":
            if live is None or not self._owns_upload(scope, live):
                await Response("Нет доступа.", status_code=403)(scope, receive, send)
                return
        elif kind == "media":
            if live is None:
                await Response("Нет доступа: войдите в систему.", status_code=403)(scope, receive, send)
                return
            send = _no_store(send)
        elif kind == "page" and live is None:
            target = LOGIN_PATH + ("?next=" + quote(path) if path not in ("", "/") else "")
            await RedirectResponse(target, status_code=303)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _kind(scope: Scope) -> str:
        path: str = scope["path"]
        if scope["type"] == "websocket":
            return "stream" if path.endswith("/_stcore/stream") else "open"
        if path.startswith("/_stcore/upload_file/"):
            return "upload"
        if path.startswith("/media/"):
            return "media"
        if path.startswith(_OPEN_PREFIXES) or path in (LOGIN_PATH, UNSUBSCRIBE_PATH):
            return "open"
        if scope.get("method") in ("GET", "HEAD") and "text/html" in Headers(scope=scope).get("accept", ""):
            return "page"
        return "open"

    @staticmethod
    def _owns_upload(scope: Scope, session_id: str) -> bool:
        """Whether the Streamlit session named in the upload URL belongs to this login."""
        from streamlit.runtime import Runtime

        parts = scope["path"].split("/")
        streamlit_session = parts[3] if len(parts) > 3 else ""
        if not Runtime.exists():
            return False
        app_session = Runtime.instance().get_app_session(streamlit_session)
        if app_session is None:
            return False
        request = Headers(scope=scope)
        user_info: dict[str, Any] = {
            "sid": session_id,
            "source": _source(scope) or "",
            "user_agent": request.get("user-agent"),
        }
        return bool(app_session.matches_user_info(user_info))


def _no_resume(protocols: bytes) -> bytes:
    entries = [p.strip() for p in protocols.decode("latin-1").split(",")]
    return ", ".join(entries[:2]).encode("latin-1")


def _no_store(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (b"cache-control", b"no-store")]
        await send(message)

    return wrapped


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in SECURITY_HEADERS if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


# ---- the login page -------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Вход — Электронный журнал</title>
<style>
  body {{ font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; background: #f4f6fa; color: #1f2937;
         margin: 0; display: flex; min-height: 100vh; align-items: center; justify-content: center; }}
  main {{ background: #fff; padding: 2rem 2.5rem; border-radius: 12px; width: min(26rem, 92vw);
          box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
  h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; }}
  p.sub {{ color: #6b7280; margin: 0 0 1.5rem; font-size: .95rem; }}
  label {{ display: block; font-weight: 600; margin: 1rem 0 .3rem; }}
  input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: .6rem .7rem;
          font-size: 1rem; border: 1px solid #cbd5e1; border-radius: 8px; }}
  input:focus {{ outline: 2px solid #1f5fa8; border-color: #1f5fa8; }}
  button {{ margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; font-weight: 600; color: #fff;
           background: #1f5fa8; border: 0; border-radius: 8px; cursor: pointer; }}
  .msg {{ padding: .7rem .9rem; border-radius: 8px; margin-bottom: 1rem; }}
  .error {{ background: #fdecec; color: #8a1c1c; }}
  .info {{ background: #e8f0fb; color: #1f4d85; }}
  small {{ display: block; color: #6b7280; margin-top: 1.25rem; line-height: 1.4; }}
</style>
</head>
<body>
<main>
  <h1>Электронный журнал</h1>
  <p class="sub">Вход для преподавателей, кураторов, администрации, студентов и родителей</p>
  {message}
  <form method="post" action="{action}">
    <input type="hidden" name="csrf" value="{csrf}">
    <label for="login">Логин</label>
    <input id="login" name="login" type="text" autocomplete="username" value="{login}" required autofocus>
    <label for="password">Пароль</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Войти</button>
  </form>
  <small>{hint}</small>
</main>
</body>
</html>
"""


def _safe_next(value: str | None) -> str:
    """Only a path of this site: `next` is never a way to send someone elsewhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _login_page(
    request: Request, *, error: str = "", notice: str = "", login: str = "", status: int = 200
) -> HTMLResponse:
    settings = get_settings()
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    message = ""
    if error:
        message = f'<div class="msg error" role="alert">{html.escape(error)}</div>'
    elif notice:
        message = f'<div class="msg info" role="status">{html.escape(notice)}</div>'
    next_path = _safe_next(request.query_params.get("next"))
    action = LOGIN_PATH + (f"?next={quote(next_path)}" if next_path != "/" else "")
    hint = (
        LOCKOUT_HINT.format(n=settings.login_max_failures, m=settings.lockout_minutes)
        + " Логин и пароль выдаёт куратор группы (студентам и родителям) или ответственный за электронный журнал."
    )
    body = _PAGE.format(
        message=message,
        action=html.escape(action),
        csrf=html.escape(csrf),
        login=html.escape(login),
        hint=html.escape(hint),
    )
    response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request), path=LOGIN_PATH
    )
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _ended_notice(token: str | None, origin: audit.Origin) -> str:
    if not token:
        return ""
    with audit.from_origin(origin), Session(get_engine()) as session:
        try:
            login_sessions.resolve(token, session=session)
        except login_sessions.SessionEnded as exc:
            return exc.message
    return ""


async def login_form(request: Request) -> Response:
    token = request.cookies.get(login_sessions.COOKIE)
    if token and await run_in_threadpool(_live_session, token, origin_of(request.scope)) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    notice = await run_in_threadpool(_ended_notice, token, origin_of(request.scope))
    response = _login_page(request, notice=notice)
    if token:
        response.delete_cookie(login_sessions.COOKIE, path="/")
    return response


def _log_in(login: str, password: str, origin: audit.Origin) -> login_sessions.Opened:
    with audit.from_origin(origin), Session(get_engine()) as session:
        if login_sessions.source_throttled(origin.source_address, session=session):
            raise login_sessions.refuse_throttled(session=session)
        actor = authenticate(login, password, session=session)
        return login_sessions.open_session(actor.user_id, session=session)


async def login_submit(request: Request) -> Response:
    form = await request.form()
    login = str(form.get("login") or "")
    password = str(form.get("password") or "")
    sent_csrf = str(form.get("csrf") or "")
    cookie_csrf = request.cookies.get(CSRF_COOKIE) or ""
    if not cookie_csrf or not hmac.compare_digest(sent_csrf, cookie_csrf):
        return _login_page(
            request, error="Страница входа устарела: введите логин и пароль ещё раз.", status=400
        )
    if not login.strip() or not password:
        return _login_page(request, error="Введите логин и пароль.", login=login, status=400)
    try:
        opened = await run_in_threadpool(_log_in, login, password, origin_of(request.scope))
    except DomainError as exc:
        status = 429 if exc.code == "throttled" else 401
        return _login_page(request, error=exc.message, login=login[:128], status=status)
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    # No Max-Age: the cookie goes with the browser; the server's timeouts end the session anyway.
    response.set_cookie(
        login_sessions.COOKIE,
        opened.token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path=LOGIN_PATH)
    return response


def routes() -> list[Route]:
    from app.api.routes import routes as api_routes
    from app.notify.web import unsubscribe_form, unsubscribe_submit

    return [
        *api_routes(),
        Route(LOGIN_PATH, login_form, methods=["GET"]),
        Route(LOGIN_PATH, login_submit, methods=["POST"]),
        Route(UNSUBSCRIBE_PATH, unsubscribe_form, methods=["GET"]),
        Route(UNSUBSCRIBE_PATH, unsubscribe_submit, methods=["POST"]),
    ]


def build_app(script: Path) -> Any:
    from starlette.middleware import Middleware
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.starlette import App

    # Streamlit learns that the app routes with st.navigation only when a run first calls it, and
    # until then runs a process's first session in the old pages-folder mode: the page file alone,
    # past the router, under a sidebar listing every file in pages/. The router is all we have.
    PagesManager.uses_pages_directory = False

    # SecurityHeaders outermost: a refusal or a redirect by the gate carries the headers too.
    return App(
        str(script), routes=routes(), middleware=[Middleware(SecurityHeaders), Middleware(SessionGate)]
    )


def streamlit_config(args: list[str]) -> dict[str, Any]:
    """`ejournal serve --server.port 8600 …` as App.run's config; the trusted headers are ours."""
    config: dict[str, Any] = {"server.headless": True, "browser.gatherUsageStats": False}
    it = iter(args)
    for arg in it:
        if not arg.startswith("--"):
            raise SystemExit(f"ejournal serve: непонятный параметр «{arg}» (пример: --server.port 8600)")
        key, sep, value = arg[2:].partition("=")
        if not sep:
            value = next(it, "")
        config[key] = _typed(value)
    config["server.trustedUserHeaders"] = dict(TRUSTED_USER_HEADERS)
    return config


def _typed(value: str) -> Any:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    try:
        return int(value)
    except ValueError:
        return value


def serve(script: Path, args: list[str]) -> None:
    # App.run anchors the script-level .streamlit/config.toml at sys.argv[0], the launcher; the
    # launcher here is the CLI, so point it at the Streamlit script, whose folder holds the config.
    sys.argv = [str(script)]
    build_app(script).run(config=streamlit_config(args))
