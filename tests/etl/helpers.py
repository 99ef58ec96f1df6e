"""Helpers for warehouse tests: lessons filled as a teacher would have on (or after) the day."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from app.settings import get_settings


def filled_on(world: Any, days_ago: int, *, late_days: int = 0, work_kind: str = "oral") -> dict[str, Any]:
    """Lesson fields filled at noon of the lesson day (plus `late_days`)."""
    day = world.today - timedelta(days=days_ago)
    at = datetime.combine(day + timedelta(days=late_days), time(12, 0), tzinfo=get_settings().tz)
    return {
        "topic": "Тема",
        "work_done": "Задания",
        "work_kind": work_kind,
        "homework": "Д/з",
        "topic_filled_at": at,
        "work_filled_at": at,
        "homework_filled_at": at,
        "attendance_filled_at": at,
    }
