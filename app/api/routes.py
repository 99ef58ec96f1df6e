"""The API's endpoints, once: each with its path, its parameters, what it answers and which page's
readers it serves (app.ui.registry), so the router, the OpenAPI document and the authorisation
tests read the same table.

Every request carries a token (`Authorization: Bearer ejt_…`; the calendar feed also takes
`?token=`, since phone calendars send no headers), is rate-limited per token, reloads the token's
user, and is audited (`api.request`; the diary's reads audit themselves as `diary.view`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import audit
from app.actor import Actor
from app.analytics import attendance as att
from app.analytics import completeness as comp
from app.analytics import progress as prog
from app.analytics.access import attendance_groups, progress_groups, progress_views
from app.analytics.common import Scope, get_reader, period_bounds
from app.api import ical
from app.db import get_engine
from app.errors import AccessDenied, DomainError, NotFound
from app.services import api_tokens, diary
from app.services.journal import college_today
from app.settings import get_settings
from app.ui.registry import BY_NAME
from etl.warehouse import NoWarehouse

PREFIX = "/api/v1"


class BadRequest(DomainError):
    pass


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path | query
    description: str
    required: bool = False
    kind: str = "string"  # string | integer | date


@dataclass(frozen=True)
class Endpoint:
    path: str  # below PREFIX
    summary: str
    answer: Callable[[Actor, dict[str, Any], Session], Any]
    params: tuple[Param, ...] = ()
    page: str | None = None  # the page whose readers it serves; None: every user (their own data)
    media: str = "application/json"
    query_token: bool = False


def _date(params: dict[str, Any], name: str, default: date | None = None) -> date | None:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise BadRequest(f"Параметр {name}: дата в виде ГГГГ-ММ-ДД, например 2026-12-04.") from None


def _int(params: dict[str, Any], name: str) -> int:
    try:
        return int(str(params[name]))
    except (KeyError, ValueError):
        raise BadRequest(f"Параметр {name}: целое число.") from None


def _frame(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in frame.to_dicts()]


# --------------------------------------------------------------------------- the answers


def _me(actor: Actor, _: dict[str, Any], session: Session) -> Any:
    students = diary.children_of(actor, session=session)
    return {
        "login": actor.login,
        "name": actor.full_name,
        "roles": sorted(r.value for r in actor.roles),
        "students": [{"id": s.id, "name": s.name, "group": s.group_name} for s in students],
    }


def _week(actor: Actor, params: dict[str, Any], session: Session) -> Any:
    day = _date(params, "date") or college_today(session=session)
    return dataclasses.asdict(diary.week(actor, _int(params, "student_id"), day, session=session))


def _period(actor: Actor, params: dict[str, Any], session: Session) -> Any:
    start, end = _date(params, "from"), _date(params, "to")
    if (start is None) != (end is None):
        raise BadRequest("Укажите оба параметра from и to, или ни одного (текущий семестр).")
    result = diary.period(actor, _int(params, "student_id"), start, end, session=session)
    return dataclasses.asdict(result)


def _calendar(actor: Actor, params: dict[str, Any], session: Session) -> Any:
    return ical.feed(actor, _int(params, "student_id"), session=session)


def _span(params: dict[str, Any], session: Session) -> tuple[date, date]:
    today = college_today(session=session)
    start = _date(params, "from", today.replace(day=1))
    end = _date(params, "to", today)
    assert start is not None and end is not None
    if start > end:
        raise BadRequest("Начало периода (from) позже его конца (to).")
    return start, end


def _attendance(actor: Actor, params: dict[str, Any], session: Session) -> Any:
    start, end = _span(params, session)
    allowed = attendance_groups(actor, session=session)
    if allowed == ():
        return []
    return _frame(att.by_group(get_reader(), Scope(actor.college_id, start, end, allowed)))


def _progress(actor: Actor, params: dict[str, Any], session: Session) -> Any:
    kind = str(params.get("kind") or "semester")
    if kind not in prog.PERIOD_KINDS:
        raise BadRequest("Параметр kind: month, semester или year.")
    views = progress_views(actor)
    view = str(params.get("view") or (views[0] if views else ""))
    if view not in views:
        raise AccessDenied(f"Этот разрез вам недоступен; доступны: {', '.join(views) or 'нет'}.")
    allowed, teacher = progress_groups(actor, view, session=session)
    if allowed == ():
        return []
    start, end = period_bounds(kind, _date(params, "date") or college_today(session=session))
    return _frame(
        prog.by_group(get_reader(), Scope(actor.college_id, start, end, allowed, None, teacher), kind)
    )


def _completeness(actor: Actor, params: dict[str, Any], session: Session) -> Any:
    start, end = _span(params, session)
    by = str(params.get("by") or "teacher")
    if by not in ("teacher", "group", "subject"):
        raise BadRequest("Параметр by: teacher, group или subject.")
    return _frame(comp.breakdown(get_reader(), Scope(actor.college_id, start, end), by))


STUDENT = Param("student_id", "path", "студент (id из /me)", True, "integer")
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/me", "Кто я: учётная запись, роли, чьи дневники мне доступны", _me),
    Endpoint(
        "/students/{student_id}/week",
        "Неделя дневника: занятия, темы, домашние задания, отметки с пояснением, посещаемость",
        _week,
        (
            STUDENT,
            Param("date", "query", "любой день недели, ГГГГ-ММ-ДД (по умолчанию сегодня)", kind="date"),
        ),
        page="diary",
    ),
    Endpoint(
        "/students/{student_id}/period",
        "Итоги за период по дисциплинам: отметки, средний балл, семестровые отметки, пропуски",
        _period,
        (
            STUDENT,
            Param("from", "query", "начало, ГГГГ-ММ-ДД (без from и to — текущий семестр)", kind="date"),
            Param("to", "query", "конец, ГГГГ-ММ-ДД", kind="date"),
        ),
        page="diary",
    ),
    Endpoint(
        "/students/{student_id}/calendar.ics",
        "Расписание и домашние задания в формате iCalendar (для календаря телефона); токен — ?token=",
        _calendar,
        (STUDENT, Param("token", "query", "токен доступа (календари не передают заголовков)")),
        page="diary",
        media="text/calendar; charset=utf-8",
        query_token=True,
    ),
    Endpoint(
        "/analytics/attendance",
        "Посещаемость по группам за период (как на странице «Посещаемость»)",
        _attendance,
        (
            Param("from", "query", "начало, ГГГГ-ММ-ДД (по умолчанию 1-е число месяца)", kind="date"),
            Param("to", "query", "конец, ГГГГ-ММ-ДД (по умолчанию сегодня)", kind="date"),
        ),
        page="attendance",
    ),
    Endpoint(
        "/analytics/progress",
        "Успеваемость по группам: средний балл, абсолютная успеваемость, качество знаний, СОУ",
        _progress,
        (
            Param("kind", "query", "период: month, semester (по умолчанию) или year"),
            Param("date", "query", "день внутри периода, ГГГГ-ММ-ДД", kind="date"),
            Param("view", "query", "разрез: college, curator или teacher (по умолчанию первый доступный)"),
        ),
        page="progress",
    ),
    Endpoint(
        "/analytics/completeness",
        "Заполнение журналов по преподавателям, группам или дисциплинам",
        _completeness,
        (
            Param("from", "query", "начало, ГГГГ-ММ-ДД", kind="date"),
            Param("to", "query", "конец, ГГГГ-ММ-ДД", kind="date"),
            Param("by", "query", "teacher (по умолчанию), group или subject"),
        ),
        page="completeness",
    ),
)


# --------------------------------------------------------------------------- the plumbing


class RateLimit:
    """At most `per_minute` requests per token in any minute (per server process)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, per_minute: int) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and now - seen[0] > 60:
                seen.popleft()
            if len(seen) >= per_minute:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # forget tokens idle for a minute
                for k in [k for k, v in self._seen.items() if not v or now - v[-1] > 60]:
                    del self._seen[k]
            return True


