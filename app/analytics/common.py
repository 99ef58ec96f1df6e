"""Shared pieces of the analytics modules: the process's warehouse reader, filters, freshness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlmodel import Session, or_, select

from app.actor import Actor
from app.calendar import semester_bounds, year_bounds
from app.domain import Role
from app.models import CurriculumItem, Lesson, StudyGroup
from app.settings import get_settings
from etl.warehouse import Published, WarehouseReader

# Roles that see the analytics of the whole college.
COLLEGE_WIDE = (Role.deputy, Role.director, Role.officer)


@lru_cache(maxsize=1)
def get_reader() -> WarehouseReader:
    """One reader per process; it moves to each new load within a second of its publishing."""
    reader = WarehouseReader(get_settings().warehouse_dir)
    reader.follow()
    return reader


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
    """The week (Monday–Sunday), calendar month, half-year semester or academic year containing `anchor`."""
    from datetime import timedelta

    if kind == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    if kind == "semester":
        return semester_bounds(anchor)
    if kind == "year":
        return year_bounds(anchor)
    start = anchor.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def visible_groups(actor: Actor, *, session: Session, as_role: Role | None = None) -> tuple[int, ...] | None:
    """The study groups whose analytics `actor` may see, read afresh from the journal database.

    None means the whole college (deputy, director, officer). Otherwise a sorted tuple, possibly
    empty: a curator's groups (study_group.curator_teacher_id is the actor's teacher) and the groups a
    teacher teaches (lessons conducted or planned, or curriculum items assigned to them). `as_role`
    narrows the answer to what the actor sees in that one role; a role the actor lacks yields ().
    """
    if as_role is not None and not actor.has(as_role):
        return ()
    roles = (as_role,) if as_role is not None else tuple(actor.roles)
    if any(r in COLLEGE_WIDE for r in roles):
        return None
    teacher = actor.teacher_id
    if teacher is None:
        return ()
    found: set[int] = set()
    if Role.curator in roles:
        curated = session.exec(
            select(StudyGroup.id).where(
                StudyGroup.college_id == actor.college_id, StudyGroup.curator_teacher_id == teacher
            )
        ).all()
        found.update(g for g in curated if g is not None)
    if Role.teacher in roles:
        found.update(
            session.exec(
                select(Lesson.study_group_id)
                .where(
                    Lesson.college_id == actor.college_id,
                    or_(Lesson.teacher_id == teacher, Lesson.substitute_teacher_id == teacher),
                )
                .distinct()
            ).all()
        )
        found.update(
            session.exec(
                select(CurriculumItem.study_group_id).where(
                    CurriculumItem.college_id == actor.college_id, CurriculumItem.teacher_id == teacher
                )
            ).all()
        )
    return tuple(sorted(g for g in found if g is not None))
