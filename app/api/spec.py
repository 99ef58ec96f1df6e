"""The OpenAPI 3.1 document of the API, from the endpoint table (app.api.routes.ENDPOINTS)."""

from __future__ import annotations

from typing import Any

from app.api.routes import ENDPOINTS, PREFIX
from app.ui.registry import BY_NAME

_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}


def _who(page: str | None) -> str:
    if page is None:
        return "Любой пользователь (свои данные)."
    spec = BY_NAME[page]
    roles = ", ".join(sorted(r.value for r in spec.roles)) or "все"
    return f"Те же, кто открывает страницу «{spec.title}»: {roles}; и в тех же пределах."


def openapi() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for e in ENDPOINTS:
        responses: dict[str, Any] = {
            "200": {
                "description": "Данные",
                "content": {
                    e.media.split(";")[0]: {
                        "schema": {"type": "string"} if e.media.startswith("text/") else {}
                    }
                },
            },
            "400": {"description": "Неверный параметр", "content": {"application/json": {"schema": _ERROR}}},
            "401": {
                "description": "Нет токена или он недействителен",
                "content": {"application/json": {"schema": _ERROR}},
            },
            "403": {
                "description": "Нет доступа к этим данным",
                "content": {"application/json": {"schema": _ERROR}},
            },
            "429": {
                "description": "Слишком много запросов",
                "content": {"application/json": {"schema": _ERROR}},
            },
        }
        paths[PREFIX + e.path] = {
            "get": {
                "summary": e.summary,
                "description": _who(e.page),
                "parameters": [
                    {
                        "name": p.name,
                        "in": p.where,
                        "required": p.required,
                        "description": p.description,
                        "schema": _TYPES[p.kind],
                    }
                    for p in e.params
                ],
                "responses": responses,
                "security": [{"token": []}],
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Электронный журнал: API только для чтения",
            "version": "1",
            "description": (
                "Дневник, расписание и аналитика в пределах прав пользователя. Токен создаётся на странице "
                "«Доступ для приложений» и передаётся в заголовке «Authorization: Bearer ejt_…»."
            ),
        },
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