LIMIT = RateLimit()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple):
        return list(value)
    return str(value)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, default=_json_default, indent=None)
    return Response(
        body,
        status_code=status,
        media_type="application/json; charset=utf-8",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"error": message}, status, headers)


def _token(request: Request, endpoint: Endpoint) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    if endpoint.query_token:
        return request.query_params.get("token", "")
    return ""


def _serve(endpoint: Endpoint, token: str, params: dict[str, Any], origin: audit.Origin) -> Any:
    with audit.from_origin(origin), Session(get_engine()) as session:
        actor = api_tokens.resolve(token, session=session)
        if endpoint.page is not None and not BY_NAME[endpoint.page].allows(actor):
            with audit.user_action(session, actor, "api.request", details={"path": endpoint.path}):
                raise AccessDenied(
                    "Эти данные вам недоступны: их читают по странице «" + BY_NAME[endpoint.page].title + "»."
                )
        result = endpoint.answer(actor, params, session)
        if endpoint.page != "diary":  # the diary audits its own reads
            audit.record(session, actor, "api.request", details={"path": endpoint.path, "params": {
                k: str(v) for k, v in params.items() if k != "token"}})  # fmt: skip
            session.commit()
        return result


def _handler(endpoint: Endpoint) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        from app.web import origin_of

        token = _token(request, endpoint)
        if not token:
            return _error(401, "Нужен токен доступа: заголовок «Authorization: Bearer ejt_…».",
                          {"WWW-Authenticate": "Bearer"})  # fmt: skip
        per_minute = get_settings().api_requests_per_minute
        if not LIMIT.allow(api_tokens.token_key(token), per_minute):
            return _error(
                429, f"Слишком много запросов: не больше {per_minute} в минуту.", {"Retry-After": "60"}
            )
        params = {**request.query_params, **request.path_params}
        try:
            result = await run_in_threadpool(_serve, endpoint, token, params, origin_of(request.scope))
        except api_tokens.TokenRefused as exc:
            return _error(401, exc.message)
        except AccessDenied as exc:
            return _error(403, exc.message)
        except NotFound as exc:
            return _error(404, exc.message)
        except DomainError as exc:
            return _error(400, exc.message)
        except NoWarehouse as exc:
            return _error(503, str(exc))
        if isinstance(result, bytes):
            return Response(result, media_type=endpoint.media, headers={"Cache-Control": "no-store"})
        return json_response(result)

    return handle


def routes() -> list[Route]:
    from app.api.spec import openapi

    async def spec(_: Request) -> Response:
        return json_response(openapi())

    return [
        Route(PREFIX + "/openapi.json", spec, methods=["GET"]),
        *(Route(PREFIX + e.path, _handler(e), methods=["GET"]) for e in ENDPOINTS),
    ]
