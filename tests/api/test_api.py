"""The read-only API (issue 16): personal tokens scoped to what their user may read now, every
route against every role as the pages allow, revocation, the rate limit, the OpenAPI document and
the calendar feed a phone reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import text
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from app.api.routes import ENDPOINTS, routes
from app.services import api_tokens
from app.settings import get_settings
from app.ui.registry import BY_NAME

ACCOUNTS = ("teacher", "deputy", "director", "officer", "student", "guardian")


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=routes()))


def token_of(world, who: str) -> str:
    with Session(world.engine) as s:
        return api_tokens.create(world.actor(who), f"тест {who}", 30, session=s).token


def get(client, path: str, token: str | None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1" + path, headers=headers, params=params)


def test_a_guardians_token_reads_their_child_and_nothing_else(client, world):
    token = token_of(world, "guardian")
    child, other = world.student_ids[0], world.student_ids[1]
    lesson = world.lesson(0, topic="Процессы", homework="§ 4")
    me = get(client, "/me", token).json()
    assert me["roles"] == ["guardian"] and [s["id"] for s in me["students"]] == [child]
    week = get(client, f"/students/{child}/week", token)
    assert week.status_code == 200
    lessons = [x for d in week.json()["days"] for x in d["lessons"]]
    assert any(x["lesson_id"] == lesson and x["homework"] == "§ 4" for x in lessons)
    assert get(client, f"/students/{child}/period", token).status_code == 200
    refused = get(client, f"/students/{other}/week", token)
    assert refused.status_code == 403 and refused.json()["error"]
    for path in ("/analytics/attendance", "/analytics/progress", "/analytics/completeness"):
        assert get(client, path, token).status_code == 403, path
    assert get(client, f"/students/{child}/week", None).status_code == 401
    assert get(client, f"/students/{child}/week", token, date="04.12.2026").status_code == 400


def test_a_revoked_expired_or_forged_token_is_refused(client, world):
    token = token_of(world, "guardian")
    assert get(client, "/me", token).status_code == 200
    with Session(world.engine) as s:
        (row,) = api_tokens.mine(world.actor("guardian"), session=s)
        assert row.prefix == token[:10] and row.last_used_at is not None
        assert (
            s.execute(text("SELECT count(*) FROM api_token WHERE token_hash = :t"), {"t": token}).scalar_one()
            == 0
        )
        api_tokens.revoke(world.actor("guardian"), row.id, session=s)
    assert get(client, "/me", token).status_code == 401
    expiring = token_of(world, "guardian")
    with Session(world.engine) as s:
        s.execute(
            text("UPDATE api_token SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL")
        )
        s.commit()
    assert get(client, "/me", expiring).status_code == 401
    assert get(client, "/me", "ejt_" + "x" * 43).status_code == 401


def test_every_route_answers_every_role_as_the_pages_allow(client, world, warehouse):
    """The authorisation matrix of the API: a route serves whom its page serves."""
    world.lesson(1)
    warehouse()
    own = {"student": world.student_ids[0], "guardian": world.student_ids[0]}
    for who in ACCOUNTS:
        token = token_of(world, who)
        actor = world.actor(who)
        for e in ENDPOINTS:
            path = e.path.replace("{student_id}", str(own.get(who, world.student_ids[0])))
            response = (
                client.get("/api/v1" + path, params={"token": token})
                if e.query_token
                else get(client, path, token)
            )
            allowed = e.page is None or BY_NAME[e.page].allows(actor)
            assert (response.status_code == 200) == allowed, (
                who,
                e.path,
                response.status_code,
                response.text,
            )


def test_staff_tokens_read_the_analytics_and_are_audited(client, world, warehouse):
    world.lesson(1)
    warehouse()
    token = token_of(world, "deputy")
    progress = get(client, "/analytics/progress", token, kind="year")
    assert progress.status_code == 200 and progress.json()[0]["Группа"] == "ИСП-11"
    assert get(client, "/analytics/progress", token, kind="decade").status_code == 400
    completeness = get(
        client, "/analytics/completeness", token, by="group", **{"from": str(world.today - timedelta(days=7))}
    )
    assert completeness.status_code == 200 and completeness.json()
    with Session(world.engine) as s:
        paths = (
            s.execute(
                text(
                    "SELECT details->>'path' FROM audit_event WHERE action = 'api.request' AND actor_user_id = :u ORDER BY id"
                ),
                {"u": world.users["deputy"]},
            )
            .scalars()
            .all()
        )
    assert paths == ["/analytics/progress", "/analytics/completeness"]


def test_the_rate_limit_answers_429(client, world, monkeypatch):
    monkeypatch.setenv("EJOURNAL_API_REQUESTS_PER_MINUTE", "3")
    get_settings.cache_clear()
    try:
        token = token_of(world, "guardian")
        codes = [get(client, "/me", token).status_code for _ in range(4)]
    finally:
        get_settings.cache_clear()
    assert codes == [200, 200, 200, 429]


def test_the_openapi_document_lists_every_route(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    doc = spec.json()
    assert (
        doc["openapi"].startswith("3.")
        and doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    )
    assert set(doc["paths"]) == {"/api/v1" + e.path for e in ENDPOINTS}
    week = doc["paths"]["/api/v1/students/{student_id}/week"]["get"]
    assert {p["name"] for p in week["parameters"]} == {"student_id", "date"}


def test_the_calendar_feed_parses_with_lessons_and_homework(client, world):
    token = token_of(world, "student")
    world.lesson(0, topic="Процессы", homework="§ 4, вопросы 1–5")
    coming_day = world.today + timedelta(days=7)
    if coming_day.isoweekday() == 7:  # the timetable has no Sundays
        coming_day += timedelta(days=1)
    world.slot(coming_day, 3, room="204", days=3)
    feed = client.get(f"/api/v1/students/{world.student_ids[0]}/calendar.ics", params={"token": token})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    events = list(cal.walk("VEVENT"))
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == [get_settings().timezone]
    assert any("§ 4, вопросы 1–5" in str(e["DESCRIPTION"]) for e in events)
    # the world's own Monday slot (1st pair) runs beside it when the suite runs on a Monday
    coming = [e for e in events if e["DTSTART"].dt.date() == coming_day and "3-я пара" in str(e["SUMMARY"])]
    assert len(coming) == 1 and str(coming[0]["LOCATION"]) == "ауд. 204"
    assert len({str(e["UID"]) for e in events}) == len(events)
    other = client.get(f"/api/v1/students/{world.student_ids[1]}/calendar.ics", params={"token": token})
    assert other.status_code == 403
