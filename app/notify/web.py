"""The one-click unsubscribe link of every letter (RFC 8058): GET shows what the link does and a
button, POST (the button, or a mail client's own «unsubscribe») turns every letter off for the
person the link was made for. No login: the signed token is the permission, and it can do
nothing but this."""

from __future__ import annotations

import html

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app import audit
from app.db import get_engine
from app.errors import DomainError
from app.notify.compose import SETTINGS_PAGE, UNSUBSCRIBE_PATH
from app.services import notices

_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Отписка от писем — Электронный журнал</title>
<style>
 body {{ font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; background: #f4f6fa; color: #1f2937;
        margin: 0; display: flex; min-height: 100vh; align-items: center; justify-content: center; }}
 main {{ background: #fff; padding: 2rem 2.5rem; border-radius: 12px; width: min(30rem, 92vw);
         box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
 h1 {{ font-size: 1.4rem; margin: 0 0 1rem; }}
 button {{ margin-top: 1rem; padding: .7rem 1.2rem; font-size: 1rem; font-weight: 600; color: #fff;
          background: #1f5fa8; border: 0; border-radius: 8px; cursor: pointer; }}
 .error {{ background: #fdecec; color: #8a1c1c; padding: .7rem .9rem; border-radius: 8px; }}
</style></head>
<body><main><h1>Письма электронного журнала</h1>{body}</main></body></html>
"""


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(body=body), status_code=status, headers={"Cache-Control": "no-store"})


async def unsubscribe_form(request: Request) -> Response:
    token = request.query_params.get("t", "")
    return _page(
        "<p>Письма с итогами недели и уведомлениями (пропуски, отметки, задолженности, объявления) "
        "перестанут приходить на ваш адрес. Дневник по-прежнему доступен после входа.</p>"
        f'<form method="post" action="{UNSUBSCRIBE_PATH}?t={html.escape(token)}">'
        '<button type="submit">Отписаться от всех писем</button></form>'
    )


def _unsubscribe(token: str, origin: audit.Origin) -> str:
    with audit.from_origin(origin), Session(get_engine()) as session:
        return notices.unsubscribe(token, session=session)


async def unsubscribe_submit(request: Request) -> Response:
    from app.web import origin_of

    token = request.query_params.get("t", "")
    try:
        address = await run_in_threadpool(_unsubscribe, token, origin_of(request.scope))
    except DomainError as exc:
        return _page(f'<p class="error" role="alert">{html.escape(exc.message)}</p>', status=400)
    return _page(
        f"<p>Готово: письма на адрес <b>{html.escape(address)}</b> больше не придут.</p>"
        f'<p>Включить их снова можно в дневнике, в разделе <a href="{SETTINGS_PAGE}">«Уведомления»</a>.</p>'
    )
