"""Helpers for warehouse tests: lessons filled as a teacher would have on (or after) the day."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from time import monotonic, sleep
from typing import Any

from sqlalchemy import text

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


def settle(engine: Any, timeout: float = 60.0) -> None:
    """Wait until every transaction of the database that is open now has ended.

    A load's horizon (etl_read_horizon) is the start of the oldest transaction still open; a test
    that counts which colleges the next load copies needs a horizon past its own last change, and a
    transaction of a server of the suite (its audit sealer, its notices) may be open at that moment
    on a busy machine."""
    with engine.connect() as conn:
        mark = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
        conn.rollback()
        assert conn.execute(text("SELECT etl_read_horizon()")).scalar_one() is not None, "no horizon here"
        conn.rollback()
        deadline = monotonic() + timeout
        while conn.execute(text("SELECT etl_read_horizon()")).scalar_one() <= mark:
            conn.rollback()
            if monotonic() > deadline:
                raise TimeoutError("a transaction of this database stays open")
            sleep(0.05)
        conn.rollback()
