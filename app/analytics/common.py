"""Shared pieces of the analytics modules: the process's warehouse reader, filters, freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from app.settings import get_settings
from etl.warehouse import Published, WarehouseReader


@lru_cache(maxsize=1)
def get_reader() -> WarehouseReader:
    """One reader per process; it reopens the warehouse whenever a new load is published."""
    return WarehouseReader(get_settings().warehouse_dir)


@dataclass(frozen=True)
class Scope:
    """What a user asked to see, already narrowed to what they may see.

    group_ids None means every group of the college; an empty tuple means none at all.
    """

    college_id: int
    start: date
    end: date
    group_ids: tuple[int, ...] | None = None
    subject_id: int | None = None
    teacher_id: int | None = None

    def where(
        self, date_column: str = "lesson_date", *, teacher_column: str = "teacher_id"
    ) -> tuple[str, list[Any]]:
        """A WHERE clause of constant text with bound values (column names are ours, never input)."""
        clauses = ["college_id = ?", f"{date_column} BETWEEN ? AND ?"]
        params: list[Any] = [self.college_id, self.start, self.end]
        if self.group_ids is not None:
            clauses.append("list_contains(?::INTEGER[], group_id)")
            params.append(list(self.group_ids))
        if self.subject_id is not None:
            clauses.append("subject_id = ?")
            params.append(self.subject_id)
        if self.teacher_id is not None:
            clauses.append(f"{teacher_column} = ?")
            params.append(self.teacher_id)
        return " AND ".join(clauses), params


def freshness_label(published: Published) -> str:
    """«данные на ДД.ММ.ГГГГ ЧЧ:ММ» in the college's time zone."""
    local = published.loaded_at.astimezone(get_settings().tz)
    return f"данные на {local:%d.%m.%Y %H:%M}"


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def filter_options(reader: WarehouseReader, college_id: int) -> dict[str, dict[int, str]]:
    """Groups, subjects and teachers of a college for the pages' filters (id -> name)."""
    out: dict[str, dict[int, str]] = {}
    for key, sql in (
        (
            "groups",
            "SELECT group_id, group_name FROM stg_study_group WHERE college_id = ? ORDER BY group_name",
        ),
        (
            "subjects",
            "SELECT subject_id, subject_name FROM stg_subject WHERE college_id = ? ORDER BY subject_name",
        ),
        (
            "teachers",
            "SELECT teacher_id, teacher_name FROM stg_teacher WHERE college_id = ? ORDER BY teacher_name",
        ),
    ):
        frame = reader.query(sql, [college_id])
        out[key] = dict(frame.iter_rows())
    return out


def period_bounds(kind: str, anchor: date) -> tuple[date, date]:
    """The week (Monday–Sunday) or calendar month containing `anchor`."""
    from datetime import timedelta

    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    start = anchor.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)
