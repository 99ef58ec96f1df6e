"""«Мои замечания»: one teacher's own remarks, weekly analysis, КТП and накопляемость, and the
college's weekly analysis as posted on «Доска информации» (§4.2.1, §4.2.2, §4.3 of the regulation).

Every function takes the acting user and narrows to `actor.teacher_id` here, on the server: no
teacher id is ever taken from the caller, so a URL or a widget cannot widen what a teacher sees. The
queries are the completeness module's own, called with a teacher filter, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from app.actor import Actor
from app.analytics import completeness
from app.analytics.common import Scope, period_bounds
from app.domain import Role, fmt_date
from app.errors import AccessDenied
from etl.warehouse import NoWarehouse, WarehouseReader

ALL_STATES = ("open", "overdue", "fixed")
NO_TEACHER = "«Мои замечания» — страница преподавателя: за вашей учётной записью не закреплён преподаватель."


def own_teacher(actor: Actor) -> int:
    """The actor's own teacher id; anyone else is refused."""
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        raise AccessDenied(NO_TEACHER)
    return actor.teacher_id


def own_scope(actor: Actor, today: date) -> Scope:
    """The actor's lessons of the current academic year (1 September) up to `today`."""
    start, _ = period_bounds("year", today)
    return Scope(actor.college_id, start, today, teacher_id=own_teacher(actor))


def summary(reader: WarehouseReader, actor: Actor, today: date) -> dict[str, Any]:
    """Lessons held, share complete on the day and remarks by state, for the actor's own lessons."""
    return completeness.summary(reader, own_scope(actor, today))


def unresolved(reader: WarehouseReader, actor: Actor, today: date) -> dict[str, int] | None:
    """Open and overdue remarks for «Главная»; None while the warehouse is not built or the actor is
    no teacher (the home page then simply says nothing about remarks)."""
    try:
        counts = summary(reader, actor, today)
    except (NoWarehouse, AccessDenied):
        return None
    return {"open": counts["remarks_open"], "overdue": counts["remarks_overdue"]}


def remarks(
    reader: WarehouseReader, actor: Actor, today: date, states: tuple[str, ...] = ALL_STATES
) -> pl.DataFrame:
    """The actor's remarks: what is missing, which lesson, due date and state (unresolved first)."""
    return completeness.remarks(reader, own_scope(actor, today), states).drop("Преподаватель")


@dataclass(frozen=True)
class LessonLink:
    lesson_id: int
    label: str


def lesson_links(frame: pl.DataFrame) -> list[LessonLink]:
    """One link per lesson of a remarks table (a lesson may carry several remarks), in its order."""
    if frame.height == 0:
        return []
    lessons = frame.group_by("_lesson_id", maintain_order=True).agg(
        pl.first("Дата"), pl.first("Пара"), pl.first("Группа"), pl.first("Дисциплина"), pl.col("Замечание")
    )
    return [
        LessonLink(
            int(row["_lesson_id"]),
            f"{fmt_date(row['Дата'])}, {row['Пара']} пара · {row['Группа']} · {row['Дисциплина']}: "
            + "; ".join(row["Замечание"]),
        )
        for row in lessons.iter_rows(named=True)
    ]


def weekly(reader: WarehouseReader, actor: Actor, today: date) -> pl.DataFrame:
    """The actor's own row of the weekly analysis, for every week of the academic year, newest first."""
    start, _ = period_bounds("year", today)
    frame = completeness.weekly_analysis(reader, actor.college_id, None, teacher_id=own_teacher(actor))
    frame = frame.filter(pl.col("_week_start").is_between(start, today))
    return frame.select(pl.col("_week_start").alias("Неделя с"), pl.exclude("Преподаватель", "_week_start"))


def ktp(reader: WarehouseReader, actor: Actor) -> pl.DataFrame:
    """КТП progress and lag of the curriculum items assigned to the actor, per group × subject."""
    frame = completeness.ktp_progress(reader, actor.college_id, teacher_id=own_teacher(actor))
    return frame.drop("Преподаватель")


def accumulation(reader: WarehouseReader, actor: Actor) -> pl.DataFrame:
    """Накопляемость: students of the actor's groups short of marks in the actor's subjects."""
    frame = completeness.mark_accumulation(reader, actor.college_id, teacher_id=own_teacher(actor))
    return frame.drop("Преподаватель")


def board(reader: WarehouseReader, actor: Actor, week_start: date) -> pl.DataFrame:
    """«Доска информации»: the college's weekly analysis as the officer sees it, posted read-only for
    the college's teachers (§4.2.2)."""
    own_teacher(actor)
    return completeness.weekly_analysis(reader, actor.college_id, week_start)
